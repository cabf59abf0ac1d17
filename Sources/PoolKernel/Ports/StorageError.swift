/// A storage failure: a stable code and one sentence for operators. Messages never contain bound values that could
/// be secret (passwords, tokens); they name the table/column and the kind of problem.
public struct StorageError: CodedError, Equatable {
    /// Storage error codes (nested so other modules' codes never clash).
    public struct Code: RawRepresentable, Hashable, Sendable, CustomStringConvertible {
        public let rawValue: String
        public init(rawValue: String) { self.rawValue = rawValue }
        public var description: String { rawValue }

        /// A unique value (email, token, session id, message id) already exists. Nothing was written.
        public static let duplicate = Code(rawValue: "duplicate")
        /// The row to update or delete does not exist.
        public static let notFound = Code(rawValue: "not-found")
        /// The database cannot be reached (connection refused, lost, server restarting). Safe to retry later.
        public static let unavailable = Code(rawValue: "unavailable")
        /// A concurrent transaction won (deadlock or serialization failure that persisted after retries).
        public static let conflict = Code(rawValue: "conflict")
        /// The database is locked by another process longer than the busy timeout.
        public static let busy = Code(rawValue: "busy")
        /// The disk or database is full. The database stays intact.
        public static let full = Code(rawValue: "full")
        /// The database schema is newer than this binary knows; refusing to touch it.
        public static let schemaTooNew = Code(rawValue: "schema-too-new")
        /// The schema is missing or not migrated (run `poolctl db migrate`).
        public static let schemaMissing = Code(rawValue: "schema-missing")
        /// A value breaks a storage limit (too long, NUL byte, out of range).
        public static let invalidInput = Code(rawValue: "invalid-input")
        /// The stored data cannot be read (corrupt file, unexpected column type).
        public static let corrupt = Code(rawValue: "corrupt")
        /// The backend was shut down.
        public static let closed = Code(rawValue: "closed")
        /// A restore was asked of a database that already holds rows. Nothing was written.
        public static let notEmpty = Code(rawValue: "not-empty")
        /// Any other engine error (message carries the engine's text, without bound values).
        public static let engine = Code(rawValue: "engine")
    }

    public let code: Code
    public let message: String

    public init(_ code: Code, _ message: String) {
        self.code = code
        self.message = message
    }

    public var codeName: String { code.rawValue }
    public static func == (lhs: StorageError, rhs: StorageError) -> Bool { lhs.code == rhs.code }
}
