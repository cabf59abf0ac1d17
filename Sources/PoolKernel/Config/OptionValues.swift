/// The raw text values of a program's options after defaults, the file and the command line were
/// applied in that order, with where each came from. Typed configs read from it.
public struct OptionValues: Sendable {
    public struct Value: Sendable, Equatable {
        /// For lists: every item, in order; otherwise one element.
        public var items: [String]
        public var source: OptionSource
        /// Where each item came from (a repeated list key adds items from another line).
        public var itemSources: [OptionSource] = []
    }

    public let specs: [String: OptionSpec]
    private(set) var values: [String: Value] = [:]

    public init(specs: [OptionSpec]) {
        var table: [String: OptionSpec] = [:]
        for spec in specs { table[spec.name] = spec }
        self.specs = table
        for spec in specs {
            if let value = spec.defaultValue {
                let items = OptionValues.split(value, kind: spec.kind)
                values[spec.name] = Value(items: items, source: .defaultValue,
                                          itemSources: Array(repeating: .defaultValue, count: items.count))
            }
        }
    }

    /// Sets (or, for lists coming from the same kind of source, appends to) an option.
    public mutating func set(_ name: String, _ text: String, source: OptionSource) throws {
        guard let spec = specs[name] else { throw ConfigError(.unknownOption, "unknown option \(name)") }
        try OptionValues.validate(text, spec: spec, source: source)
        let items = OptionValues.split(text, kind: spec.kind)
        if let existing = values[name], existing.source.sameKind(as: source), source != .defaultValue {
            // A list option repeated adds items; any other option set twice in the file is a mistake (which line
            // wins would be a silent guess). On the command line the last flag wins, as go-flags does, so a wrapper
            // script can append overrides.
            guard spec.kind == .list || !source.isFile else {
                throw ConfigError(.conflict, "\(source): option \(name) is set twice (also at \(existing.source)); keep one")
            }
            values[name] = spec.kind == .list
                ? Value(items: existing.items + items, source: existing.source,
                        itemSources: existing.itemSources + Array(repeating: source, count: items.count))
                : Value(items: items, source: source, itemSources: [source])
        } else {
            values[name] = Value(items: items, source: source, itemSources: Array(repeating: source, count: items.count))
        }
    }

    public func value(_ name: String) -> Value? { values[name] }
    public func isSet(_ name: String) -> Bool { values[name].map { $0.source != .defaultValue } ?? false }

    public func string(_ name: String) -> String { values[name]?.items.first ?? "" }
    public func list(_ name: String) -> [String] { values[name]?.items ?? [] }
    public func bool(_ name: String) -> Bool { OptionValues.parseBool(string(name)) ?? false }
    public func int(_ name: String) -> Int { Int(string(name)) ?? 0 }
    public func double(_ name: String) -> Double { Double(string(name)) ?? 0 }
    public func source(_ name: String) -> OptionSource { values[name]?.source ?? .defaultValue }
    /// Every non-empty value of a secret option (`OptionSpec(secret: true)`), for the log backend to redact.
    public var secrets: [String] {
        specs.values.filter(\.isSecret).flatMap { list($0.name) }.filter { !$0.isEmpty }
    }
    /// A list's items with the line (or flag) each came from.
    public func entries(_ name: String) -> [(item: String, source: OptionSource)] {
        guard let value = values[name] else { return [] }
        return value.items.enumerated().map { ($1, $0 < value.itemSources.count ? value.itemSources[$0] : value.source) }
    }

    // MARK: - Parsing rules

    /// go-flags booleans: empty, 1/t/T/TRUE/true/True are true; 0/f/F/FALSE/false/False false.
    public static func parseBool(_ text: String) -> Bool? {
        switch text {
        case "", "1", "t", "T", "TRUE", "true", "True": true
        case "0", "f", "F", "FALSE", "false", "False": false
        default: nil
        }
    }

    static func split(_ text: String, kind: OptionKind) -> [String] {
        guard kind == .list else { return [text] }
        if text.isEmpty { return [] }
        return text.split(separator: ",", omittingEmptySubsequences: false).map { String($0) }
    }

    static func validate(_ text: String, spec: OptionSpec, source: OptionSource) throws {
        let where_ = source == .defaultValue ? "" : "\(source): "
        switch spec.kind {
        case .bool:
            if parseBool(text) == nil {
                throw ConfigError(.badValue, "\(where_)option \(spec.name) must be true or false, not \"\(text)\"")
            }
        case .int:
            if Int(text) == nil {
                throw ConfigError(.badValue, "\(where_)option \(spec.name) must be a whole number, not \"\(text)\"")
            }
        case .float:
            if Double(text) == nil || !(Double(text)?.isFinite ?? false) {
                throw ConfigError(.badValue, "\(where_)option \(spec.name) must be a number, not \"\(text)\"")
            }
        case .string, .list:
            if text.unicodeScalars.contains(where: { $0.value == 0 }) {
                throw ConfigError(.badValue, "\(where_)option \(spec.name) contains a NUL byte")
            }
        }
    }
}

extension OptionSource {
    var isFile: Bool {
        if case .file = self { return true }
        return false
    }

    func sameKind(as other: OptionSource) -> Bool {
        switch (self, other) {
        case (.defaultValue, .defaultValue), (.file, .file), (.commandLine, .commandLine): true
        default: false
        }
    }
}
