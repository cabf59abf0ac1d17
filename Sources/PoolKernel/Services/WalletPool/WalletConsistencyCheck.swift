import Foundation

/// Verifies that wallets hold every registered redeem script (from the database) and every script and ticket
/// the other wallets hold — run by the monitor whenever a wallet (re)connects, so a wallet restarted empty
/// (restored from seed) is never reported "recovered" while it cannot vote some users' tickets.
///
/// What it lacks is recorded per wallet (`/status`, `/metrics`, `/health`). Then:
/// - with `walletautorecover`, the missing scripts and tickets are re-imported with the startup sync
///   (`StartupSync.syncWallets`) and the wallets verified again;
/// - otherwise (or when re-importing fails) the pool fails closed as dcrstakepool does: `stop` (wallet
///   operations refused, `/status` 500, operator alert, audit entry).
struct WalletConsistencyCheck: Sendable {
    let pool: WalletPool
    let storage: (any StorageBackend)?
    let logger: Logger

    /// Checks `wallets` (indices; the report covers every wallet, so all counts are refreshed).
    func run(wallets due: [Int]) async {
        guard let registered = await registeredScripts(due) else { return }
        var report = await pool.agreementReport(registered: registered)
        await pool.record(report)
        var lacking = Self.lacking(report)
        guard !lacking.isEmpty else { return }
        if pool.configuration.autoRecover, let storage {
            logger.warn("walletautorecover: re-importing what is missing: "
                + lacking.map { Self.text($0) }.joined(separator: "; "))
            do {
                let sync = try await StartupSync(pool: pool, storage: storage, logger: logger).syncWallets()
                logger.info("walletautorecover: imported \(sync.scriptsImported) script(s) and added "
                    + "\(sync.ticketsAdded) ticket(s) per wallet")
            } catch {
                logger.error("walletautorecover: re-import failed: \(StartupSync.text(error))")
            }
            report = await pool.agreementReport(registered: registered)
            await pool.record(report)
            lacking = Self.lacking(report)
            guard !lacking.isEmpty else { return }
        }
        guard !pool.isStopped else { return }
        await pool.stop(function: "consistency check", error: WalletPoolError(
            .inconsistent, lacking.map { Self.text($0) }.joined(separator: "; "), walletIndex: lacking.first?.index))
    }

    /// The database's registered scripts; nil (check postponed, wallets stay unverified) when unreadable.
    private func registeredScripts(_ due: [Int]) async -> ScriptSet? {
        guard let storage else { return ScriptSet() }
        do {
            return try await ScriptSet.registered(in: storage)
        } catch {
            logger.warn("cannot verify wallet(s) \(due.map(String.init).joined(separator: ", ")) yet: the registered "
                + "scripts are unreadable: \(StartupSync.text(error))")
            return nil
        }
    }

    private static func lacking(_ report: WalletAgreementReport) -> [WalletAgreementReport.Wallet] {
        report.wallets.filter { $0.error.isEmpty && $0.missingScripts + $0.missingTickets > 0 }
    }

    private static func text(_ wallet: WalletAgreementReport.Wallet) -> String {
        var parts: [String] = []
        if wallet.missingScripts > 0 { parts.append("\(wallet.missingScripts) redeem script(s)") }
        if wallet.missingTickets > 0 { parts.append("\(wallet.missingTickets) ticket(s)") }
        return "wallet server \(wallet.index) is missing " + parts.joined(separator: " and ")
    }
}
