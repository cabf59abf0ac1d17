import CSQLite
import Foundation
import PoolKernel
import SQLStorageBase

/// The current row of a stepped statement, read column by column without building a `[SQLValue]` per row (a
/// user look-up reads 15 columns). Valid only until the statement steps again; each column converts through
/// `SQLValue`, so the rules are the same as for kept rows.
struct SQLiteRow: SQLRow {
    let statement: OpaquePointer

    var columnCount: Int { Int(sqlite3_column_count(statement)) }
    func int64(_ column: Int) -> Int64 { value(column).int64 }
    func string(_ column: Int) -> String { value(column).string }

    /// The column as the engine stored it.
    func value(_ column: Int) -> SQLValue {
        let index = Int32(column)
        switch sqlite3_column_type(statement, index) {
        case SQLITE_INTEGER: return .integer(sqlite3_column_int64(statement, index))
        case SQLITE_FLOAT: return .integer(Self.integer(sqlite3_column_double(statement, index)))
        case SQLITE_TEXT:
            guard let text = sqlite3_column_text(statement, index) else { return .text("") }
            let count = Int(sqlite3_column_bytes(statement, index))
            return .text(String(decoding: UnsafeBufferPointer(start: text, count: count), as: UTF8.self))
        case SQLITE_BLOB:
            let count = Int(sqlite3_column_bytes(statement, index))
            guard count > 0, let bytes = sqlite3_column_blob(statement, index) else { return .blob(Data()) }
            return .blob(Data(bytes: bytes, count: count))
        default: return .null
        }
    }

    /// Our columns hold integers; a REAL that slipped in reads truncated, and one no integer can hold (NaN, ±inf,
    /// out of range) as 0 instead of trapping.
    private static func integer(_ value: Double) -> Int64 { Int64(exactly: value.rounded(.towardZero)) ?? 0 }
}
