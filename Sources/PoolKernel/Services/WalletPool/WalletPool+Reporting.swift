/// The web host's view of the pool (`/status`, `/stats`, API `stats`).
extension WalletPool: WalletPoolReporting {
    /// Probes every wallet now (`/status` does a `walletinfo` round) and returns one line per wallet.
    public func walletStatuses() async -> [WalletSlotStatus] {
        Self.slots(await probe())
    }

    public func lastProbedWalletStatuses() -> ProbedWalletStatuses? {
        lastProbeAt.value.map { ProbedWalletStatuses(wallets: Self.slots(status()), probedAt: $0) }
    }

    static func slots(_ status: WalletPoolStatus) -> [WalletSlotStatus] {
        status.wallets.map { wallet in
            WalletSlotStatus(connected: wallet.connected, daemonConnected: wallet.daemonConnected,
                             enableVoting: wallet.voting, unlocked: wallet.unlocked, state: wallet.condition.rawValue,
                             missingScripts: wallet.missingScripts, missingTickets: wallet.missingTickets,
                             detail: wallet.lastError, height: wallet.bestHeight)
        }
    }

    public var stopReason: String? { status().stopReason }
}
