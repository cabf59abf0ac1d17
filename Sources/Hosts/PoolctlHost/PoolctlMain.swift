import Foundation
import HostKit
import PoolKernel

/// `poolctl [-C dcrstakepool.conf] [--option=value …] <command> [arguments]`: the operator CLI.
/// Global options are the web app's (same config file); each command prints one clear sentence and exits
/// 2 on bad usage.
public enum PoolctlMain {
    public static func run(arguments: [String], commands: [PoolctlCommand] = PoolctlCommands.all,
                           plugins: PoolPlugins = .builtIn(), output: HostOutput = .standard,
                           home: String = PoolConfig.defaultHome()) async -> Int32 {
        // dev22: `poolctl dev …` (and only it) reads make run's run/dev.conf when no -C is given.
        let specs = WebAppHostOptions.options(plugins: plugins) + [SimwalletControl.nodeOption]
        let devFile = DevCommand.defaultConfigFile(for: arguments, specs: specs)
        var loader = ConfigLoader(specs: specs, appName: "poolctl", defaultConfigFile: devFile ?? home + "/dcrstakepool.conf")
        loader.allowsArguments = true
        let parsed: ConfigLoader.Result
        do {
            parsed = try loader.load(arguments)
        } catch {
            output.err("poolctl: \(ConfigLoader.describe(error))")
            return ExitCode.usage
        }
        // The one version string of every program (issue 18 item 6).
        if parsed.versionRequested, !parsed.helpRequested {
            output.out("poolctl version \(PoolVersion.string)")
            return ExitCode.ok
        }
        if let devFile, parsed.configFile == nil, !parsed.helpRequested {
            output.err("poolctl: \(devFile) does not exist: start the dev stack with `make run` (it writes the file), "
                       + "or name a configuration with -C")
            return ExitCode.usage
        }
        guard !parsed.helpRequested, let name = parsed.arguments.first else {
            output.out(usage(commands))
            return parsed.helpRequested ? ExitCode.ok : ExitCode.usage
        }
        guard let command = commands.first(where: { $0.name == name }) else {
            output.err("poolctl: unknown command \"\(name)\" (commands: \(commands.map(\.name).joined(separator: ", ")))")
            return ExitCode.usage
        }
        // Commands log quietly (warnings and worse) to stderr; their results go to stdout.
        let logs = LogBackend(level: .warn, sinks: [StandardErrorSink()])
        let configOnce = LockedValue<PoolConfig?>(nil)
        let loadConfig: @Sendable () throws -> PoolConfig = {
            if let config = configOnce.value { return config }
            let config = try PoolConfig(values: parsed.values, home: home, configFile: parsed.configFile, plugins: plugins)
            for secret in config.secrets { logs.registerSecret(secret) }
            configOnce.withLock { $0 = config }
            return config
        }
        // Storage needs only the database options (`poolctl db migrate` runs before wallets or certificates exist).
        let loadDatabaseConfig: @Sendable () throws -> PoolConfig = {
            if let config = configOnce.value { return config }
            let config = try PoolConfig(values: parsed.values, home: home, configFile: parsed.configFile, plugins: plugins,
                                        scope: .database)
            for secret in config.secrets { logs.registerSecret(secret) }
            return config
        }
        let context = PoolctlCommand.Context(
            output: output, config: loadConfig,
            storage: {
                let config = try loadDatabaseConfig()
                try FileManager.default.createDirectory(atPath: config.dataDir, withIntermediateDirectories: true,
                                                        attributes: [.posixPermissions: 0o700])
                return try plugins.storage.make(config.storagePlugin, config.pluginContext(logs: logs))
            },
            plugins: plugins, logs: logs)
        return await command.run(Array(parsed.arguments.dropFirst()), context)
    }

    static func usage(_ commands: [PoolctlCommand]) -> String {
        var lines = ["Usage: poolctl [-C dcrstakepool.conf] [--option=value ...] <command> [arguments]", "", "Commands:"]
        for command in commands {
            lines.append("  " + command.name.padding(toLength: 10, withPad: " ", startingAt: 0) + command.summary)
            lines.append("             " + command.usage)
        }
        return lines.joined(separator: "\n")
    }
}

/// Writes each log line to standard error (CLI tools keep stdout for results).
public struct StandardErrorSink: LogSink {
    public init() {}
    public func write(_ line: String) { FileHandle.standardError.write(Data((line + "\n").utf8)) }
}
