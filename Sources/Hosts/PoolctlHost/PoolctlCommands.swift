import Foundation
import HostKit
import PoolKernel
import StakepooldHost
import StorageSQLite

/// The built-in poolctl commands.
public enum PoolctlCommands {
    public static var all: [PoolctlCommand] {
        [config, ChainCommand.poolctlCommand, db, userWithToken, mail, wallets, tickets, simulate, DevCommand.poolctlCommand]
    }

    /// `poolctl user …`, with `user token` handled here (it needs the API secret and base URL).
    public static let userWithToken = PoolctlCommand(name: "user", summary: user.summary + "; print or regenerate an API token",
                                                     usage: user.usage + " | user token <email|id> [--regenerate]") { arguments, context in
        guard arguments.first == "token" else { return await user.run(arguments, context) }
        let config: PoolConfig
        do { config = try context.config() } catch {
            context.output.err("poolctl: \(ConfigLoader.describe(error))")
            return ExitCode.usage
        }
        return await withStorage(context, migrate: true) { storage in
            await UserTokenCommand.run(Array(arguments.dropFirst()), storage: storage, config: config, output: context.output)
        }
    }

    /// `poolctl wallets check|sync`: builds the wallet pool from the config and runs the check or the sync.
    public static let wallets = PoolctlCommand(name: "wallets", summary: "check the voting wallets agree, or sync them",
                                               usage: "wallets check | wallets sync") { arguments, context in
        let config: PoolConfig
        do { config = try context.config() } catch {
            context.output.err("poolctl: \(ConfigLoader.describe(error))")
            return ExitCode.usage
        }
        guard config.apiFronts.servesLegacy else {
            context.output.err("poolctl: \(WalletsCommand.vspOnlySentence)")
            return ExitCode.usage
        }
        return await withStorage(context, migrate: true) { storage in
            do {
                let services = try PoolServices.make(config: config, plugins: context.plugins, logs: context.logs, storage: storage)
                do {
                    try await services.walletSet.connect()
                } catch {
                    // The table shows which wallet is down; the check and the sync then fail with exit 4.
                    context.output.err("poolctl: a wallet could not be connected: \(ConfigLoader.describe(error))")
                }
                let code = await WalletsCommand.run(arguments, pool: services.pool, storage: storage, output: context.output,
                                                    logger: context.logs.logger("DCRS"))
                // A sync that completed registrations tells the stakepoolds (the web app's queue is not running here).
                await services.stakepooldNotifier.deliverPendingOnce()
                for index in 0..<services.pool.count { await services.pool.backend(index).close() }
                return code
            } catch {
                context.output.err("poolctl: \(ConfigLoader.describe(error))")
                return ExitCode.failure
            }
        }
    }

    /// `poolctl tickets lowfee list|add <hash>`, `poolctl tickets vsp <hash>`.
    public static let tickets = PoolctlCommand(name: "tickets", summary: "list low-fee tickets, or add one to be voted; show a vspd ticket",
                                               usage: "tickets lowfee list | tickets lowfee add <hash> | tickets vsp <hash>") { arguments, context in
        if arguments.first == "vsp" {
            return await withStorage(context, migrate: true) { storage in
                await VspTicketCommand.run(Array(arguments.dropFirst()), storage: storage, output: context.output)
            }
        }
        guard arguments.first == "lowfee" else {
            context.output.err("poolctl: usage: poolctl tickets lowfee list | tickets lowfee add <hash> | tickets vsp <hash>")
            return ExitCode.usage
        }
        let dataDir = try? context.config().dataDir
        return await withStorage(context, migrate: true) { storage in
            await LowFeeTicketCommands.run(Array(arguments.dropFirst()), storage: storage, dataDirectory: dataDir,
                                           output: { context.output.out($0) }, errors: { context.output.err($0) })
        }
    }

    /// `poolctl simulate --blocks N --tickets M`: a simulated simnet with three vote daemons (`--rpc`: over the
    /// real TLS JSON-RPC clients); prints votes, misses and latency percentiles. Uses a throw-away SQLite database.
    public static let simulate = PoolctlCommand(name: "simulate", summary: "simulate voting on a simnet and count misses",
                                                usage: "simulate [--blocks N] [--tickets M] [--users U] [--clusters C] [--seed S] [--rpc] "
                                                    + "[--outage CLUSTER,FROM,LENGTH] [--restart CLUSTER,AT,AFTER] "
                                                    + "[--chainparams FILE] [--votepolicy NAME] [--votepolicyoptions AGENDA=CHOICE,…]") { arguments, context in
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("poolctl-simulate-\(UUID().uuidString).sqlite").path
        defer { for suffix in ["", "-wal", "-shm"] { try? FileManager.default.removeItem(atPath: path + suffix) } }
        let storage = SQLiteStorage(configuration: .init(path: path), logger: context.logs.logger("STOR"))
        do { try await storage.migrate() } catch {
            context.output.err("poolctl: \(ConfigLoader.describe(error))")
            return ExitCode.failure
        }
        let code = await SimulateCommand.run(arguments, storage: storage, logger: context.logs.logger("VOTE"),
                                             output: { context.output.out($0) }, errors: { context.output.err($0) })
        await storage.shutdown()
        return code
    }

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
        name: "mail", summary: "show the mail outbox, retry messages, or send a test mail",
        usage: "mail status | mail retry <id>… | mail retry --failed | mail test <address>"
    ) { arguments, context in
        if arguments.first == "test" {
            guard arguments.count == 2 else {
                context.output.err("poolctl: usage: poolctl mail test <address>")
                return ExitCode.usage
            }
            do {
                let config = try context.config()
                let mailer = try context.plugins.mail.make(config.mailPlugin, config.pluginContext(logs: context.logs))
                let code = await MailCommand.test(address: arguments[1], mailer: mailer, sender: config.mailFrom, output: context.output)
                await mailer.shutdown()
                return code
            } catch {
                context.output.err("poolctl: \(ConfigLoader.describe(error))")
                return ExitCode.usage
            }
        }
        return await withStorage(context, migrate: true) { storage in
            await MailCommand.run(arguments, storage: storage, output: context.output)
        }
    }

    /// `poolctl config sample [stakepoold]|check`: print a commented sample dcrstakepool.conf (or stakepoold.conf),
    /// or validate the config.
    public static let config = PoolctlCommand(
        name: "config", summary: "print a sample dcrstakepool.conf or stakepoold.conf, or check the configuration",
        usage: "config sample [stakepoold] | config check"
    ) { arguments, context in
        switch arguments.first {
        case "sample":
            switch arguments.dropFirst().first {
            case nil, "hxstakepool", "dcrstakepool":
                context.output.out(SampleConfig.render(WebAppHostOptions.options(plugins: context.plugins), title: "dcrstakepool.conf for hxstakepool (every option)"))
            case "stakepoold":
                context.output.out(StakepooldConfig.sampleFile(plugins: context.plugins))
            default:
                context.output.err("poolctl: usage: poolctl config sample [stakepoold]")
                return ExitCode.usage
            }
            return ExitCode.ok
        case "check":
            do {
                let config = try context.config()
                // vsponly: a vspd-only config names the vspd front's plugins, not the (unused) legacy wallet plugin.
                let wallets = config.apiFronts.servesLegacy ? "wallet \(config.walletPlugin)"
                    : "vspd API only: vspnode \(config.vspNodePlugin), vspwallet \(config.vspWalletPlugin)"
                context.output.out("configuration is valid (network \(config.network.name), storage \(config.storagePlugin), "
                                   + "mail \(config.mailPlugin), \(wallets))")
                return ExitCode.ok
            } catch {
                context.output.err("poolctl: \(ConfigLoader.describe(error))")
                return ExitCode.usage
            }
        default:
            context.output.err("poolctl: usage: poolctl config sample [stakepoold] | config check")
            return ExitCode.usage
        }
    }
}
