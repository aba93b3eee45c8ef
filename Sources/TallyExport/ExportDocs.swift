import TallyCore

/// Names, allowed values and meanings of the exported columns (records.md in words).
public enum ExportDocs {
    public static func typeName(_ k: FieldKind) -> String {
        switch k {
        case .string: return "string"
        case .date: return "date"
        case .timestamp: return "timestamp"
        case .bool: return "bool"
        case .int: return "int"
        case .enumeration: return "enum"
        case .set: return "set"
        }
    }

    public static func values(_ k: FieldKind) -> [String]? {
        switch k {
        case .enumeration(let v), .set(let v): return v
        default: return nil
        }
    }

    public static func meaning(_ kind: RecordKind, _ column: String) -> String {
        switch (kind, column) {
        case (.arrests, "arrest_id"): return "Record key: one row per person arrested."
        case (.arrests, "arrested_on"): return "Date of the arrest (YYYY-MM-DD); decides the period."
        case (.arrests, "agency"): return "Police agency that made the arrest."
        case (.arrests, "offense"): return "Offense: create, distribute, possess, purchase, store, view, blackmail or coerce."
        case (.arrests, "suspect_age"): return "Age of the suspect in years; empty/null when unknown."
        case (.arrests, "victim_minor"): return "Whether any victim was under the minor age limit; null when unknown."
        case (.arrests, "undercover"): return "Whether the arrest came from an undercover investigation (false when not given)."
        case (.arrests, "confessed"): return "Whether the suspect confessed; null when unknown."
        case (.arrests, "proceeds_seized_krw"): return "Criminal proceeds seized, in KRW."
        case (.victims, "victim_id"): return "Pseudonymous key given by the support centre; the only identifier (no names or contacts exist in the data)."
        case (.victims, "contacted_on"): return "Date of first contact with the support centre; decides the period."
        case (.victims, "age"): return "Age in years at first contact; null when unknown."
        case (.victims, "gender"): return "female, male, other or unknown; null when not recorded."
        case (.victims, "channel"): return "How the victim reached the centre: hotline, website, visit or referral."
        case (.victims, "services"): return "Services given, a subset of deletion, counseling, legal, medical, investigation (';'-separated)."
        case (.victims, "region"): return "Region of residence as recorded; null when unknown."
        case (.takedowns, "request_id"): return "Record key: one row per removal request sent to a platform."
        case (.takedowns, "platform"): return "Platform the request was sent to, as named by the regulator."
        case (.takedowns, "platform_origin"): return "domestic or overseas platform; null when unknown."
        case (.takedowns, "content_kind"): return "image, video, link or channel; null when unknown."
        case (.takedowns, "requested_by"): return "Who sent the request: regulator, police, support_centre or victim."
        case (.takedowns, "detected_by"): return "How the content was found: ai, report or monitoring; null when unknown."
        case (.takedowns, "requested_at"): return "When the request was sent (ISO 8601 with the reporting zone's offset); its local date decides the period."
        case (.takedowns, "resolved_at"): return "When the content was removed or blocked, or the refusal sent; null while pending."
        case (.takedowns, "outcome"): return "removed, blocked, refused or pending."
        default: return ""
        }
    }
}
