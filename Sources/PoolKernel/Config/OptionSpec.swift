import Foundation

/// The type of a configuration option, which decides how its text is parsed.
public enum OptionKind: Sendable, Equatable {
    case string
    case bool
    case int
    case float
    /// Comma-separated; a repeated key appends more values.
    case list
}

/// One option of a program's configuration: its long name (the INI key and `--flag`), optional short
/// flag, type, default and help text. Programs describe their options as data (`[OptionSpec]`).
public struct OptionSpec: Sendable {
    public var name: String
    public var short: Character?
    public var kind: OptionKind
    /// The default as text, parsed like a value from the file (`nil`: no default).
    public var defaultValue: String?
    public var help: String
    /// Secret values are never printed (config dumps, `--help` defaults, logs).
    public var isSecret: Bool
    /// Only meaningful on the command line (`configfile`, `version`, `help`).
    public var commandLineOnly: Bool

    public init(_ name: String, short: Character? = nil, _ kind: OptionKind, default defaultValue: String? = nil,
                secret: Bool = false, commandLineOnly: Bool = false, help: String) {
        self.name = name
        self.short = short
        self.kind = kind
        self.defaultValue = defaultValue
        self.help = help
        self.isSecret = secret
        self.commandLineOnly = commandLineOnly
    }
}

/// Where a value came from, for error messages (`dcrstakepool.conf:12`, `--listen`).
public enum OptionSource: Sendable, Equatable, CustomStringConvertible {
    case defaultValue
    case file(path: String, line: Int)
    case commandLine(flag: String)

    public var description: String {
        switch self {
        case .defaultValue: "default"
        case let .file(path, line): "\((path as NSString).lastPathComponent):\(line)"
        case let .commandLine(flag): flag
        }
    }
}


extension OptionSpec {
    /// `specs` with each name once (the first one wins), in order: a host's options, then its plugins' options,
    /// where several plugins may declare one they share.
    public static func merged(_ specs: [OptionSpec]) -> [OptionSpec] {
        var seen = Set<String>()
        return specs.filter { seen.insert($0.name).inserted }
    }
}
