import Foundation
import Synchronization

/// Log levels, dcrstakepool/btclog style: the tag is what appears in a line (`[INF]`).
public enum LogLevel: Int, Comparable, Sendable, CaseIterable {
    case trace, debug, info, warn, error, critical, off

    public var tag: String {
        switch self {
        case .trace: "TRC"
        case .debug: "DBG"
        case .info: "INF"
        case .warn: "WRN"
        case .error: "ERR"
        case .critical: "CRT"
        case .off: "OFF"
        }
    }

    /// Parses the names `debuglevel` accepts (trace, debug, info, warn, error, critical, off).
    public init?(name: String) {
        switch name.lowercased() {
        case "trace", "trc": self = .trace
        case "debug", "dbg": self = .debug
        case "info", "inf": self = .info
        case "warn", "wrn", "warning": self = .warn
        case "error", "err": self = .error
        case "critical", "crt": self = .critical
        case "off": self = .off
        default: return nil
        }
    }

    public static func < (lhs: LogLevel, rhs: LogLevel) -> Bool { lhs.rawValue < rhs.rawValue }
}

/// Where finished log lines go (stdout, a rotating file, a test capture).
///
/// Implementation requirements: `write` is called from any thread and must not block for long;
/// the line has no trailing newline (a block's continuation lines are joined by `\n` in one write, so a
/// file gets a block whole). `reopen` is called on SIGHUP (after logrotate moved the file away).
public protocol LogSink: Sendable {
    func write(_ line: String)
    func reopen()
}

extension LogSink {
    public func reopen() {}
}

/// Shared state behind every `Logger` of one process (or one test): levels per subsystem, sinks,
/// and the secrets that must never reach a sink. Hosts create one and hand loggers out of it.
public final class LogBackend: Sendable {
    private struct State {
        var defaultLevel: LogLevel
        var levels: [String: LogLevel] = [:]
        var sinks: [any LogSink]
        var secrets: [String] = []
    }
    private let state: Mutex<State>

    public init(level: LogLevel = .info, sinks: [any LogSink] = [StandardOutputSink()]) {
        state = Mutex(State(defaultLevel: level, sinks: sinks))
    }

    /// A logger for one subsystem (4-letter upper-case tag by convention, e.g. `POOL`).
    public func logger(_ subsystem: String) -> Logger { Logger(subsystem: subsystem, backend: self) }

    public func setLevel(_ level: LogLevel, for subsystem: String? = nil) {
        state.withLock { state in
            if let subsystem { state.levels[subsystem] = level } else { state.defaultLevel = level; state.levels = [:] }
        }
    }

    public func level(for subsystem: String) -> LogLevel {
        state.withLock { $0.levels[subsystem] ?? $0.defaultLevel }
    }

    public func addSink(_ sink: any LogSink) { state.withLock { $0.sinks.append(sink) } }

    /// Reopens every file sink at its path (SIGHUP, for logrotate).
    public func reopenSinks() {
        for sink in state.withLock({ $0.sinks }) { sink.reopen() }
    }

    /// Registers a value (password, API secret, token) that is replaced by `***` in every line written
    /// from now on. Values shorter than 4 characters are ignored (they would mangle ordinary text).
    public func registerSecret(_ secret: String) {
        guard secret.count >= 4 else { return }
        state.withLock { state in
            if !state.secrets.contains(secret) { state.secrets.append(secret) }
        }
    }

    /// Writes one entry: secrets replaced, then every line escaped (`LogText`), so no text that reaches a log —
    /// whoever supplied it — can end the entry or forge another. Lines after the first are indented continuation
    /// lines of the same entry.
    func emit(level: LogLevel, subsystem: String, lines: [String]) {
        let (sinks, secrets) = state.withLock { ($0.sinks, $0.secrets) }
        let safe = lines.map { line in
            var text = line
            for secret in secrets where text.contains(secret) {
                text = text.replacingOccurrences(of: secret, with: "***")
            }
            return LogText.escaped(text)
        }
        var entry = "\(LogTimestamp.now()) [\(level.tag)] \(subsystem): \(safe.first ?? "")"
        for continuation in safe.dropFirst() { entry += "\n    " + continuation }
        for sink in sinks { sink.write(entry) }
    }
}

/// A subsystem logger. Cheap to copy; messages are built only when the level is enabled.
///
/// Library code takes a `Logger` as a parameter and never creates its own backend.
public struct Logger: Sendable {
    public let subsystem: String
    public let backend: LogBackend

    public init(subsystem: String, backend: LogBackend) {
        self.subsystem = subsystem
        self.backend = backend
    }

    /// A logger that writes nowhere, for tests and defaults.
    public static var disabled: Logger { LogBackend(level: .off, sinks: []).logger("NONE") }

    public func isEnabled(_ level: LogLevel) -> Bool { level >= backend.level(for: subsystem) && level != .off }

    /// Logs one line; control characters and newlines in `message` are escaped.
    public func log(_ level: LogLevel, _ message: @autoclosure () -> String) {
        guard isEnabled(level) else { return }
        backend.emit(level: level, subsystem: subsystem, lines: [message()])
    }

    /// Logs a block meant to span lines (an email written to the log): the first line, then each further line
    /// indented under it; each line is escaped on its own.
    public func log(_ level: LogLevel, lines: @autoclosure () -> [String]) {
        guard isEnabled(level) else { return }
        backend.emit(level: level, subsystem: subsystem, lines: lines())
    }

    public func trace(_ message: @autoclosure () -> String) { log(.trace, message()) }
    public func debug(_ message: @autoclosure () -> String) { log(.debug, message()) }
    public func info(_ message: @autoclosure () -> String) { log(.info, message()) }
    public func warn(_ message: @autoclosure () -> String) { log(.warn, message()) }
    public func error(_ message: @autoclosure () -> String) { log(.error, message()) }
    public func critical(_ message: @autoclosure () -> String) { log(.critical, message()) }

    /// Same backend, another subsystem.
    public func with(subsystem: String) -> Logger { Logger(subsystem: subsystem, backend: backend) }
}
