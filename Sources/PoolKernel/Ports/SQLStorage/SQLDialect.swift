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

    public init(usesEmailKeyColumn: Bool, lockForUpdate: String, insertIgnore: String, rateCountUpsert: String) {
        self.usesEmailKeyColumn = usesEmailKeyColumn
        self.lockForUpdate = lockForUpdate
        self.insertIgnore = insertIgnore
        self.rateCountUpsert = rateCountUpsert
    }

    public static let sqlite = SQLDialect(
        usesEmailKeyColumn: true, lockForUpdate: "", insertIgnore: "INSERT OR IGNORE",
        rateCountUpsert: """
            INSERT INTO RateCounters (CounterKey, WindowStart, Count) VALUES (?, ?, 1)
            ON CONFLICT (CounterKey) DO UPDATE SET
              Count = CASE WHEN WindowStart = excluded.WindowStart THEN Count + 1 ELSE 1 END,
              WindowStart = excluded.WindowStart
            """)

    public static let mysql = SQLDialect(
        usesEmailKeyColumn: false, lockForUpdate: " FOR UPDATE", insertIgnore: "INSERT IGNORE",
        rateCountUpsert: """
            INSERT INTO RateCounters (CounterKey, WindowStart, Count) VALUES (?, ?, 1)
            ON DUPLICATE KEY UPDATE
              Count = IF(WindowStart = VALUES(WindowStart), Count + 1, 1),
              WindowStart = VALUES(WindowStart)
            """)
}
