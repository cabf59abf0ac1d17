/// The data a template sees: strings, numbers, booleans, lists, dictionaries, and trusted HTML.
///
/// Everything is HTML-escaped on output except `.html`, which a handler uses only for markup it built itself.
public enum TemplateValue: Sendable, Equatable, ExpressibleByStringLiteral, ExpressibleByIntegerLiteral,
    ExpressibleByBooleanLiteral, ExpressibleByArrayLiteral, ExpressibleByDictionaryLiteral {
    case null
    case string(String)
    case int(Int64)
    case double(Double)
    case bool(Bool)
    case list([TemplateValue])
    case dict([String: TemplateValue])
    /// Markup that is written as is (trusted: built by our code, never from user input).
    case html(String)

    public init(stringLiteral value: String) { self = .string(value) }
    public init(integerLiteral value: Int) { self = .int(Int64(value)) }
    public init(booleanLiteral value: Bool) { self = .bool(value) }
    public init(arrayLiteral elements: TemplateValue...) { self = .list(elements) }
    public init(dictionaryLiteral elements: (String, TemplateValue)...) {
        self = .dict(Dictionary(elements, uniquingKeysWith: { _, last in last }))
    }

    /// Go-template truthiness: false, 0, "", empty list/dict and null are false.
    public var isTruthy: Bool {
        switch self {
        case .null: false
        case let .string(text), let .html(text): !text.isEmpty
        case let .int(value): value != 0
        case let .double(value): value != 0
        case let .bool(value): value
        case let .list(items): !items.isEmpty
        case let .dict(entries): !entries.isEmpty
        }
    }

    /// The text written for this value (before escaping).
    public var text: String {
        switch self {
        case .null: ""
        case let .string(text), let .html(text): text
        case let .int(value): String(value)
        case let .double(value): value == value.rounded() && abs(value) < 1e15 ? String(Int64(value)) : String(value)
        case let .bool(value): value ? "true" : "false"
        case let .list(items): items.map(\.text).joined(separator: " ")
        case .dict: ""
        }
    }

    subscript(key: String) -> TemplateValue {
        if case let .dict(entries) = self { return entries[key] ?? .null }
        if case let .list(items) = self {
            if key == "count" { return .int(Int64(items.count)) }
            if let index = Int(key), items.indices.contains(index) { return items[index] }
        }
        return .null
    }

    /// Equality as templates compare: numbers by value, everything else by text.
    func matches(_ other: TemplateValue) -> Bool {
        switch (self, other) {
        case let (.int(a), .int(b)): a == b
        case let (.int(a), .double(b)), let (.double(b), .int(a)): Double(a) == b
        case let (.double(a), .double(b)): a == b
        case let (.bool(a), .bool(b)): a == b
        case (.null, .null): true
        default: text == other.text
        }
    }
}

