import Foundation
import PoolKernel
import PoolSystem
import StakepooldHost
import StorageSQLite
import WalletDcrwallet

/// `poolbench watch` (issue 23 item 4, stakepoold's share): one verification round of stakepoold's wallet watch
/// with `users` voting users on SQLite and a `simwallet` child holding every user's script (over the real JSON-RPC,
/// so `listscripts` carries all of them) and the `scale` group's tickets (~41,000 live ones, all in the watch's
/// ticket map, and 3 voted ones a user).
/// Figures: the round's time and how far it raised this process's RSS (peak during the round minus before it,
/// and what stays after it), with the load average around the run (the machine is shared).
public enum StakepooldWatchBenchmarks {
    public typealias Figure = ChainBenchmarks.Figure

    public static func runAll(users: Int, print emit: @escaping @Sendable (String) -> Void) async {
        emit(Figure(bench: "watch_load_average_start", value: ScaleBenchmarks.loadAverage(), unit: "runnable", goal: "info").jsonLine)
        defer {
            emit(Figure(bench: "watch_load_average_end", value: ScaleBenchmarks.loadAverage(), unit: "runnable", goal: "info").jsonLine)
        }
        do {
            guard let simwallet = try await SimwalletProcess.start(wallets: 1) else {
                emit(#"{"bench":"watch","error":"simwallet not found next to poolbench (make bench builds it)"}"#)
                return
            }
            defer { simwallet.stop() }
            let directory = FileManager.default.temporaryDirectory.appendingPathComponent("poolbench-watch-\(UUID().uuidString)")
            try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
            defer { try? FileManager.default.removeItem(at: directory) }
            let storage = SQLiteStorage(configuration: .init(path: directory.appendingPathComponent("watch.sqlite").path),
                                        logger: .disabled)
            try await storage.migrate()
            try await measure(users: users, storage: storage, simwallet: simwallet, emit: emit)
            await storage.shutdown()
        } catch {
            emit("{\"bench\":\"watch\",\"error\":\"\(String(describing: error).replacingOccurrences(of: "\"", with: "'"))\"}")
        }
    }

    static func measure(users: Int, storage: SQLiteStorage, simwallet: SimwalletProcess,
                        emit: @Sendable (String) -> Void) async throws {
        try await ScaleBenchmarks.insertUsers(users, into: storage)
        let wallet = try await ScaleBenchmarks.connectWallets(simwallet)[0]
        defer { Task { await wallet.close() } }
        // The wallet restored from seed gets every script (the web app's start-up sync), then the live tickets.
        let pool = WalletPool(members: [.init(label: "wallet 0", backend: wallet)], configuration: .init(minServers: 1),
                              logger: .disabled)
        _ = try await StartupSync(pool: pool, storage: storage, configuration: .init(concurrency: 64), logger: .disabled)
            .run(agendas: { _ in [] })
        try await ScaleBenchmarks.fabricateTickets(simwallet, users: users) // the scale group's history and live tickets
        let live = min(ScaleBenchmarks.liveTickets, users)
        // The ticket map: every live ticket of the wallet, as stakepoold's tracker holds them.
        let tracked = Set(try await wallet.tickets(includeImmature: false).compactMap(TicketHash.init(hex:)))
        guard tracked.count == live else {
            throw HTTPBenchmarks.BenchError(description: "the wallet lists \(tracked.count) live tickets, not \(live)")
        }
        let node = try DcrdBackend(configuration: .init(
            host: simwallet.nodeAddress, defaultPort: 0, user: "bench", password: simwallet.password,
            certificatePath: simwallet.certificate, name: "dcrd"), logger: .disabled)
        try await node.connect()
        defer { Task { await node.close() } }

        func round() async throws -> (seconds: Double, peak: Double, before: Double, after: Double) {
            let watch = StakepooldWalletWatch(wallet: wallet, node: node, storage: storage, autoRecover: false,
                                              trackedTickets: { tracked }, logger: .disabled)
            FreedMemory.release()
            ScaleBenchmarks.resetPeakResident()
            let before = HTTPBenchmarks.residentMegabytes()
            let started = DispatchTime.now()
            await watch.tick()
            let seconds = ScaleBenchmarks.seconds(since: started)
            let peak = ScaleBenchmarks.peakResidentMegabytes()
            FreedMemory.release()
            let after = HTTPBenchmarks.residentMegabytes()
            let wallet = watch.report().checks.first { $0.component == "wallet" }
            let figures = Dictionary(wallet?.figures ?? [], uniquingKeysWith: { first, _ in first })
            guard figures["missing_scripts"] == 0, figures["missing_tickets"] == 0 else {
                throw HTTPBenchmarks.BenchError(description: "the round found a difference: \(String(describing: wallet))")
            }
            return (seconds, peak, before, after)
        }
        // A first round maps the database's pages into the process; the second is the figure (a fresh watch: a
        // watch whose wallet holds everything verifies again only after the wallet returns).
        _ = try await round()
        let measured = try await round()
        let prefix = "watch_sqlite_\(users)"
        emit(Figure(bench: "\(prefix)_round", value: measured.seconds, unit: "s", goal: "info").jsonLine)
        emit(Figure(bench: "\(prefix)_rss_growth_peak", value: measured.peak - measured.before, unit: "MB", goal: "info").jsonLine)
        emit(Figure(bench: "\(prefix)_rss_growth_after", value: measured.after - measured.before, unit: "MB", goal: "info").jsonLine)
        emit(Figure(bench: "\(prefix)_rss_before", value: measured.before, unit: "MB", goal: "info").jsonLine)
    }
}
