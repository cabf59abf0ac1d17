import PoolKernel
import WalletSimnet

/// The `wallet=simnet` plugin: the voting wallets and their node simulated in process (no sockets), with
/// a block mined on a timer. For the same seed the keys are those `simwallet` serves, so a config's
/// `votingwalletextpub` / `coldwalletextpub` must be the seed's (`Simnet.votingExtendedPublicKey`,
/// `coldExtendedPublicKey`; seed 1: see `SimnetWalletPlugin.defaultKeys`).
public enum SimnetWalletPlugin {
    public static let name = "simnet"

    /// Registers `simnet` for the web app's wallets (no options: the seed and block interval are fixed).
    public static func register(into registry: inout PluginRegistry<WalletSet, PluginContext>) {
        registry.register(name) { make($0) }
    }

    /// Builds the wallet set: `walletCount` wallets over one simulation seeded with `seed`, the node, and
    /// a miner service producing a block every `blockInterval`.
    public static func make(_ context: PluginContext, seed: UInt64 = 1, walletCount: Int = 3,
                            blockInterval: Duration = .seconds(1)) -> WalletSet {
        let logger = context.logs.logger("SIMN")
        // With a `chainparams` file the simulated chain runs on that network (its newest vote version).
        let parameters = context.values.string("chainparams").isEmpty ? SimnetParameters.simnet
            : SimnetParameters(netParams: context.params)
        let simnet = Simnet(configuration: .init(seed: seed, walletCount: walletCount, parameters: parameters,
                                                 poolFeePercent: context.values.double("poolfees")), logger: logger)
        let wallets: [any WalletBackend] = (0..<walletCount).map { SimnetWalletBackend(simnet: simnet, walletIndex: $0) }
        return WalletSet(wallets: wallets, node: SimnetNodeBackend(simnet: simnet),
                         services: [SimnetMiner(simnet: simnet, interval: blockInterval, logger: logger)])
    }

    /// The voting and cold extended public keys of seed 1 (what `examples/dev.conf` must carry).
    public static var defaultKeys: (voting: String, cold: String) {
        let simnet = Simnet(configuration: .init(seed: 1, walletCount: 1), logger: .disabled)
        return (simnet.votingExtendedPublicKey, simnet.coldExtendedPublicKey)
    }
}
