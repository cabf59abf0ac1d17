/// A configuration problem: one sentence naming the option (and file:line where there is one).
/// Hosts print it and exit with status 2.
public struct ConfigError: CodedError, Equatable {
    public typealias Code = ErrorCode
    public let code: Code
    public let message: String
    public let file: String
    public let line: Int

    public init(_ code: Code, _ message: String, file: String = #fileID, line: Int = #line) {
        self.code = code
        self.message = message
        self.file = file
        self.line = line
    }

    public var codeName: String { code.rawValue }
    public static func == (lhs: ConfigError, rhs: ConfigError) -> Bool { lhs.code == rhs.code }
}

extension ErrorCode {
    public static let unknownOption: ErrorCode = "unknown-option"
    public static let badValue: ErrorCode = "bad-value"
    public static let missingOption: ErrorCode = "missing-option"
    public static let unreadableFile: ErrorCode = "unreadable-file"
    public static let badSection: ErrorCode = "bad-section"
    public static let badSyntax: ErrorCode = "bad-syntax"
    public static let conflict: ErrorCode = "conflict"
    public static let unknownPlugin: ErrorCode = "unknown-plugin"
    public static let helpRequested: ErrorCode = "help-requested"
}
