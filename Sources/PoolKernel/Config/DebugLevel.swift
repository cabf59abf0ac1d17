/// A parsed `debuglevel`: one level for everything, or `SUBSYS=level,…` pairs (dcrstakepool §10.3).
/// A subsystem may be named by its current tag or by an older name it replaced (`DB` for `STOR`).
public struct DebugLevel: Sendable, Equatable {
    public var defaultLevel: LogLevel = .info
    /// Levels by current subsystem tag.
    public var perSubsystem: [String: LogLevel] = [:]
    /// `debuglevel=show`: list the subsystems and exit.
    public var showSubsystems = false

    public init(defaultLevel: LogLevel = .info, perSubsystem: [String: LogLevel] = [:]) {
        self.defaultLevel = defaultLevel
        self.perSubsystem = perSubsystem
    }

    public static func parse(_ text: String, subsystems: [LogSubsystem]) throws -> DebugLevel {
        if text == "show" { var level = DebugLevel(); level.showSubsystems = true; return level }
        if !text.contains(",") && !text.contains("=") {
            guard let level = LogLevel(name: text), level != .off || text == "off" else {
                throw ConfigError(.badValue, "debuglevel: the specified debug level [\(text)] is invalid")
            }
            return DebugLevel(defaultLevel: level)
        }
        var result = DebugLevel()
        for pair in text.split(separator: ",") {
            let parts = pair.split(separator: "=", omittingEmptySubsequences: false)
            guard parts.count == 2 else {
                throw ConfigError(.badValue, "debuglevel: the specified debug level contains an invalid subsystem/level pair [\(pair)]")
            }
            let name = String(parts[0]), levelName = String(parts[1])
            let targets = subsystems.filter { $0.name == name || $0.aliases.contains(name) }.map(\.name)
            guard !targets.isEmpty else {
                throw ConfigError(.badValue, "debuglevel: the specified subsystem [\(name)] is invalid -- supported subsystems "
                                  + subsystems.map(\.name).sorted().joined(separator: ", "))
            }
            guard let level = LogLevel(name: levelName) else {
                throw ConfigError(.badValue, "debuglevel: the specified debug level [\(levelName)] is invalid")
            }
            for target in targets { result.perSubsystem[target] = level }
        }
        return result
    }

    /// Applies the levels to a log backend.
    public func apply(to backend: LogBackend) {
        backend.setLevel(defaultLevel)
        for (subsystem, level) in perSubsystem { backend.setLevel(level, for: subsystem) }
    }
}
