import Foundation
import PoolKernel

/// `/health` of a vspd-only web app: the vspd front's node (its best block header) and each
/// voting wallet (`walletinfo`: connected to its dcrd, unlocked, voting enabled — what vspd's own status checks).
/// Each answer is cached 15 s and bounded by 2 s, so a scraper polling `/health` never drives the wallets.
struct VspHealthProbes: Sendable {
    let node: CachedProbe
    let nodeLabel: String
    let wallets: [(label: String, probe: CachedProbe)]

    init(node: ConnectableBackend<any VspNodeBackend>, wallets: VspWalletSet, maxAge: TimeInterval = 15) {
        let backend = node.backend
        self.node = CachedProbe(maxAge: maxAge) { _ = try await backend.bestBlockHeader() }
        nodeLabel = node.label
        self.wallets = zip(wallets.labels, wallets.wallets).map { label, wallet in
            (label, CachedProbe(maxAge: maxAge) { try VspHealthProbes.require(try await wallet.walletInfo()) })
        }
    }

    /// One check for the node, one per wallet; a failing one is `degraded` (the database alone makes `/health` down).
    func checks() async -> [HealthReport.Check] {
        let nodeResult = await node.result()
        var checks = [HealthReport.Check(component: "vsp-node", instance: nodeLabel, state: nodeResult.ok ? .ok : .degraded,
                                         detail: nodeResult.detail)]
        for (index, wallet) in wallets.enumerated() {
            let result = await wallet.probe.result()
            checks.append(.init(component: "vsp-wallet", instance: "\(index) (\(wallet.label))", state: result.ok ? .ok : .degraded,
                                detail: result.detail))
        }
        return checks
    }

    struct WalletNotReady: CodedError {
        let message: String
        var codeName: String { "vsp-wallet-not-ready" }
    }

    /// A voting wallet that cannot vote is not healthy even though it answers.
    static func require(_ info: WalletInfo) throws {
        if !info.daemonConnected { throw WalletNotReady(message: "not connected to its dcrd") }
        if !info.unlocked { throw WalletNotReady(message: "locked") }
        if !info.voting { throw WalletNotReady(message: "voting is not enabled") }
    }
}
