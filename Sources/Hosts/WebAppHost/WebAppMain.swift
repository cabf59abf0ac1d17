import Foundation
import HostKit
import PoolKernel
import PoolSystem
import WebHost

/// The `hxstakepool` executable's whole life: config → logging → plugins → engine services → HTTP,
/// with dcrstakepool's exit codes (webapp spec §10.1; config errors exit 2).
public enum WebAppMain {
    public static let version = PoolVersion.string

    /// - Parameter heapRetention: the sentence of `HeapRetention.apply` when the executable applied it (logged).
    public static func run(arguments: [String], plugins: PoolPlugins = .builtIn(), output: HostOutput = .standard,
                           heapRetention: String? = nil) async -> Int32 {
        let appName = "hxstakepool"
        let loaded: (config: PoolConfig?, result: ConfigLoader.Result, loader: ConfigLoader)
        do {
            loaded = try PoolConfig.load(arguments: arguments, plugins: plugins, hostOptions: WebAppHostOptions.all)
        } catch {
            output.err("\(appName): \(ConfigLoader.describe(error))\nUse \(appName) -h to show usage")
            return ExitCode.usage
        }
        if loaded.result.helpRequested { output.out(loaded.loader.usage()); return ExitCode.ok }
        if loaded.result.versionRequested { output.out("\(appName) version \(version)"); return ExitCode.ok }
        if loaded.result.showSubsystemsRequested {
            output.out(LogSubsystem.listing(PoolConfig.subsystems))
            return ExitCode.ok
        }
        guard let config = loaded.config else { return ExitCode.usage }

        let logs: LogBackend
        do {
            try FileManager.default.createDirectory(atPath: config.homeDir, withIntermediateDirectories: true,
                                                    attributes: [.posixPermissions: 0o700])
            logs = try HostLogging.makeBackend(logDir: config.logDir, fileName: "hxstakepool.log",
                                               debugLevel: config.debugLevel, secrets: config.secrets)
        } catch {
            output.err("\(appName): \(ConfigLoader.describe(error))")
            return ExitCode.usage
        }
        let log = logs.logger("DCRS")
        // SIGHUP reopens the log files until `run` returns.
        let hangup = HostLogging.reopenOnHangup(logs, logger: log)
        log.info("Version: \(version)")
        if let heapRetention { log.info(heapRetention) }
        log.info("Network: \(config.network.name)")
        if let warning = loaded.result.missingConfigFileWarning { log.warn(warning) }
        if config.skipVoteBitsSync { log.info("skipvotebitssync is set: it has no effect (vote bits are per user since v1.1.0)") }

        let app: WebApp
        defer { hangup.cancelAll() }
        do {
            app = try await WebApp.assemble(config: config, plugins: plugins, logs: logs)
        } catch let failure as WebApp.StartupFailure {
            log.critical(failure.message)
            output.err("\(appName): \(failure.message)")
            return failure.exitCode
        } catch {
            log.critical("startup failed: \(ConfigLoader.describe(error))")
            output.err("\(appName): \(ConfigLoader.describe(error))")
            return ExitCode.failure
        }
        return await app.runUntilSignalled()
    }
}
