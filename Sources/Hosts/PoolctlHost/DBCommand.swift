import HostKit
import PoolKernel

/// `poolctl db migrate` (apply pending migrations), `poolctl db status` (show the schema version) and
/// `poolctl db purge` (delete finished mail and vote audit records older than their retention, once).
/// The backend is the caller's: it is not shut down here.
public enum DBCommand {
    public static let usage = "db migrate | db status | db purge | db backup FILE | db restore FILE"

    /// Runs the subcommand and returns the exit code (0 ok, 2 usage, 7 database problem or pending migrations
    /// for `status` is still 0; a newer schema than this binary is 7). `retention` is used by `purge`.
    public static func run(_ arguments: [String], storage: any StorageBackend, output: HostOutput,
                           retention: RetentionPurge.Policy = .init()) async -> Int32 {
        // The portable backup (exit codes in DBBackupCommand).
        if arguments.count == 2, arguments[0] == "backup" {
            return await DBBackupCommand.backup(to: arguments[1], storage: storage, output: output)
        }
        if arguments.count == 2, arguments[0] == "restore" {
            return await DBBackupCommand.restore(from: arguments[1], storage: storage, output: output)
        }
        guard arguments.count == 1, let verb = arguments.first, ["migrate", "status", "purge"].contains(verb) else {
            output.err("poolctl: usage: poolctl \(usage)")
            return ExitCode.usage
        }
        do {
            if verb == "purge" {
                try await storage.migrate()
                let purge = RetentionPurge(storage: storage, policy: retention, logger: .disabled)
                let result = try await purge.purgeOnce()
                output.out("purged \(result.mail) finished mail(s) (\(describe(retention.finishedMail))) and "
                    + "\(result.voteAudits) vote audit record(s) (\(describe(retention.voteAudits)))"
                    + (result.history > 0 ? "; \(result.history) history hour(s) (\(describe(retention.history)))" : ""))
                return ExitCode.ok
            }
            if verb == "migrate" {
                let before = try await storage.schemaStatus()
                try await storage.migrate()
                let after = try await storage.schemaStatus()
                for migration in before.pending {
                    output.out("applied migration \(migration.version): \(migration.name)")
                }
                output.out(summary(after))
                return ExitCode.ok
            }
            let status = try await storage.schemaStatus()
            output.out(summary(status))
            for migration in status.pending { output.out("pending migration \(migration.version): \(migration.name)") }
            if status.isTooNew {
                output.err("poolctl: the database schema is newer than this binary; use a newer hxstakepool")
                return ExitCode.database
            }
            return ExitCode.ok
        } catch let error as StorageError {
            output.err("poolctl: storage: \(error.message)")
            return ExitCode.database
        } catch {
            output.err("poolctl: \(error)")
            return ExitCode.database
        }
    }

    /// `older than N days` or `kept for ever`.
    static func describe(_ retention: Duration?) -> String {
        guard let retention else { return "kept for ever" }
        return "older than \(retention.components.seconds / 86_400) days"
    }

    static func summary(_ status: SchemaStatus) -> String {
        let state = status.isUpToDate ? "up to date" : status.isTooNew ? "NEWER than this binary"
            : "\(status.pending.count) migration(s) pending"
        return "storage \(status.engine): schema version \(status.currentVersion) of \(status.latestVersion) (\(state))"
    }
}

extension PoolctlCommands {
    /// `poolctl user …` wired to the configured storage (migrated first, shut down after).
    public static let user = PoolctlCommand(name: "user", summary: "show, list or add users (no secrets shown)",
                                            usage: UserCommand.usage) { arguments, context in
        do {
            let config = try context.config()
            let storage = try await context.storage()
            do {
                try await storage.migrate()
            } catch {
                await storage.shutdown()
                throw error
            }
            let code = await UserCommand.run(arguments, storage: storage, output: context.output,
                                             bcryptCost: config.bcryptCost,
                                             passwordPolicy: PasswordPolicy(minimumLength: config.minPasswordLength),
                                             voteVersion: { try await accountVoteVersion(config: config, context: context, storage: storage) })
            await storage.shutdown()
            return code
        } catch {
            context.output.err("poolctl: \(error)")
            return ExitCode.database
        }
    }

    /// The vote version stored on a new account: the legacy wallets' (`walletsVoteVersion`), or 0 for a vspd-only pool
    /// (`apifronts=vspd`), whose accounts are its operators' and vote nothing (vsponly).
    static func accountVoteVersion(config: PoolConfig, context: PoolctlCommand.Context, storage: any StorageBackend) async throws -> UInt32 {
        guard config.apiFronts.servesLegacy else { return 0 }
        return try await walletsVoteVersion(config: config, context: context, storage: storage)
    }

    /// The configured wallets' agreed vote version, asked as the web app asks at start-up (every wallet answers
    /// `walletinfo` with the same non-zero `voteversion`); the connections are closed after.
    static func walletsVoteVersion(config: PoolConfig, context: PoolctlCommand.Context, storage: any StorageBackend) async throws -> UInt32 {
        let services = try PoolServices.make(config: config, plugins: context.plugins, logs: context.logs, storage: storage)
        let version: Result<UInt32, any Error>
        do {
            try await services.walletSet.connect()
            version = .success(try await services.sync.agreedVoteVersion())
        } catch {
            version = .failure(error)
        }
        for index in 0..<services.pool.count { await services.pool.backend(index).close() }
        return try version.get()
    }

    /// `poolctl db migrate|status|purge|backup|restore` wired to the configured storage.
    public static let db = PoolctlCommand(name: "db", summary: "run or show storage schema migrations, purge old rows, back up and restore",
                                          usage: DBCommand.usage) { arguments, context in
        do {
            let retention = arguments == ["purge"] ? try context.config().retentionPolicy : RetentionPurge.Policy()
            let storage = try await context.storage()
            let code = await DBCommand.run(arguments, storage: storage, output: context.output, retention: retention)
            await storage.shutdown()
            return code
        } catch {
            // A configuration mistake exits 2 like everywhere else; only a database problem is 7.
            context.output.err("poolctl: \(ConfigLoader.describe(error))")
            return error is ConfigError ? ExitCode.usage : ExitCode.database
        }
    }
}
