import PoolKernel

/// The kernel's wallet pool is what `/status` and `stats` report on in production.
extension WalletPool: WalletPoolReporting {
    /// A fresh `walletinfo` round (spec §7.2): `probe()` asks every wallet now.
    public func walletStatuses() async -> [WalletSlotStatus] {
        await probe().wallets.map { wallet in
            WalletSlotStatus(connected: wallet.connected, daemonConnected: wallet.daemonConnected,
                             enableVoting: wallet.voting, unlocked: wallet.unlocked)
        }
    }
}
