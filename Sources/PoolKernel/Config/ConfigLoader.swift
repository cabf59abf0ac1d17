import Foundation

/// Builds `OptionValues` the way dcrstakepool does: defaults, then the config file, then the command
/// line (which wins). `-h/--help` and `-V/--version` are reported, not acted on.
///
/// ```swift
/// let loaded = try ConfigLoader(specs: WebAppOptions.all, appName: "hxstakepool",
///                               defaultConfigFile: home + "/dcrstakepool.conf").load(CommandLine.arguments.dropFirst())
/// ```
public struct ConfigLoader: Sendable {
    public struct Result: Sendable {
        public var values: OptionValues
        public var helpRequested = false
        public var versionRequested = false
        /// The config file that was read, or `nil` when it was skipped.
        public var configFile: String?
        /// Set when the config file did not exist (dcrstakepool logs this as a warning, not an error).
        public var missingConfigFileWarning: String?
        /// Arguments after the options, when `allowsArguments` is on (poolctl's subcommands).
        public var arguments: [String] = []
        /// `debuglevel=show`: the program lists its log subsystems and exits, whatever else is (not yet) configured.
        public var showSubsystemsRequested: Bool { values.string("debuglevel") == "show" }
    }

    public let specs: [OptionSpec]
    public let appName: String
    public let defaultConfigFile: String
    /// Whether positional arguments end the options (poolctl) instead of being an error.
    public var allowsArguments = false
    /// Reads a file; tests inject a fake. Returns nil when the file does not exist.
    public var readFile: @Sendable (String) throws -> String? = ConfigLoader.readFileFromDisk

    public init(specs: [OptionSpec], appName: String, defaultConfigFile: String) {
        self.specs = specs
        self.appName = appName
        self.defaultConfigFile = defaultConfigFile
    }

    public func load<Args: Sequence>(_ arguments: Args) throws -> Result where Args.Element == String {
        let args = Array(arguments)
        // 1. Pre-parse the command line for -C/-h/-V (and to validate it early).
        var flags = OptionValues(specs: specs)
        var result = Result(values: flags)
        result.arguments = try applyCommandLine(args, to: &flags, result: &result)
        if result.helpRequested || result.versionRequested { result.values = flags; return result }

        // 2. The config file: skipped only for --simnet with the default file, as dcrstakepool.
        var values = OptionValues(specs: specs)
        let configFile = flags.isSet("configfile") ? ConfigLoader.expand(flags.string("configfile")) : defaultConfigFile
        let skipFile = flags.isSet("simnet") && flags.bool("simnet") && !flags.isSet("configfile")
        if !skipFile {
            let text: String?
            do {
                text = try readFile(configFile)
            } catch {
                throw ConfigError(.unreadableFile, "cannot read config file \(configFile): \(ConfigLoader.reason(error))")
            }
            if let text {
                try apply(file: text, path: configFile, to: &values)
                result.configFile = configFile
            } else if flags.isSet("configfile") {
                throw ConfigError(.unreadableFile, "config file \(configFile) does not exist")
            } else {
                result.missingConfigFileWarning = "open \(configFile): no such file or directory"
            }
        }
        // 3. The command line again, over the file.
        var ignored = Result(values: values)
        _ = try applyCommandLine(args, to: &values, result: &ignored)
        result.values = values
        return result
    }

    // MARK: - File

    func apply(file text: String, path: String, to values: inout OptionValues) throws {
        for entry in try INIParser().parse(text, path: path) {
            let source = OptionSource.file(path: path, line: entry.line)
            guard let spec = specs.first(where: { $0.name == entry.key })
                    ?? specs.first(where: { $0.name.lowercased() == entry.key.lowercased() }) else {
                throw ConfigError(.unknownOption, "\(source): unknown option \"\(entry.key)\"\(suggestion(for: entry.key))")
            }
            guard !spec.commandLineOnly else {
                throw ConfigError(.unknownOption, "\(source): option \(spec.name) is accepted on the command line only "
                                  + "(--\(spec.name)), not in the config file")
            }
            try values.set(spec.name, entry.value, source: source)
        }
    }

    // MARK: - Command line

    private func applyCommandLine(_ args: [String], to values: inout OptionValues, result: inout Result) throws -> [String] {
        var index = 0
        while index < args.count {
            let arg = args[index]
            index += 1
            if arg == "--" { return Array(args[index...]) }
            guard arg.hasPrefix("-"), arg.count > 1 else {
                if allowsArguments { return Array(args[(index - 1)...]) }
                throw ConfigError(.badSyntax, "unexpected argument \"\(arg)\" (options are written --name=value)")
            }
            var name: String
            var inlineValue: String?
            if arg.hasPrefix("--") {
                let body = arg.dropFirst(2)
                if let eq = body.firstIndex(of: "=") {
                    name = String(body[..<eq]); inlineValue = String(body[body.index(after: eq)...])
                } else {
                    name = String(body)
                }
            } else {
                let body = arg.dropFirst()
                guard let letter = body.first, let spec = specs.first(where: { $0.short == letter }) ?? shortBuiltin(letter) else {
                    throw ConfigError(.unknownOption, "unknown flag \(arg)")
                }
                name = spec.name
                let rest = body.dropFirst()
                if !rest.isEmpty { inlineValue = rest.hasPrefix("=") ? String(rest.dropFirst()) : String(rest) }
            }
            if name == "help" { result.helpRequested = true; continue }
            guard let spec = specs.first(where: { $0.name == name }) ?? specs.first(where: { $0.name == name.lowercased() }) else {
                throw ConfigError(.unknownOption, "unknown flag --\(name)\(suggestion(for: name))")
            }
            let flag = "--\(spec.name)"
            let text: String
            if let inlineValue {
                text = inlineValue
            } else if spec.kind == .bool {
                text = "true"
            } else {
                guard index < args.count else {
                    throw ConfigError(.badValue, "flag \(flag) needs a value")
                }
                text = args[index]
                index += 1
            }
            if spec.name == "version" { result.versionRequested = OptionValues.parseBool(text) ?? true }
            try values.set(spec.name, text, source: .commandLine(flag: flag))
        }
        return []
    }

    private func shortBuiltin(_ letter: Character) -> OptionSpec? {
        letter == "h" ? OptionSpec("help", .bool, help: "") : nil
    }

    // MARK: - Help

    /// `--help` text: every option with its type, default (secrets hidden) and meaning.
    public func usage() -> String {
        var lines = ["Usage:", "  \(appName) [OPTIONS]", "", "Application Options:"]
        for spec in specs {
            var flag = "      --\(spec.name)"
            if let short = spec.short { flag = "  -\(short), --\(spec.name)" }
            switch spec.kind {
            case .bool: break
            case .list: flag += "="
            default: flag += "="
            }
            var help = spec.help
            if let value = spec.defaultValue, !value.isEmpty, spec.kind != .bool || value != "false" {
                help += spec.isSecret ? " (default: set)" : " (default: \(value))"
            }
            if spec.commandLineOnly { help += " (command line only)" }
            lines.append(flag.padding(toLength: max(flag.count + 1, 30), withPad: " ", startingAt: 0) + help)
        }
        lines.append("")
        lines.append("Help Options:")
        lines.append("  -h, --help".padding(toLength: 30, withPad: " ", startingAt: 0) + "Show this help message")
        return lines.joined(separator: "\n")
    }

    // MARK: - Helpers

    func suggestion(for key: String) -> String {
        let lowered = key.lowercased()
        let limit = max(2, lowered.count / 4)
        // Names whose length differs by more than the limit cannot be within it: skip their quadratic distance
        // (a long unknown key cost ~1 ms; found by Fuzz/Targets/FuzzConfig).
        let best = specs.filter { !$0.commandLineOnly && abs($0.name.count - lowered.count) <= limit }
            .map { ($0.name, EditDistance.between(lowered, $0.name)) }
            .min { $0.1 < $1.1 }
        guard let best, best.1 <= limit else { return "" }
        return " (did you mean \"\(best.0)\"?)"
    }

    /// `~` and `$VAR` expansion, as dcrstakepool does for paths.
    public static func expand(_ path: String, environment: [String: String] = ProcessInfo.processInfo.environment) -> String {
        var expanded = path
        if expanded == "~" || expanded.hasPrefix("~/") {
            expanded = (environment["HOME"] ?? NSHomeDirectory()) + expanded.dropFirst()
        }
        guard expanded.contains("$") else { return expanded }
        var out = ""
        var scalars = Substring(expanded)
        while let dollar = scalars.firstIndex(of: "$") {
            out += scalars[..<dollar]
            var rest = scalars[scalars.index(after: dollar)...]
            var name = ""
            if rest.first == "{", let close = rest.firstIndex(of: "}") {
                name = String(rest[rest.index(after: rest.startIndex)..<close])
                rest = rest[rest.index(after: close)...]
            } else {
                let end = rest.firstIndex { !($0.isLetter || $0.isNumber || $0 == "_") } ?? rest.endIndex
                name = String(rest[..<end])
                rest = rest[end...]
            }
            out += environment[name] ?? ""
            scalars = rest
        }
        return out + scalars
    }

    public static func readFileFromDisk(_ path: String) throws -> String? {
        guard FileManager.default.fileExists(atPath: path) else { return nil }
        let data = try Data(contentsOf: URL(fileURLWithPath: path))
        guard let text = String(data: data, encoding: .utf8) else {
            throw ConfigError(.unreadableFile, "config file \(path) is not UTF-8 text")
        }
        return text
    }

    /// One sentence for an error, as every host prints it: the message of a coded error, else its description.
    public static func describe(_ error: any Error) -> String {
        if let coded = error as? any CodedError { return coded.message }
        return String(describing: error)
    }

    static func reason(_ error: any Error) -> String {
        if let coded = error as? any CodedError { return coded.message }
        return (error as NSError).localizedDescription
    }
}

/// Levenshtein distance, for "did you mean" hints.
enum EditDistance {
    static func between(_ a: String, _ b: String) -> Int {
        let a = Array(a), b = Array(b)
        if a.isEmpty { return b.count }
        if b.isEmpty { return a.count }
        var previous = Array(0...b.count)
        var current = [Int](repeating: 0, count: b.count + 1)
        for i in 1...a.count {
            current[0] = i
            for j in 1...b.count {
                current[j] = min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + (a[i - 1] == b[j - 1] ? 0 : 1))
            }
            swap(&previous, &current)
        }
        return previous[b.count]
    }
}
