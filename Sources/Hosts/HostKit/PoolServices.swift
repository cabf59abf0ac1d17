import Foundation
import PoolKernel
import PoolNet
import StakepooldControl

/// The pool's wallet-side services built from the config: network parameters, the wallet set from the wallet
/// plugin, the fail-closed wallet pool with its monitor, address registration and the startup sync.
/// Shared by the web app and `poolctl wallets`.
public struct PoolServices: Sendable {
    public let params: NetParams
    public let walletSet: WalletSet
    public let pool: WalletPool
    public let monitor: WalletPoolMonitor
    public let registration: AddressRegistration
    public let sync: StartupSync
    /// stakepoold control clients (`enablestakepoold`), told about registrations and vote changes.
    public let stakepoolds: [ControlClient]
    /// The last result of talking to each stakepoold (`/health`, `/metrics`).
    public let stakepooldReachability: PeerReachability
    /// The retrying queue of preference pushes to `stakepoolds` (run it as a background service).
    public let stakepooldNotifier: StakepooldNotifier
    /// Operator alerts by incident (wallets, pool, database, mail, stakepoold), queued in the outbox.
    public let alerter: OperatorAlerter

    /// Builds everything; nothing connects yet (`connect()` does).
    public static func make(config: PoolConfig, plugins: PoolPlugins, logs: LogBackend,
                            storage: any StorageBackend) throws -> PoolServices {
        let params = config.netParams
        let walletSet = try plugins.wallets.make(config.walletPlugin, config.pluginContext(logs: logs))
        let labels = walletSet.labels ?? walletSet.wallets.indices.map { "\(config.walletPlugin) wallet \($0)" }
        let members = zip(labels, walletSet.wallets).map { WalletPool.Member(label: $0, backend: $1) }
        let log = logs.logger("DCRS")
        let alerter = OperatorAlerter(configuration: .init(recipient: config.alertEmail, sender: config.mailFrom),
                                      storage: storage, logger: log)
        var chainTip: (@Sendable () async throws -> Int64)?
        if let node = walletSet.node { chainTip = { try await node.bestBlock().height } }
        let pool = WalletPool(
            members: members,
            configuration: .init(minServers: min(config.minServers, max(1, members.count)), autoRecover: config.walletAutoRecover),
            logger: log, alerter: alerter,
            auditLog: FileWalletPoolAuditLog(path: config.dataDir + "/walletpool-audit.log", logger: log),
            chainTip: chainTip)
        let monitor = WalletPoolMonitor(pool: pool, connector: walletSet.redial, storage: storage, logger: log)
        let keys = try ChainRegistrationKeys(votingExtendedPublicKey: config.votingWalletExtPub,
                                             coldExtendedPublicKey: config.coldWalletExtPub, network: params)
        let stakepoolds = try config.stakepoolds.map { endpoint -> ControlClient in
            guard let address = try? PoolNet.HostPort(parsing: endpoint.host, defaultPort: UInt16(config.network.stakepooldPort)) else {
                throw ConfigError(.badValue, "stakepooldhosts entry \"\(endpoint.host)\" is not host:port")
            }
            return ControlClient(address: address, certificateFile: endpoint.certPath,
                                 authToken: config.values.string("stakepooldtoken").isEmpty ? nil : config.values.string("stakepooldtoken"))
        }
        let reachability = PeerReachability(names: stakepoolds.map { "\($0.address)" })
        let notifier = StakepooldNotifier(clients: stakepoolds, logger: logs.logger("CTRL"), reachability: reachability,
                                          onHostTrouble: { host, problem in
                                              await alerter.send(problem.map { .stakepooldTrouble(host: host, problem: $0) }
                                                                 ?? .stakepooldRecovered(host: host))
                                          })
        let registration = AddressRegistration(pool: pool, storage: storage, keys: keys, logger: logs.logger("CNTL"),
                                               onRegistered: { notifier.notify(userId: $0.rawValue) })
        let sync = StartupSync(pool: pool, storage: storage,
                               configuration: .init(skipVoteBitsSync: config.skipVoteBitsSync),
                               registration: registration, logger: log)
        return PoolServices(params: params, walletSet: walletSet, pool: pool, monitor: monitor,
                            registration: registration, sync: sync, stakepoolds: stakepoolds,
                            stakepooldReachability: reachability, stakepooldNotifier: notifier, alerter: alerter)
    }

    /// Tells every stakepoold that a user's (or, with 0, every user's) preferences changed: queued, and retried
    /// with backoff until each host accepts it (`stakepooldNotifier` delivers). Returns at once.
    public func votingPreferencesChanged(_ userId: UserId, logs: LogBackend) async {
        stakepooldNotifier.notify(userId: userId.rawValue)
    }

    /// The agendas of a vote version on this network.
    public func agendas(_ version: UInt32) -> [Agenda] { params.agendas(forVoteVersion: version) }
}
