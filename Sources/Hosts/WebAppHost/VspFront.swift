import Foundation
import HostKit
import PoolKernel
import WebHost

/// The web app's vspd API v3 front (issue 24, docs/vspd.md), assembled when `apifronts` is `vspd` or `both`: the
/// `vspnode` and `vspwallet` plugins connected, the fee xpub stored, the response-signing key loaded (made at first
/// start in the data directory), the `VspService` behind `/api/v3/`, and the block handler that moves the tickets
/// along (confirmation, fee broadcast, key import, outcomes) among the web app's background services.
struct VspFront: Sendable {
    let api: VspAPI
    /// The wallet plugin's background work and the block handler.
    let services: [any EngineService]
    let close: @Sendable () async -> Void
    /// vsponly: the response-signing key (base64), shown on a vspd-only web app's home page.
    let publicKey: String
    /// vsponly: `/health`'s checks of the front's node and voting wallets (cached, see `VspHealthProbes`).
    let healthChecks: @Sendable () async -> [HealthReport.Check]

    static func assemble(config: PoolConfig, plugins: PoolPlugins, context: PluginContext, storage: any StorageBackend,
                         metrics: MetricsRegistry, logs: LogBackend) async throws -> VspFront {
        let log = logs.logger("CNTL")
        let node = try plugins.vspNode.make(config.vspNodePlugin, context)
        let walletSet = try plugins.vspWallets.make(config.vspWalletPlugin, context)
        do {
            try await node.connect()
            try await walletSet.connect()
        } catch {
            throw WebApp.StartupFailure(message: "vspd API: cannot connect to its node or wallets: \(ConfigLoader.describe(error))",
                                        exitCode: ExitCode.controllerInit)
        }
        try await storeFeeXPub(config: config, storage: storage, logger: log)
        let signer: VspResponseSigner
        do {
            signer = try VspResponseSigner(dataDirectory: config.dataDir)
        } catch {
            throw WebApp.StartupFailure(message: "vspd API: \(ConfigLoader.describe(error))", exitCode: ExitCode.failure)
        }
        log.info("vspd API: serving /api/v3 with response key \(signer.publicKeyBase64) (node \(node.label), "
                 + "\(walletSet.wallets.count) voting wallets)")
        var configuration = VspConfiguration(network: config.netParams, feePercent: config.vspFeePercent, closed: config.vspClosed,
                                             closedMessage: config.vspClosedMessage, version: WebAppMain.version)
        configuration.infoRefreshSeconds = 60
        let service = VspService(configuration: configuration, storage: storage, node: node.backend,
                                 wallets: walletSet.wallets, signer: signer, logger: log)
        let blocks = VspBlockHandler.forWebApp(storage: storage, node: node, wallets: walletSet, params: config.netParams,
                                               metrics: metrics, logs: logs)
        let probes = VspHealthProbes(node: node, wallets: walletSet)
        return VspFront(api: VspAPI(service: service), services: walletSet.services + [blocks], close: { [node = node.backend, wallets = walletSet.wallets] in
            await node.close()
            for wallet in wallets { await wallet.close() }
        }, publicKey: signer.publicKeyBase64, healthChecks: { await probes.checks() })
    }

    /// `vspfeexpub` becomes the active fee xpub when it is new; a key that was active before and retired is refused,
    /// as vspd refuses to reuse one (its address indexes would repeat).
    static func storeFeeXPub(config: PoolConfig, storage: any StorageBackend, logger: Logger) async throws {
        let network = config.netParams
        let configured = try ExtendedPublicKey(parsing: config.vspFeeXPub, network: network).serialized()
        let stored = try await storage.read { try $0.vspFeeXPubs() }
        if stored.last?.key == configured { return }
        if stored.contains(where: { $0.key == configured }) {
            throw WebApp.StartupFailure(message: "vspfeexpub was used before and has been retired: give a new extended public key",
                                        exitCode: ExitCode.usage)
        }
        _ = try await VspFeeAddressAllocator.addFeeXPub(configured, storage: storage, network: network,
                                                        now: Int64(Date().timeIntervalSince1970))
        logger.info(stored.isEmpty ? "vspd API: fee xpub stored" : "vspd API: new fee xpub stored; the previous one is retired")
    }
}
