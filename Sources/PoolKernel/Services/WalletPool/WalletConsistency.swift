import Foundation

extension OperatorAlert.Kind {
    /// A wallet answers but lacks redeem scripts or tickets (e.g. restarted from seed without its imports).
    public static let walletInconsistent = OperatorAlert.Kind(rawValue: "wallet-inconsistent")
}

extension WalletPool {
    /// Wallets whose scripts and tickets must be verified now: reconnected ones and ones found lacking.
    public var walletsNeedingCheck: [Int] { health.withLock { $0.walletsNeedingCheck } }

    /// Marks wallet `index` as reconnected (fresh backend): it is verified before it counts as up again.
    func markReconnected(_ index: Int) { health.withLock { $0.reconnected(index) } }

    /// Records what every answering wallet of `report` lacks; reconnected wallets become `up` ("recovered")
    /// only when they lack nothing, else `inconsistent` (logged and alerted).
    public func record(_ report: WalletAgreementReport) async {
        let now = clock()
        for wallet in report.wallets where wallet.error.isEmpty {
            await perform(health.withLock {
                $0.checked(wallet.index, missingScripts: wallet.missingScripts, missingTickets: wallet.missingTickets,
                           totalScripts: report.totalScripts, totalTickets: report.totalTickets, now: now)
            })
        }
    }
}
