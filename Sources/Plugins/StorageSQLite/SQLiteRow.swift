import CSQLite
import Foundation
import PoolKernel

/// The current row of a stepped statement, read column by column without building `SQLValue`s (a user look-up
/// reads 15 columns). Valid only until the statement steps again; conversions are `SQLValue`'s.
struct SQLiteRow: SQLRow {
    let statement: OpaquePointer

    var columnCount: Int { Int(sqlite3_column_count(statement)) }

    func int64(_ column: Int) -> Int64 {
        let index = Int32(column)
        switch sqlite3_column_type(statement, index) {
        case SQLITE_INTEGER: return sqlite3_column_int64(statement, index)
        case SQLITE_FLOAT: return Self.integer(sqlite3_column_double(statement, index))
        case SQLITE_TEXT: return Int64(text(index)) ?? 0
        default: return 0
        }
    }

    func string(_ column: Int) -> String {
        let index = Int32(column)
        switch sqlite3_column_type(statement, index) {
        case SQLITE_TEXT: return text(index)
        case SQLITE_BLOB:
            let count = Int(sqlite3_column_bytes(statement, index))
            guard count > 0, let bytes = sqlite3_column_blob(statement, index) else { return "" }
            return String(decoding: UnsafeRawBufferPointer(start: bytes, count: count), as: UTF8.self)
        case SQLITE_INTEGER: return String(sqlite3_column_int64(statement, index))
        case SQLITE_FLOAT: return String(Self.integer(sqlite3_column_double(statement, index)))
        default: return ""
        }
    }

    /// The column as `SQLValue` (for callers that keep rows).
    func value(_ column: Int) -> SQLValue {
        let index = Int32(column)
        switch sqlite3_column_type(statement, index) {
        case SQLITE_INTEGER: return .integer(sqlite3_column_int64(statement, index))
        case SQLITE_FLOAT: return .integer(Self.integer(sqlite3_column_double(statement, index)))
        case SQLITE_TEXT: return .text(text(index))
        case SQLITE_BLOB:
            let count = Int(sqlite3_column_bytes(statement, index))
            guard count > 0, let bytes = sqlite3_column_blob(statement, index) else { return .blob(Data()) }
            return .blob(Data(bytes: bytes, count: count))
        default: return .null
        }
    }

    private func text(_ index: Int32) -> String {
        guard let text = sqlite3_column_text(statement, index) else { return "" }
        let count = Int(sqlite3_column_bytes(statement, index))
        return String(decoding: UnsafeBufferPointer(start: text, count: count), as: UTF8.self)
    }

    /// Our columns hold integers; a REAL that slipped in reads truncated, and one no integer can hold (NaN, ±inf,
    /// out of range) as 0 instead of trapping.
    private static func integer(_ value: Double) -> Int64 { Int64(exactly: value.rounded(.towardZero)) ?? 0 }
}
