/// The few places where SQLite and MySQL statements differ for the shared storage code.
public struct SQLDialect: Sendable {
    /// Whether `Users` has an `EmailKey` column holding `EmailKey.fold(Email)` with a unique index (SQLite).
    /// Without it the `Email` column's case-insensitive collation does the comparison (MySQL).
    public var usesEmailKeyColumn: Bool
    /// Appended to SELECTs that pick rows to update (`" FOR UPDATE"` on MySQL).
    public var lockForUpdate: String
    /// `INSERT OR IGNORE` (SQLite) or `INSERT IGNORE` (MySQL).
    public var insertIgnore: String
    /// An upsert of `RateCounters(CounterKey, WindowStart, Count)` from arguments (key, windowStart) that adds one
    /// in the same window and restarts at 1 in a new one.
    public var rateCountUpsert: String
    /// One statement that adds one to `RateCounters` from arguments (key, windowStart, limit) only while the
    /// count of that window is below the limit (a new window restarts at 1). It changed a row (affected rows
    /// > 0) exactly when it counted: the check and the count are one atomic step under the row lock.
    public var rateCountTake: String

    public init(usesEmailKeyColumn: Bool, lockForUpdate: String, insertIgnore: String, rateCountUpsert: String,
                rateCountTake: String) {
        self.usesEmailKeyColumn = usesEmailKeyColumn
        self.lockForUpdate = lockForUpdate
        self.insertIgnore = insertIgnore
        self.rateCountUpsert = rateCountUpsert
        self.rateCountTake = rateCountTake
    }

    public static let sqlite = SQLDialect(
        usesEmailKeyColumn: true, lockForUpdate: "", insertIgnore: "INSERT OR IGNORE",
        rateCountUpsert: """
            INSERT INTO RateCounters (CounterKey, WindowStart, Count) VALUES (?, ?, 1)
            ON CONFLICT (CounterKey) DO UPDATE SET
              Count = CASE WHEN WindowStart = excluded.WindowStart THEN Count + 1 ELSE 1 END,
              WindowStart = excluded.WindowStart
            """,
        // A DO UPDATE whose WHERE is false changes nothing (sqlite3_changes() = 0).
        rateCountTake: """
            INSERT INTO RateCounters (CounterKey, WindowStart, Count) VALUES (?, ?, 1)
            ON CONFLICT (CounterKey) DO UPDATE SET
              Count = CASE WHEN WindowStart = excluded.WindowStart THEN Count + 1 ELSE 1 END,
              WindowStart = excluded.WindowStart
            WHERE WindowStart <> excluded.WindowStart OR Count < ?
            """)

    public static let mysql = SQLDialect(
        usesEmailKeyColumn: false, lockForUpdate: " FOR UPDATE", insertIgnore: "INSERT IGNORE",
        rateCountUpsert: """
            INSERT INTO RateCounters (CounterKey, WindowStart, Count) VALUES (?, ?, 1)
            ON DUPLICATE KEY UPDATE
              Count = IF(WindowStart = VALUES(WindowStart), Count + 1, 1),
              WindowStart = VALUES(WindowStart)
            """,
        // Affected rows: 1 inserted, 2 changed, 0 when the values stayed (at the limit): the client does not
        // set CLIENT_FOUND_ROWS. Assignments run left to right, so `Count` still sees the old `WindowStart`.
        rateCountTake: """
            INSERT INTO RateCounters (CounterKey, WindowStart, Count) VALUES (?, ?, 1)
            ON DUPLICATE KEY UPDATE
              Count = IF(WindowStart = VALUES(WindowStart), IF(Count < ?, Count + 1, Count), 1),
              WindowStart = VALUES(WindowStart)
            """)
}
