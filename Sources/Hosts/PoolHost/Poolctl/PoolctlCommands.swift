import PoolKernel

/// The built-in poolctl commands.
public enum PoolctlCommands {
    public static var all: [PoolctlCommand] { [config, ChainCommand.poolctlCommand, db, user, mail] }

    /// Opens the configured storage, runs `body`, and always shuts the storage down.
    static func withStorage(_ context: PoolctlCommand.Context, migrate: Bool,
                            _ body: (any StorageBackend) async -> Int32) async -> Int32 {
        let storage: any StorageBackend
        do {
            storage = try await context.storage()
            if migrate { try await storage.migrate() }
        } catch {
            context.output.err("poolctl: \(ConfigLoader.describe(error))")
            return error is ConfigError ? ExitCode.usage : ExitCode.failure
        }
        let code = await body(storage)
        await storage.shutdown()
        return code
    }

    /// `poolctl mail status|retry`.
    public static let mail = PoolctlCommand(
        name: "mail", summary: "show the mail outbox or retry messages", usage: "mail status | mail retry <id>… | mail retry --failed"
    ) { arguments, context in
        await withStorage(context, migrate: true) { storage in
            await MailCommand.run(arguments, storage: storage, output: context.output)
        }
    }

    /// `poolctl config sample|check`: print a commented sample dcrstakepool.conf, or validate the config.
    public static let config = PoolctlCommand(
        name: "config", summary: "print a sample dcrstakepool.conf, or check the configuration",
        usage: "config sample | config check"
    ) { arguments, context in
        switch arguments.first {
        case "sample":
            context.output.out(SampleConfig.render(WebAppOptions.all, title: "dcrstakepool.conf for hxstakepool (every option)"))
            return ExitCode.ok
        case "check":
            do {
                let config = try context.config()
                try context.plugins.validate(config)
                context.output.out("configuration is valid (network \(config.network.name), storage \(config.storagePlugin), "
                                   + "mail \(config.mailPlugin), wallet \(config.walletPlugin))")
                return ExitCode.ok
            } catch {
                context.output.err("poolctl: \(ConfigLoader.describe(error))")
                return ExitCode.usage
            }
        default:
            context.output.err("poolctl: usage: poolctl config sample | config check")
            return ExitCode.usage
        }
    }
}
