import CSQLite
import Foundation

/// Opens a SQLite file read-only, on its own, the way an operator would (`sqlite3 FILE`), to check a backup.
package enum SQLiteFileCheck {
    /// The first answer of `query` (one column of text or number), or the open/prepare error as text.
    package static func scalar(_ path: String, _ query: String) -> String {
        var db: OpaquePointer?
        defer { sqlite3_close_v2(db) }
        guard sqlite3_open_v2(path, &db, SQLITE_OPEN_READONLY, nil) == SQLITE_OK, let db else {
            return "cannot open \(path)"
        }
        var statement: OpaquePointer?
        defer { sqlite3_finalize(statement) }
        guard sqlite3_prepare_v2(db, query, -1, &statement, nil) == SQLITE_OK else {
            return "error: " + String(cString: sqlite3_errmsg(db))
        }
        guard sqlite3_step(statement) == SQLITE_ROW, let text = sqlite3_column_text(statement, 0) else {
            return "error: " + String(cString: sqlite3_errmsg(db))
        }
        return String(cString: text)
    }

    /// `ok` for a sound database file.
    package static func integrity(_ path: String) -> String { scalar(path, "PRAGMA integrity_check") }
}
