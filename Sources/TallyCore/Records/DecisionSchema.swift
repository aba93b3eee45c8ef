/// The EU DSA Transparency Database's statements of reasons (`decisions.md`): the columns kept,
/// their values, and the dump's columns read and ignored.
///
/// Enum values are the database's own (upper case, as in the dumps), matched ignoring letter
/// case and stored as listed here. Statement categories hold both schema versions: v1 (up to
/// 2025-06-30) and v2 (from 2025-07-01). The JSON-array columns are checked member by member
/// against their prefix rather than a closed list, since the Commission adds keywords with
/// each schema version and an unknown keyword is no reason to lose a decision.
extension RecordSchema {
    public static let statementCategories = [
        // v1 and v2
        "STATEMENT_CATEGORY_ANIMAL_WELFARE",
        "STATEMENT_CATEGORY_DATA_PROTECTION_AND_PRIVACY_VIOLATIONS",
        "STATEMENT_CATEGORY_ILLEGAL_OR_HARMFUL_SPEECH",
        "STATEMENT_CATEGORY_INTELLECTUAL_PROPERTY_INFRINGEMENTS",
        "STATEMENT_CATEGORY_NEGATIVE_EFFECTS_ON_CIVIC_DISCOURSE_OR_ELECTIONS",
        "STATEMENT_CATEGORY_PROTECTION_OF_MINORS",
        "STATEMENT_CATEGORY_RISK_FOR_PUBLIC_SECURITY",
        "STATEMENT_CATEGORY_SCAMS_AND_FRAUD",
        "STATEMENT_CATEGORY_SCOPE_OF_PLATFORM_SERVICE",
        "STATEMENT_CATEGORY_SELF_HARM",
        "STATEMENT_CATEGORY_VIOLENCE",
        // v1 only
        "STATEMENT_CATEGORY_NON_CONSENSUAL_BEHAVIOUR",
        "STATEMENT_CATEGORY_PORNOGRAPHY_OR_SEXUALIZED_CONTENT",
        "STATEMENT_CATEGORY_UNSAFE_AND_ILLEGAL_PRODUCTS",
        // v2 only
        "STATEMENT_CATEGORY_CONSUMER_INFORMATION",
        "STATEMENT_CATEGORY_CYBER_VIOLENCE",
        "STATEMENT_CATEGORY_CYBER_VIOLENCE_AGAINST_WOMEN",
        "STATEMENT_CATEGORY_NOT_SPECIFIED_NOTICE",
        "STATEMENT_CATEGORY_OTHER_VIOLATION_TC",
        "STATEMENT_CATEGORY_UNSAFE_AND_PROHIBITED_PRODUCTS",
    ]
    public static let decisionGrounds = ["DECISION_GROUND_ILLEGAL_CONTENT", "DECISION_GROUND_INCOMPATIBLE_CONTENT"]
    public static let decisionMonetary = ["DECISION_MONETARY_SUSPENSION", "DECISION_MONETARY_TERMINATION", "DECISION_MONETARY_OTHER"]
    public static let decisionProvision = [
        "DECISION_PROVISION_PARTIAL_SUSPENSION", "DECISION_PROVISION_TOTAL_SUSPENSION",
        "DECISION_PROVISION_PARTIAL_TERMINATION", "DECISION_PROVISION_TOTAL_TERMINATION",
    ]
    public static let decisionAccount = ["DECISION_ACCOUNT_SUSPENDED", "DECISION_ACCOUNT_TERMINATED"]
    public static let sourceTypes = ["SOURCE_ARTICLE_16", "SOURCE_TRUSTED_FLAGGER", "SOURCE_TYPE_OTHER_NOTIFICATION", "SOURCE_VOLUNTARY"]
    public static let automatedDecisions = ["AUTOMATED_DECISION_FULLY", "AUTOMATED_DECISION_PARTIALLY", "AUTOMATED_DECISION_NOT_AUTOMATED"]

    /// Columns of the full dump that are not kept: restriction end dates, "other" texts,
    /// the account type, URLs, language, the EAN (schema v2), and `source_identity`, which
    /// may name the person or body that sent a notice (never stored: no personal data).
    public static let decisionIgnoredColumns: Set<String> = [
        "end_date_visibility_restriction", "decision_monetary_other", "end_date_monetary_restriction",
        "end_date_service_restriction", "end_date_account_restriction", "account_type",
        "decision_ground_reference_url", "incompatible_content_illegal", "category_addition",
        "category_specification_other", "content_type_other", "content_language", "content_id_ean",
        "source_identity",
    ]

    public static let decisions = RecordSchema(kind: .decisions, key: "uuid", columns: [
        ColumnSpec("uuid", .string, required: true),
        ColumnSpec("platform_name", .string, required: true),
        ColumnSpec("platform_uid", .string, inEngine: false),
        ColumnSpec("category", .enumeration(statementCategories), required: true),
        ColumnSpec("category_specification", .jsonSet(prefix: "KEYWORD_")),
        ColumnSpec("content_type", .jsonSet(prefix: "CONTENT_TYPE_")),
        ColumnSpec("decision_visibility", .jsonSet(prefix: "DECISION_VISIBILITY_")),
        ColumnSpec("decision_monetary", .enumeration(decisionMonetary)),
        ColumnSpec("decision_provision", .enumeration(decisionProvision)),
        ColumnSpec("decision_account", .enumeration(decisionAccount)),
        ColumnSpec("decision_ground", .enumeration(decisionGrounds), required: true),
        ColumnSpec("source_type", .enumeration(sourceTypes)),
        ColumnSpec("automated_detection", .bool),
        ColumnSpec("automated_decision", .enumeration(automatedDecisions)),
        ColumnSpec("content_date", .date, format: .dateAtMidnight),
        ColumnSpec("application_date", .date, required: true, format: .dateAtMidnight),
        ColumnSpec("created_at", .timestamp, required: true, format: .utcTimestamp),
        ColumnSpec("territorial_scope", .jsonSet(prefix: nil)),
        // Free text: stored with `tally ingest --keep-text` only.
        ColumnSpec("decision_visibility_other", .string, freeText: true),
        ColumnSpec("illegal_content_legal_ground", .string, freeText: true),
        ColumnSpec("illegal_content_explanation", .string, freeText: true),
        ColumnSpec("incompatible_content_ground", .string, freeText: true),
        ColumnSpec("incompatible_content_explanation", .string, freeText: true),
        ColumnSpec("decision_facts", .string, freeText: true),
    ], detectionColumns: ["uuid", "platform_name", "application_date"],
       ignoredColumns: decisionIgnoredColumns, platformColumn: "platform_name")
}
