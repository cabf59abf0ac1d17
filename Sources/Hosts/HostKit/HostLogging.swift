import Foundation
import PoolKernel
import PoolSystem

/// Builds the process's log backend from a config: stdout plus a rotating file in `logdir`, levels from
/// `debuglevel`, and every configured secret registered for redaction before the first line is written.
public enum HostLogging {
    public static func makeBackend(logDir: String, fileName: String, debugLevel: DebugLevel, secrets: [String],
                                   toStdout: Bool = true) throws -> LogBackend {
        var sinks: [any LogSink] = toStdout ? [StandardOutputSink()] : []
        do {
            sinks.append(try RotatingFileSink(directory: logDir, fileName: fileName))
        } catch {
            throw ConfigError(.unreadableFile, "failed to create log file in \(logDir): \(error)")
        }
        let backend = LogBackend(level: debugLevel.defaultLevel, sinks: sinks)
        for secret in secrets { backend.registerSecret(secret) }
        debugLevel.apply(to: backend)
        return backend
    }

    /// logrotate moves the file away and sends SIGHUP: from now on, each SIGHUP reopens the log files at the
    /// configured path (also while the wallets are still being dialled, so it never kills the daemon). The host
    /// keeps the router for as long as it routes the signal.
    public static func reopenOnHangup(_ backend: LogBackend, logger: Logger) -> SignalRouter {
        let hangup = SignalRouter()
        hangup.on(SIGHUP) {
            backend.reopenSinks()
            logger.info("Received SIGHUP: log files reopened")
        }
        return hangup
    }
}

/// Output streams for CLI-style entry points (tests capture them).
public struct HostOutput: Sendable {
    public var out: @Sendable (String) -> Void
    public var err: @Sendable (String) -> Void

    public init(out: @escaping @Sendable (String) -> Void, err: @escaping @Sendable (String) -> Void) {
        self.out = out
        self.err = err
    }

    /// The process's stdout/stderr.
    public static let standard = HostOutput(
        out: { text in FileHandle.standardOutput.write(Data((text.hasSuffix("\n") ? text : text + "\n").utf8)) },
        err: { text in FileHandle.standardError.write(Data((text.hasSuffix("\n") ? text : text + "\n").utf8)) })
}

/// Process exit codes shared by the executables.
public enum ExitCode {
    public static let ok: Int32 = 0
    /// Startup failure not covered below.
    public static let failure: Int32 = 1
    /// Bad configuration or bad command-line usage (one sentence on stderr).
    public static let usage: Int32 = 2
    /// dcrstakepool's codes (webapp spec §10.1).
    public static let controllerInit: Int32 = 3
    public static let walletSync: Int32 = 4
    public static let listen: Int32 = 5
    public static let serve: Int32 = 6
    public static let database: Int32 = 7
    public static let stakepoold: Int32 = 8
    public static let votePrefs: Int32 = 9
}
