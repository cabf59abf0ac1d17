import Foundation
import HostKit
import PoolKernel

/// `poolctl wallets check` (compare every wallet with the others and with the database: scripts, tickets,
/// vote version, unlock and node state) and `poolctl wallets sync` (run the startup wallet sync by hand, then
/// check again). Prints one table row per wallet. The pool and storage are the caller's (built from the
/// configuration) and are not shut down here.
public enum WalletsCommand {
    public static let usage = "wallets check | wallets sync"

    /// Why the command does nothing in vspd-only mode, and where those wallets are checked instead.
    public static let vspOnlySentence = "wallets check and sync compare the legacy voting wallets, which apifronts=vspd "
        + "does not use; the vspd front's wallets are checked by /health (vsp-wallet) and its 30-minute consistency pass"

    /// Runs the subcommand and returns the exit code: 0 when the wallets agree (after syncing, for `sync`),
    /// 4 when they don't or the sync failed (dcrstakepool's wallet-sync code), 2 on bad usage.
    public static func run(_ arguments: [String], pool: WalletPool, storage: any StorageBackend,
                           output: HostOutput, logger: Logger) async -> Int32 {
        guard arguments.count == 1, let verb = arguments.first, verb == "check" || verb == "sync" else {
            output.err("poolctl: usage: poolctl \(usage)")
            return ExitCode.usage
        }
        if verb == "sync" {
            do {
                let report = try await StartupSync(pool: pool, storage: storage, logger: logger).syncWallets()
                output.out("sync: \(report.totalScripts) scripts, imported per wallet \(report.scriptsImported); "
                    + "\(report.totalTickets) tickets, added per wallet \(report.ticketsAdded)")
            } catch {
                output.err("poolctl: Failed to sync the wallets: \((error as? any CodedError)?.message ?? "\(error)")")
                await printCheck(pool: pool, storage: storage, output: output)
                return ExitCode.walletSync
            }
        }
        return await printCheck(pool: pool, storage: storage, output: output) ? ExitCode.ok : ExitCode.walletSync
    }

    /// Prints the table and the problems; returns whether the wallets agree.
    @discardableResult
    static func printCheck(pool: WalletPool, storage: any StorageBackend, output: HostOutput) async -> Bool {
        var registered = ScriptSet()
        do {
            registered = try await ScriptSet.registered(in: storage)
        } catch {
            output.err("poolctl: cannot read the registered scripts: \(error)")
        }
        let report = await pool.agreementReport(registered: registered)
        for line in table(report) { output.out(line) }
        if report.agreed {
            output.out("wallets agree: \(report.wallets.count) wallets, \(report.totalScripts) scripts "
                + "(\(registered.count) registered), \(report.totalTickets) tickets")
        } else {
            for problem in report.problems { output.out("problem: \(problem)") }
            output.out("wallets DISAGREE (\(report.problems.count) problem(s)); `poolctl wallets sync` repairs missing "
                + "scripts and tickets")
        }
        return report.agreed
    }

    /// The per-wallet table, columns padded.
    static func table(_ report: WalletAgreementReport) -> [String] {
        let header = ["wallet", "host", "state", "height", "votever", "unlocked", "daemon", "scripts", "missing",
                      "tickets", "missing", "error"]
        var rows = [header]
        for wallet in report.wallets {
            let info = wallet.info
            let state: String = if let info {
                !info.daemonConnected ? "no-daemon" : (!info.unlocked ? "locked" : "up")
            } else { "down" }
            rows.append([
                String(wallet.index), wallet.label, state, wallet.bestHeight.map(String.init) ?? "-",
                info.map { String($0.voteVersion) } ?? "-", info.map { $0.unlocked ? "yes" : "no" } ?? "-",
                info.map { $0.daemonConnected ? "yes" : "no" } ?? "-",
                info == nil ? "-" : String(wallet.scriptCount), info == nil ? "-" : String(wallet.missingScripts),
                info == nil ? "-" : String(wallet.ticketCount), info == nil ? "-" : String(wallet.missingTickets),
                wallet.error,
            ])
        }
        var widths = [Int](repeating: 0, count: header.count)
        for row in rows { for (column, cell) in row.enumerated() { widths[column] = max(widths[column], cell.count) } }
        return rows.map { row in
            row.enumerated().map { column, cell in
                column == row.count - 1 ? cell : cell.padding(toLength: widths[column], withPad: " ", startingAt: 0)
            }.joined(separator: "  ").trimmingTrailingSpaces()
        }
    }
}

extension String {
    fileprivate func trimmingTrailingSpaces() -> String {
        var text = self
        while text.last == " " { text.removeLast() }
        return text
    }
}
