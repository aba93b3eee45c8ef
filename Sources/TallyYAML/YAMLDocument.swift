import Foundation
import Yams

/// A YAML mapping read with Yams and checked key by key, so that a mistake in a settings,
/// fine-schedule or chart file is reported as "FILE: key 'x': expected …", never as a crash.
public struct YAMLDocument {
    public let file: String
    public let path: String
    public let map: [String: Any]

    public init(file: String, text: String, path: String = "") throws {
        self.file = file
        self.path = path
        let value: Any?
        do {
            // Composed to nodes first and checked: Yams's constructor traps on a mapping key
            // that is not a scalar (`? [a, b]`, `{[x]: 1}`), found by the fuzzer.
            let node = try Yams.compose(yaml: text)
            if let node { try Self.checkKeys(node, file: file) }
            value = node.map { Constructor.default.any(from: $0) }
        } catch let e as YAMLError {
            throw e
        } catch {
            throw YAMLError(file: file, message: "not valid YAML: \(Self.describe(error))")
        }
        guard let m = value as? [String: Any] else {
            throw YAMLError(file: file, message: "expected a mapping of keys to values at the top")
        }
        map = m
    }

    /// Every mapping key in the tree must be a scalar (Tally's files have only text keys).
    static func checkKeys(_ node: Node, file: String) throws {
        switch node {
        case .scalar, .alias: return
        case .sequence(let seq):
            for item in seq { try checkKeys(item, file: file) }
        case .mapping(let map):
            for (key, value) in map {
                guard case .scalar = key else {
                    let line = key.mark.map { " on line \($0.line)" } ?? ""
                    throw YAMLError(file: file, message: "a key\(line) is not plain text (a list or mapping used as a key)")
                }
                try checkKeys(value, file: file)
            }
        }
    }

    public init(file: String, path: String, map: [String: Any]) {
        self.file = file
        self.path = path
        self.map = map
    }

    public static func read(_ file: String) throws -> YAMLDocument {
        guard let data = FileManager.default.contents(atPath: file) else {
            var isDirectory: ObjCBool = false
            let exists = FileManager.default.fileExists(atPath: file, isDirectory: &isDirectory)
            let why = !exists ? "no such file" : isDirectory.boolValue ? "it is a directory" : "cannot read it"
            // Relative default paths (Charts/…, Data/…) are found from the Tally project folder.
            let hint = !exists && !file.hasPrefix("/") ? " (relative to \(FileManager.default.currentDirectoryPath); run from the Tally folder or give the path)" : ""
            throw YAMLError(file: file, message: why + hint)
        }
        return try YAMLDocument(file: file, text: String(decoding: data, as: UTF8.self))
    }

    public static func describe(_ error: Error) -> String {
        "\(error)".replacingOccurrences(of: "\n", with: " ")
    }

    public func name(_ key: String) -> String { path.isEmpty ? key : path + "." + key }
    public func fail(_ key: String, _ expected: String) -> YAMLError {
        YAMLError(file: file, message: "key '\(name(key))': expected \(expected)")
    }
    /// As `fail`, naming the value found (shortened, on one line).
    public func fail(_ key: String, _ expected: String, got value: Any?) -> YAMLError {
        var text = value.map { v -> String in
            if let d = v as? Double { return d.isNaN ? ".nan" : d.isInfinite ? (d < 0 ? "-.inf" : ".inf") : "\(d)" }
            if let i = v as? Int { return "\(i)" }
            if let t = v as? String { return "'\(t)'" }
            return "\(v)"
        } ?? "null"
        text = text.replacingOccurrences(of: "\n", with: " ")
        if text.count > 60 { text = String(text.prefix(60)) + "…" }
        return YAMLError(file: file, message: "key '\(name(key))': expected \(expected), not \(text)")
    }

    /// Keys other than `allowed` are errors (a misspelt key must not be ignored silently).
    public func only(_ allowed: [String]) throws {
        for k in map.keys.sorted() where !allowed.contains(k) {
            throw YAMLError(file: file, message: "unknown key '\(name(k))'; expected one of: \(allowed.joined(separator: ", "))")
        }
    }

    public func has(_ key: String) -> Bool { map[key] != nil && !(map[key] is NSNull) }

    /// A whole number, within `min...max` when given; the message names the key and the value.
    public func int(_ key: String, min: Int? = nil, max: Int? = nil) throws -> Int? {
        guard has(key) else { return nil }
        guard let v = map[key] as? Int else { throw fail(key, range(min, max, "a whole number"), got: map[key]) }
        if let min, v < min { throw fail(key, range(min, max, "a whole number"), got: v) }
        if let max, v > max { throw fail(key, range(min, max, "a whole number"), got: v) }
        return v
    }

    /// A finite number (not .nan or .inf), within `min...max` when given.
    public func double(_ key: String, min: Double? = nil, max: Double? = nil) throws -> Double? {
        guard has(key) else { return nil }
        let v: Double
        let what = "a number"
        if let i = map[key] as? Int { v = Double(i) } else if let d = map[key] as? Double { v = d } else { throw fail(key, range(min, max, what), got: map[key]) }
        guard v.isFinite else { throw fail(key, range(min, max, "a finite number"), got: v) }
        if let min, v < min { throw fail(key, range(min, max, what), got: v) }
        if let max, v > max { throw fail(key, range(min, max, what), got: v) }
        return v
    }

    public func range<T>(_ min: T?, _ max: T?, _ what: String) -> String {
        switch (min, max) {
        case let (lo?, hi?): return "\(what) from \(lo) to \(hi)"
        case let (lo?, nil): return "\(what) of at least \(lo)"
        case let (nil, hi?): return "\(what) of at most \(hi)"
        default: return what
        }
    }

    public func bool(_ key: String) throws -> Bool? {
        guard has(key) else { return nil }
        guard let v = map[key] as? Bool else { throw fail(key, "true or false") }
        return v
    }

    public func string(_ key: String) throws -> String? {
        guard has(key) else { return nil }
        if let s = map[key] as? String { return s }
        if let i = map[key] as? Int { return String(i) }
        throw fail(key, "text")
    }

    public func strings(_ key: String) throws -> [String]? {
        guard has(key) else { return nil }
        if let s = map[key] as? String { return [s] }
        guard let a = map[key] as? [Any] else { throw fail(key, "a list of texts") }
        return try a.map { v in
            if let s = v as? String { return s }
            throw fail(key, "a list of texts")
        }
    }

    public func mapping(_ key: String) throws -> YAMLDocument? {
        guard has(key) else { return nil }
        guard let m = map[key] as? [String: Any] else { throw fail(key, "a mapping of keys to values") }
        return YAMLDocument(file: file, path: name(key), map: m)
    }

    public func list(_ key: String) throws -> [YAMLDocument]? {
        guard has(key) else { return nil }
        guard let a = map[key] as? [Any] else { throw fail(key, "a list") }
        return try a.enumerated().map { i, v in
            guard let m = v as? [String: Any] else { throw fail(key, "a list of mappings (item \(i + 1))") }
            return YAMLDocument(file: file, path: name(key) + "[\(i + 1)]", map: m)
        }
    }

    public func require<T>(_ key: String, _ value: T?, _ expected: String) throws -> T {
        guard let value else { throw YAMLError(file: file, message: "missing key '\(name(key))' (\(expected))") }
        return value
    }
}

public struct YAMLError: Error, CustomStringConvertible, Equatable {
    public let file: String
    public let message: String

    public init(file: String, message: String) {
        self.file = file
        self.message = message
    }
    public var description: String { "\(file): \(message)" }
}
