/// What `decisions.sexual_abuse` counts: the statement categories and the keywords
/// (`category_specification`) that concern sexual abuse imagery, read from a data file
/// (`Data/dsa-sexual-abuse.yaml`), never from code (decisions.md).
public struct SexualAbuseList: Equatable, Sendable {
    public var categories: [String]
    public var keywords: [String]
    public var source: String

    public init(categories: [String], keywords: [String], source: String) {
        self.categories = categories
        self.keywords = keywords
        self.source = source
    }

    public static let defaultFile = "Data/dsa-sexual-abuse.yaml"

    /// Reads the list; an unknown key, a missing list or a value that is not a category
    /// (`STATEMENT_CATEGORY_*`) or keyword (`KEYWORD_*`) is an error naming the file and key.
    public static func load(_ file: String) throws -> SexualAbuseList {
        let doc = try YAMLDocument.read(file)
        try doc.only(["note", "categories", "keywords"])
        let categories = try doc.require("categories", try doc.strings("categories"), "a list of STATEMENT_CATEGORY_* values")
        let keywords = try doc.require("keywords", try doc.strings("keywords"), "a list of KEYWORD_* values")
        for c in categories where !c.hasPrefix("STATEMENT_CATEGORY_") {
            throw YAMLError(file: file, message: "key 'categories': '\(c)' is not a STATEMENT_CATEGORY_* value")
        }
        for k in keywords where !k.hasPrefix("KEYWORD_") {
            throw YAMLError(file: file, message: "key 'keywords': '\(k)' is not a KEYWORD_* value")
        }
        return SexualAbuseList(categories: categories, keywords: keywords, source: file)
    }
}
