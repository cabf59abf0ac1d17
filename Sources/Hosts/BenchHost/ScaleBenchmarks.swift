import Foundation
import PoolKernel
import PoolNet
import PoolSystem
import StorageMySQL
import StorageSQLite
import WalletDcrwallet
import WebHost

/// `poolbench scale` (issue 23 item 4): a pool of `users` users on one box, one JSON line per figure.
///
/// Two voting wallets are a `simwallet` child serving the real JSON-RPC over TLS, each holding every user's script
/// (imported by the first startup sync, as for wallets restored from seed), ~41,000 live tickets spread over the
/// users, 3 historic (voted) tickets per user and 10,000 more for user 1 (`simfabricatetickets`). On SQLite, then on
/// MySQL (`POOL_MYSQL_DSN`), the same users are written and measured: the startup sync of a restart (goal < 30 s),
/// `/api/v2/stats` p99 under wrk (< 10 ms), the tickets page of user 1 p99 (< 50 ms, over the wallets), a
/// registration p99 on the full database (< 20 ms, in-process simulated wallets), this process's RSS (< 1 GB; it
/// holds what the web app holds: storage, wallet clients, pages, API) and the database size.
public enum ScaleBenchmarks {
    public typealias Figure = ChainBenchmarks.Figure

    static let liveTickets = 41_000
    static let historicPerUser = 3
    static let heavyUserTickets = 10_000

    public static func runAll(users: Int, print emit: @escaping @Sendable (String) -> Void) async {
        let steal = HostSteal()
        defer {
            emit(Figure(bench: "scale_host_steal", value: steal.percent, unit: "%", goal: "info").jsonLine)
            emit(Figure(bench: "scale_load_average", value: loadAverage(), unit: "runnable", goal: "info").jsonLine)
        }
        do {
            guard let simwallet = try await SimwalletProcess.start(wallets: 2) else {
                emit(#"{"bench":"scale","error":"simwallet not found next to poolbench (make bench builds it)"}"#)
                return
            }
            defer { simwallet.stop() }
            let wallets = try await connectWallets(simwallet)
            var filled = false
            let directory = FileManager.default.temporaryDirectory.appendingPathComponent("poolbench-scale-\(UUID().uuidString)")
            try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
            defer { try? FileManager.default.removeItem(at: directory) }
            let path = directory.appendingPathComponent("scale.sqlite").path
            let sqlite = SQLiteStorage(configuration: .init(path: path), logger: .disabled)
            try await run(engine: "sqlite", storage: sqlite, users: users, simwallet: simwallet, wallets: wallets,
                          webApp: ["--storage=sqlite", "--sqlitepath=\(path)"], directory: directory,
                          filled: &filled, size: { Self.fileBytes(path) }, emit: emit)
            await sqlite.shutdown()
            guard let dsn = ProcessInfo.processInfo.environment["POOL_MYSQL_DSN"], !dsn.isEmpty else {
                emit(#"{"bench":"scale_mysql","error":"POOL_MYSQL_DSN not set (run through scripts/with-test-services.sh)"}"#)
                return
            }
            var configuration = try MySQLStoragePlugin.Configuration(dsn: dsn)
            configuration.poolSize = 8
            let mysql = MySQLStorage(configuration: configuration, logger: .disabled)
            try await run(engine: "mysql", storage: mysql, users: users, simwallet: simwallet, wallets: wallets,
                          webApp: WebAppRestartProbe.mysqlOptions(configuration), directory: directory, filled: &filled, size: { (try? await mysql.dataSizeBytes()) ?? -1 }, emit: emit)
            await mysql.shutdown()
        } catch {
            emit("{\"bench\":\"scale\",\"error\":\"\(String(describing: error).replacingOccurrences(of: "\"", with: "'"))\"}")
        }
    }

    /// User `n`'s redeem script: the 1-of-2 multisig layout registrations make (stand-in keys, unique per user).
    static func script(_ n: Int) -> String {
        String(format: "512102%056x%08x2103%056x%08x52ae", 0xab, n, 0xcd, n)
    }

    static func connectWallets(_ simwallet: SimwalletProcess) async throws -> [DcrwalletBackend] {
        var wallets: [DcrwalletBackend] = []
        for (index, address) in simwallet.walletAddresses.enumerated() {
            let wallet = try DcrwalletBackend(configuration: RPCEndpointConfiguration(
                host: address, defaultPort: 0, user: "bench", password: simwallet.password, certificatePath: simwallet.certificate,
                callTimeout: .seconds(600), name: "wallet \(index)", maxMessageSize: WalletMessageSizeOption.defaultMiB << 20,
                maxMessageSizeOption: WalletMessageSizeOption.name), logger: .disabled)
            try await wallet.connect()
            wallets.append(wallet)
        }
        return wallets
    }

    static func run(engine: String, storage: any StorageBackend, users: Int, simwallet: SimwalletProcess,
                    wallets: [DcrwalletBackend], webApp: [String], directory: URL, filled: inout Bool,
                    size: () async -> Int64,
                    emit: @Sendable (String) -> Void) async throws {
        let prefix = "scale_\(engine)_\(users)"
        try await storage.migrate()
        var started = DispatchTime.now()
        try await insertUsers(users, into: storage)
        emit(Figure(bench: "\(prefix)_insert_users", value: seconds(since: started), unit: "s", goal: "info").jsonLine)

        let pool = WalletPool(members: wallets.enumerated().map { .init(label: "wallet \($0.offset)", backend: $0.element) },
                              configuration: .init(minServers: 2), logger: .disabled)
        let sync = StartupSync(pool: pool, storage: storage, configuration: .init(concurrency: 64), logger: .disabled)
        // The first start on this database: it brings the users' vote bits to the wallets' vote version, and, on
        // wallets restored from seed (the first engine), imports every user's script into both.
        started = DispatchTime.now()
        let first = try await sync.run(agendas: { _ in [] })
        let expected = filled ? [0, 0] : [users, users]
        guard first.scriptsImported == expected else {
            throw HTTPBenchmarks.BenchError(description: "first sync imported \(first.scriptsImported), not \(expected)")
        }
        emit(Figure(bench: "\(prefix)_first_sync\(filled ? "" : "_import")", value: seconds(since: started), unit: "s",
                    goal: "info").jsonLine)
        if !filled {
            try await fabricateTickets(simwallet, users: users)
            filled = true
        }
        // A restart: every script and ticket already on both wallets; listscripts carries `users` scripts.
        FreedMemory.release()
        resetPeakResident()
        started = DispatchTime.now()
        let report = try await sync.run(agendas: { _ in [] })
        let syncSeconds = seconds(since: started)
        let peakAfterSync = peakResidentMegabytes()
        FreedMemory.release() // as the web app does after its start-up sync
        let rssAfterSync = HTTPBenchmarks.residentMegabytes()
        guard report.totalScripts == users, report.scriptsImported == [0, 0], report.ticketsAdded == [0, 0],
              report.voteBitsVersionUpdated == 0 else {
            throw HTTPBenchmarks.BenchError(description: "restart sync was not a no-op: \(report)")
        }
        emit(Figure(bench: "\(prefix)_startup_sync", value: syncSeconds, unit: "s", goal: "<30").jsonLine)
        emit(Figure(bench: "\(prefix)_live_tickets_synced", value: Double(report.totalTickets), unit: "tickets", goal: "info").jsonLine)
        // The same restart in a real `hxstakepool` (this process also holds the bench's set-up): the web app's RSS.
        let child = try WebAppRestartProbe.measure(storage: webApp, simwallet: simwallet, directory: directory)
        emit(Figure(bench: "\(prefix)_webapp_start_to_listen", value: child.seconds, unit: "s", goal: "info").jsonLine)
        emit(Figure(bench: "\(prefix)_webapp_rss_peak_start", value: child.peakMB, unit: "MB", goal: "<1024").jsonLine)
        emit(Figure(bench: "\(prefix)_webapp_rss_anon_at_peak", value: child.anonAtPeakMB, unit: "MB", goal: "info").jsonLine)
        emit(Figure(bench: "\(prefix)_webapp_rss_file_at_peak", value: child.fileAtPeakMB, unit: "MB", goal: "info").jsonLine)
        emit(Figure(bench: "\(prefix)_webapp_rss_listening", value: child.listeningMB, unit: "MB", goal: "<1024").jsonLine)

        emit(Figure(bench: "\(prefix)_stats_p99", value: try await statsP99(storage: storage, pool: pool), unit: "ms",
                    goal: "<10").jsonLine)
        var walletShare = 0.0
        emit(Figure(bench: "\(prefix)_tickets_page_10k_p99",
                    value: try await ticketsPageP99(storage: storage, pool: pool, walletShare: &walletShare,
                                                    simwallet: simwallet.process.processIdentifier,
                                                    emit: { emit(Figure(bench: "\(prefix)_\($0)", value: $1, unit: "ms", goal: "info").jsonLine) }),
                    unit: "ms", goal: "<50").jsonLine)
        emit(Figure(bench: "\(prefix)_stakepooluserinfo_10k_p99", value: walletShare, unit: "ms", goal: "info").jsonLine)
        emit(Figure(bench: "\(prefix)_registration_p99", value: try await registrationP99(storage: storage, users: users),
                    unit: "ms", goal: "<20").jsonLine)
        emit(Figure(bench: "\(prefix)_rss", value: HTTPBenchmarks.residentMegabytes(), unit: "MB", goal: "<1024").jsonLine)
        emit(Figure(bench: "\(prefix)_rss_peak_restart_sync", value: peakAfterSync, unit: "MB", goal: "<1024").jsonLine)
        emit(Figure(bench: "\(prefix)_rss_after_sync", value: rssAfterSync, unit: "MB", goal: "<1024").jsonLine)
        emit(Figure(bench: "\(prefix)_database_size", value: Double(await size()) / 1_048_576, unit: "MB", goal: "info").jsonLine)
    }

    /// `users` registered users (ids 1…users), 2,000 per transaction, with real P2SH addresses of their scripts.
    static func insertUsers(_ users: Int, into storage: any StorageBackend) async throws {
        var start = 0
        while start < users {
            let range = start..<min(users, start + 2_000)
            let rows = try range.map { n -> User in
                let script = Self.script(n)
                let address = try Address.scriptHash(script: Hex.decode(script), network: .simnet).encoded
                return User(email: "scale-\(n)@bench.example", passwordHash: "x", multiSigAddress: address,
                            multiSigScript: script, userPubKeyAddr: "SkScale\(n)", heightRegistered: 0,
                            emailVerified: .verified, apiToken: "scale-token-\(n)")
            }
            try await storage.write { tx in for row in rows { _ = try tx.insertUser(row) } }
            start = range.upperBound
        }
    }

    /// Mines past the ticket maturity, then adds the history on the simulated chain.
    static func fabricateTickets(_ simwallet: SimwalletProcess, users: Int) async throws {
        let control = try JSONRPCClient(configuration: JSONRPCClientConfiguration(
            address: try PoolNet.HostPort(parsing: simwallet.nodeAddress, defaultPort: 0),
            tls: TLSClientConfiguration(trust: .certificateFile(simwallet.certificate)), user: "bench",
            password: simwallet.password, callTimeout: .seconds(600), name: "control"), logger: .disabled)
        try await control.connect()
        defer { control.close() }
        _ = try await control.call("simmine", [.int(40)])
        let heavy = try Address.scriptHash(script: Hex.decode(script(0)), network: .simnet).encoded
        _ = try await control.call("simfabricatetickets", [.int(Int64(historicPerUser)), .int(Int64(min(liveTickets, users))),
                                                          .string(heavy), .int(Int64(heavyUserTickets))])
    }

    /// `/api/v2/stats` p99 under `wrk -t2 -c64` for 5 s, with the stats of this database and wallets.
    static func statsP99(storage: any StorageBackend, pool: WalletPool) async throws -> Double {
        let wrk = try HTTPBenchmarks.tool("POOL_WRK_BIN", "/usr/bin/wrk")
        let configuration = APIConfiguration(network: "simnet", poolEmail: "admin@example.com", poolFees: 7.5)
        let stats = StatsCache(storage: storage, wallets: pool, configuration: configuration, logger: .disabled)
        guard await stats.refresh() != nil else { throw HTTPBenchmarks.BenchError(description: "stats refresh failed") }
        let api = PoolAPI(configuration: configuration, storage: storage, tokens: APITokenSigner(secret: "scale", issuer: "http://bench"),
                          registrar: HTTPBenchmarks.NoRegistrar(), wallets: pool, stats: stats, isValidVoteBits: { $0 == 1 },
                          logger: .disabled)
        let router = WebStack.router(api: api, status: nil, adminGuard: AdminGuard(adminIPs: ["127.0.0.1"], logger: .disabled),
                                     metrics: MetricsRegistry(), rateLimiter: nil)
        let server = HTTPServer(configuration: HTTPServerConfiguration(listen: .tcp(host: "127.0.0.1", port: 0), accessLog: false),
                                responder: router, logger: .disabled)
        let port = try server.start().port ?? 0
        let serverTask = Task { try await server.run() }
        defer { server.shutdown() }
        let result = try HTTPBenchmarks.runWrk(wrk, url: "http://127.0.0.1:\(port)/api/v2/stats", seconds: 5)
        server.shutdown()
        _ = try? await serverTask.value
        return result.p99Milliseconds
    }

    /// The tickets page of user 1 (10,000 voted tickets and its 3 + live ones), through the router with a session,
    /// its tickets asked from the wallets over JSON-RPC: p99 of 100 requests.
    /// Beside the p99s, `emit` gets each loop's median and the CPU one request costs the web app's side (this process:
    /// the JSON-RPC client, the reply's decoding, the page) and simwallet (`simwallet` is its pid), which a loaded
    /// machine does not inflate as it does wall-clock time.
    static func ticketsPageP99(storage: any StorageBackend, pool: WalletPool, walletShare: inout Double, simwallet: Int32,
                               emit: (String, Double) -> Void) async throws -> Double {
        let renderer = EmailRenderer(configuration: .init(templateDirectory: nil), logger: .disabled)
        let accounts = AccountService(configuration: .init(), storage: storage, renderer: renderer,
                                      tokens: APITokenSigner(secret: "s", issuer: "b"), wakeOutbox: {}, logger: .disabled)
        let pages = Pages(configuration: PagesConfiguration(network: "simnet", maxVotedAge: 1_000_000, cookieSecret: "scale-secret"),
                          storage: storage, templates: try TemplateLibrary(directory: "templates"), accounts: accounts,
                          registrar: PagesBenchmarks.NoRegistrar(), wallets: pool, tickets: pool, stats: nil, logger: .disabled)
        let cookie = try await pages.benchmarkSession(for: UserId(1))
        let router = Router(routes: pages.routes, middleware: [RequestIDMiddleware(), SecurityHeadersMiddleware()])
        // The wallet's share alone (stakepooluserinfo over JSON-RPC), to tell it from the page's.
        let address = try await storage.user(id: UserId(1))?.multiSigAddress ?? ""
        var walletSamples: [Double] = []
        var cpu = (ProcessCPU.seconds(), ProcessCPU.seconds(pid: simwallet))
        func cpuPerRequest(_ label: String, _ requests: Int) {
            let now = (ProcessCPU.seconds(), ProcessCPU.seconds(pid: simwallet))
            emit("\(label)_cpu_web", 1000 * (now.0 - cpu.0) / Double(requests))
            emit("\(label)_cpu_simwallet", 1000 * (now.1 - cpu.1) / Double(requests))
            cpu = now
        }
        for _ in 0..<20 {
            let start = DispatchTime.now().uptimeNanoseconds
            let info = try await pool.stakePoolUserInfo(multisigAddress: address)
            guard info.tickets.count >= heavyUserTickets else {
                throw HTTPBenchmarks.BenchError(description: "user 1 has \(info.tickets.count) tickets, not \(heavyUserTickets)+")
            }
            walletSamples.append(Double(DispatchTime.now().uptimeNanoseconds - start) / 1_000_000)
        }
        walletShare = percentile99(walletSamples)
        cpuPerRequest("stakepooluserinfo_10k", walletSamples.count)
        emit("stakepooluserinfo_10k_median", walletSamples.sorted()[walletSamples.count / 2])
        var request = HTTPRequest(method: .get, target: "/tickets")
        request.headers.add("Cookie", "session=\(cookie)")
        var samples: [Double] = []
        for _ in 0..<100 {
            let start = DispatchTime.now().uptimeNanoseconds
            let response = await PagesBenchmarks.respond(router, request)
            guard response.status.code == 200 else { throw HTTPBenchmarks.BenchError(description: "tickets page \(response.status)") }
            samples.append(Double(DispatchTime.now().uptimeNanoseconds - start) / 1_000_000)
        }
        cpuPerRequest("tickets_page_10k", samples.count)
        emit("tickets_page_10k_median", samples.sorted()[samples.count / 2])
        return percentile99(samples)
    }

    /// 500 new users each submit an address on the full database (3 in-process simulated wallets): p99.
    static func registrationP99(storage: any StorageBackend, users: Int) async throws -> Double {
        let count = 500
        var ids: [UserId] = []
        for n in 0..<count {
            ids.append(try await storage.insertUser(User(email: "scale-new-\(n)@bench.example", passwordHash: "x",
                                                         emailVerified: .verified)).id)
        }
        let world = BenchWorld()
        let wallets = (0..<3).map { BenchWallet(world: world, index: $0) }
        let pool = WalletPool(members: wallets.enumerated().map { .init(label: "bench\($0.offset)", backend: $0.element) },
                              configuration: .init(minServers: 2), logger: .disabled)
        let registration = AddressRegistration(pool: pool, storage: storage, keys: BenchKeys(), logger: .disabled)
        var samples: [Double] = []
        for id in ids {
            let start = DispatchTime.now().uptimeNanoseconds
            _ = try await registration.registerAddress(
                userId: id, pubKeyAddress: BenchKeys.userAddresses[Int(id.rawValue) % BenchKeys.userAddresses.count])
            samples.append(Double(DispatchTime.now().uptimeNanoseconds - start) / 1_000_000)
        }
        return percentile99(samples)
    }

    static func percentile99(_ samples: [Double]) -> Double {
        let sorted = samples.sorted()
        return sorted[min(sorted.count - 1, Int(Double(sorted.count) * 0.99))]
    }

    static func seconds(since start: DispatchTime) -> Double {
        Double(DispatchTime.now().uptimeNanoseconds - start.uptimeNanoseconds) / 1e9
    }

    static func fileBytes(_ path: String) -> Int64 {
        [path, path + "-wal"].reduce(0) { total, file in
            total + ((try? FileManager.default.attributesOfItem(atPath: file)[.size] as? Int64) ?? 0)
        }
    }

    /// The 1-minute load average (the machine is shared: figures mean more with it).
    static func loadAverage() -> Double {
        guard let text = try? String(contentsOfFile: "/proc/loadavg", encoding: .utf8) else { return -1 }
        return Double(text.split(separator: " ").first ?? "") ?? -1
    }

    /// Starts VmHWM afresh (Linux `clear_refs` 5), so the next peak is the restart sync's, not the set-up's.
    static func resetPeakResident() {
        try? "5".write(toFile: "/proc/self/clear_refs", atomically: false, encoding: .utf8)
    }

    /// VmHWM: the most this process was resident at once.
    static func peakResidentMegabytes() -> Double {
        guard let status = try? String(contentsOfFile: "/proc/self/status", encoding: .utf8),
              let line = status.split(separator: "\n").first(where: { $0.hasPrefix("VmHWM:") }),
              let kilobytes = Double(line.split(separator: " ").dropFirst().first ?? "") else { return -1 }
        return kilobytes / 1024
    }
}
