/// Where a database's schema stands compared with what this binary knows.
public struct SchemaStatus: Hashable, Sendable {
    /// One versioned migration.
    public struct Migration: Hashable, Sendable {
        public var version: Int
        public var name: String
        public init(version: Int, name: String) {
            self.version = version
            self.name = name
        }
    }

    /// Highest version applied to the database (0: nothing of ours yet).
    public var currentVersion: Int
    /// Highest version this binary knows.
    public var latestVersion: Int
    /// Known migrations not yet applied, in order.
    public var pending: [Migration]
    /// Engine name and server version, for operators (e.g. `sqlite 3.40.1`, `mysql 10.11.19-MariaDB`).
    public var engine: String

    public init(currentVersion: Int, latestVersion: Int, pending: [Migration], engine: String) {
        self.currentVersion = currentVersion
        self.latestVersion = latestVersion
        self.pending = pending
        self.engine = engine
    }

    public var isUpToDate: Bool { currentVersion == latestVersion }
    public var isTooNew: Bool { currentVersion > latestVersion }
}
