import HostKit
import PoolKernel

/// One `poolctl` subcommand (`chain`, `db`, `user`, `mail`, `wallets`, `tickets`, `simulate`, `config`).
public struct PoolctlCommand: Sendable {
    /// What a command may use. Storage and the config are built lazily: `chain` needs neither.
    public struct Context: Sendable {
        public var output: HostOutput
        /// Loads dcrstakepool.conf (+ the global flags given before the subcommand).
        public var config: @Sendable () throws -> PoolConfig
        /// Builds and migrates nothing: opens the configured storage plugin; the command shuts it down.
        public var storage: @Sendable () async throws -> any StorageBackend
        public var plugins: PoolPlugins
        public var logs: LogBackend
    }

    public var name: String
    public var summary: String
    public var usage: String
    public var run: @Sendable (_ arguments: [String], _ context: Context) async -> Int32

    public init(name: String, summary: String, usage: String,
                run: @escaping @Sendable (_ arguments: [String], _ context: Context) async -> Int32) {
        self.name = name
        self.summary = summary
        self.usage = usage
        self.run = run
    }
}
