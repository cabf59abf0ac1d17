/// A portable backup file that cannot be read: what is wrong and on which line (1-based; 0 for the file as a
/// whole). Nothing has been written to any database when it is thrown.
public struct PortableBackupError: CodedError, Equatable {
    public static let code = "bad-backup"
    public let line: Int
    public let problem: String

    public init(line: Int, _ problem: String) {
        self.line = line
        self.problem = problem
    }

    public var codeName: String { Self.code }
    public var message: String { line > 0 ? "backup line \(line): \(problem)" : "backup: \(problem)" }
}
