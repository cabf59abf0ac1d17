import Foundation
import PoolKernel
import StorageSQLite
import Synchronization
import WebHost
#if canImport(Glibc)
import Glibc
#endif

/// bcrypt must never starve the server (issue 17): latency of `GET /api/v2/stats` and of the home page (a page
/// handler on Swift's cooperative pool, like `/signin` itself) while 50 clients keep posting wrong passwords to
/// `/signin` (bcrypt at the default cost 10 each), over real sockets to the real pages + API router on SQLite.
/// Printed with the `http` group:
///
/// - `http_stats_p99_signin_storm`: p99 of sequential stats requests during the storm, bcrypt on its bounded
///   queue (`PasswordHasher` default width) — goal < 50 ms.
/// - `pages_home_p99_signin_storm`: p99 of the home page, requested in turn with stats — goal < 50 ms.
/// - `http_signin_storm_rate`: sign-ins answered per second during that run (reference).
/// - `…_unbounded`: the same two latencies with a bcrypt queue as wide as the storm (reference).
public enum SignInStormBenchmark {
    public typealias Figure = ChainBenchmarks.Figure

    public static func runAll(seconds: Int = 8, clients: Int = 50,
                              print emit: @escaping @Sendable (String) -> Void = { Swift.print($0) }) async {
        do {
            let bounded = try await measure(seconds: seconds, clients: clients, hasherWidth: BoundedWorkQueue.defaultWidth)
            emit(Figure(bench: "http_stats_p99_signin_storm", value: bounded.statsP99, unit: "ms", goal: "<50").jsonLine)
            emit(Figure(bench: "pages_home_p99_signin_storm", value: bounded.homeP99, unit: "ms", goal: "<50").jsonLine)
            emit(Figure(bench: "http_signin_storm_rate", value: bounded.signInsPerSecond, unit: "req/s", goal: "reference").jsonLine)
            let unbounded = try await measure(seconds: seconds, clients: clients, hasherWidth: clients)
            emit(Figure(bench: "http_stats_p99_signin_storm_unbounded", value: unbounded.statsP99, unit: "ms",
                        goal: "reference").jsonLine)
            emit(Figure(bench: "pages_home_p99_signin_storm_unbounded", value: unbounded.homeP99, unit: "ms",
                        goal: "reference").jsonLine)
        } catch {
            emit("{\"bench\":\"http_signin_storm\",\"error\":\"\(error)\"}")
        }
    }

    struct Result {
        var statsP99: Double
        var homeP99: Double
        var signInsPerSecond: Double
    }

    static func measure(seconds: Int, clients: Int, hasherWidth: Int) async throws -> Result {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("stormbench-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        HTTPBenchmarks.raiseFileLimit(to: 8192)
        let storage = SQLiteStorage(configuration: .init(path: directory.appendingPathComponent("bench.db").path), logger: .disabled)
        try await storage.migrate()
        _ = try await storage.insertUser(User(email: "owner@example.com",
                                              passwordHash: try BCrypt.hash(password: "owner-Pass-0001"),
                                              emailVerified: .verified))

        let apiConfiguration = APIConfiguration(network: "mainnet", poolEmail: "admin@example.com", poolFees: 7.5)
        let stats = StatsCache(storage: storage, wallets: HTTPBenchmarks.FixedWallets(), configuration: apiConfiguration,
                               logger: .disabled)
        guard await stats.refresh() != nil else { throw HTTPBenchmarks.BenchError(description: "stats refresh failed") }
        let tokens = APITokenSigner(secret: "bench", issuer: "http://bench")
        let api = PoolAPI(configuration: apiConfiguration, storage: storage, tokens: tokens, registrar: HTTPBenchmarks.NoRegistrar(),
                          wallets: HTTPBenchmarks.FixedWallets(), stats: stats, isValidVoteBits: { $0 == 1 }, logger: .disabled)
        // The throttle is opened wide: the storm is about bcrypt's cost, not about being refused early.
        let throttle = SignInThrottle(perIP: 1_000_000_000, perAccountIP: 1_000_000_000, accountSlowdownAfter: 1_000_000_000)
        let accounts = AccountService(configuration: .init(throttle: throttle),
                                      storage: storage,
                                      renderer: EmailRenderer(configuration: .init(templateDirectory: nil), logger: .disabled),
                                      tokens: tokens, wakeOutbox: {}, logger: .disabled,
                                      hasher: PasswordHasher(cost: BCrypt.defaultCost, width: hasherWidth))
        let pages = Pages(configuration: PagesConfiguration(network: "mainnet", maxVotedAge: 8640, cookieSecret: "bench-secret"),
                          storage: storage, templates: try TemplateLibrary(directory: "templates"), accounts: accounts,
                          registrar: HTTPBenchmarks.NoRegistrar(), wallets: HTTPBenchmarks.FixedWallets(),
                          tickets: PagesBenchmarks.FixedTickets(info: StakePoolUserInfo()), stats: stats, logger: .disabled)
        let router = WebStack.router(api: api, status: nil, adminGuard: AdminGuard(adminIPs: ["127.0.0.1"], logger: .disabled),
                                     metrics: nil, rateLimiter: nil, pages: pages.routes)
        var serverConfiguration = HTTPServerConfiguration(listen: .tcp(host: "127.0.0.1", port: 0), accessLog: false)
        serverConfiguration.maxConnections = 10_000
        let server = HTTPServer(configuration: serverConfiguration, responder: router, logger: .disabled)
        let port = try server.start().port ?? 0
        let serverTask = Task { try await server.run() }

        let control = StormControl()
        let group = DispatchGroup()
        for _ in 0..<clients {
            group.enter()
            Thread.detachNewThread {
                defer { group.leave() }
                guard let form = try? SignInForm.open(port: port) else { control.failed(); return }
                while !control.stopped {
                    guard (try? form.postWrongPassword(port: port)) != nil else { control.failed(); return }
                    control.answered()
                }
            }
        }
        // Warm-up: let the storm fill the bcrypt queue first.
        try await Task.sleep(for: .seconds(1))
        let answeredBefore = control.answeredCount
        let started = Date()
        let latencies = try await Task.detached { () throws -> [String: [Double]] in
            var latencies: [String: [Double]] = [:]
            while Date().timeIntervalSince(started) < Double(seconds) {
                for path in ["/api/v2/stats", "/"] {
                    let begin = DispatchTime.now().uptimeNanoseconds
                    _ = try HTTPBenchmarks.httpGet(port: port, path: path)
                    latencies[path, default: []].append(Double(DispatchTime.now().uptimeNanoseconds - begin) / 1_000_000)
                }
            }
            return latencies
        }.value
        let elapsed = Date().timeIntervalSince(started)
        let answered = control.answeredCount - answeredBefore
        control.stop()
        await withCheckedContinuation { continuation in
            group.notify(queue: .global()) { continuation.resume() }
        }
        server.shutdown()
        _ = try? await serverTask.value
        await storage.shutdown()
        guard control.failures == 0 else {
            throw HTTPBenchmarks.BenchError(description: "\(control.failures) sign-in clients failed")
        }
        func p99(_ path: String) throws -> Double {
            let sorted = (latencies[path] ?? []).sorted()
            guard !sorted.isEmpty else { throw HTTPBenchmarks.BenchError(description: "no \(path) request completed") }
            return sorted[min(sorted.count - 1, Int(Double(sorted.count) * 0.99))]
        }
        return Result(statsP99: try p99("/api/v2/stats"), homeP99: try p99("/"), signInsPerSecond: Double(answered) / elapsed)
    }

    /// Shared by the storm threads: stop flag and counters.
    final class StormControl: Sendable {
        private let stopFlag = Atomic<Bool>(false)
        private let answers = Atomic<Int>(0)
        private let failureCount = Atomic<Int>(0)
        var stopped: Bool { stopFlag.load(ordering: .relaxed) }
        func stop() { stopFlag.store(true, ordering: .relaxed) }
        func answered() { answers.add(1, ordering: .relaxed) }
        var answeredCount: Int { answers.load(ordering: .relaxed) }
        func failed() { failureCount.add(1, ordering: .relaxed) }
        var failures: Int { failureCount.load(ordering: .relaxed) }
    }

    /// One client's sign-in form: its session cookies and CSRF token.
    struct SignInForm {
        let cookies: String
        let csrfToken: String

        static func open(port: Int) throws -> SignInForm {
            let response = try exchange(port: port, "GET /signin HTTP/1.1\r\nHost: bench\r\nConnection: close\r\n\r\n")
            let text = String(decoding: response, as: UTF8.self)
            let cookies = text.split(separator: "\r\n").filter { $0.lowercased().hasPrefix("set-cookie:") }
                .map { $0.dropFirst("set-cookie:".count).split(separator: ";")[0].trimmingCharacters(in: .whitespaces) }
                .joined(separator: "; ")
            guard let range = text.range(of: #"name="csrf_token" value="[0-9a-f]+""#, options: .regularExpression) else {
                throw HTTPBenchmarks.BenchError(description: "no CSRF token on /signin")
            }
            let token = text[range].split(separator: "\"")[3]
            return SignInForm(cookies: cookies, csrfToken: String(token))
        }

        func postWrongPassword(port: Int) throws {
            let body = "csrf_token=\(csrfToken)&email=owner%40example.com&password=wrong-Pass-0001"
            let response = try Self.exchange(port: port, "POST /signin HTTP/1.1\r\nHost: bench\r\nConnection: close\r\n"
                + "Cookie: \(cookies)\r\nContent-Type: application/x-www-form-urlencoded\r\n"
                + "Content-Length: \(body.utf8.count)\r\n\r\n\(body)")
            guard String(decoding: response.prefix(12), as: UTF8.self) == "HTTP/1.1 200" else {
                throw HTTPBenchmarks.BenchError(description: "sign-in answered \(String(decoding: response.prefix(40), as: UTF8.self))")
            }
        }

        /// Sends `request` on a fresh connection and reads until the server closes it.
        static func exchange(port: Int, _ request: String) throws -> [UInt8] {
            let fd = try HTTPBenchmarks.connectLoopback(port: port)
            defer { close(fd) }
            var timeout = timeval(tv_sec: 60, tv_usec: 0)
            setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
            try HTTPBenchmarks.sendAll(fd, Array(request.utf8))
            var data: [UInt8] = []
            while true {
                var buffer = [UInt8](repeating: 0, count: 16_384)
                let count = buffer.withUnsafeMutableBytes { recv(fd, $0.baseAddress, $0.count, 0) }
                if count <= 0 { break }
                data += buffer[0..<count]
            }
            return data
        }
    }
}
