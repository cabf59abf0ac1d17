import Foundation

/// A value bound to or read from a SQL statement, for the storage plugins' shared row mapping.
public enum SQLValue: Hashable, Sendable {
    case null
    case integer(Int64)
    case text(String)
    case blob(Data)

    /// Integer value; NULL reads as 0 (old dcrstakepool rows may hold NULLs), text is parsed.
    public var int64: Int64 {
        switch self {
        case .integer(let value): return value
        case .text(let text): return Int64(text) ?? 0
        case .null, .blob: return 0
        }
    }

    /// Text value; NULL reads as `""`, blobs are decoded as UTF-8 (the `Password` column is a blob).
    public var string: String {
        switch self {
        case .text(let text): return text
        case .blob(let data): return String(decoding: data, as: UTF8.self)
        case .integer(let value): return String(value)
        case .null: return ""
        }
    }

    /// Bytes; NULL reads as empty.
    public var data: Data {
        switch self {
        case .blob(let data): return data
        case .text(let text): return Data(text.utf8)
        case .integer, .null: return Data()
        }
    }

    public var isNull: Bool { self == .null }
}
