import Foundation
import PoolKernel
import StorageSQLite
import WebHost

/// The operator dashboard's speed (`poolbench dashboard`): p99 of `GET /admin` and of a ticket search
/// (`/admin?q=<hash>`) over a SQLite database holding `users` accounts (half with an address), one vote audit record
/// per ticket for `tickets` tickets (2 % missed), 30 days of hourly history and some mail. Goal < 50 ms with 100,000
/// users and 300,000 tickets. Requests go through the router without sockets, behind an IP-only admin gate.
public enum DashboardBenchmarks {
    public static func runAll(users: Int = 100_000, tickets: Int = 300_000, templates: String = "templates",
                              print emit: @escaping @Sendable (String) -> Void = { Swift.print($0) }) async {
        do {
            let (storage, sample, cleanUp) = try await fill(users: users, tickets: tickets)
            defer { cleanUp() }
            func size(_ n: Int) -> String { n >= 1_000 && n % 1_000 == 0 ? "\(n / 1_000)k" : String(n) }
            let scale = "\(size(users))_users_\(size(tickets))_tickets"
            emit(loadLine("start"))
            // As an operator's browser reloads it (one session cookie): the figures are shared for 10 s, so most
            // requests copy and render them; then with sharing off, every request works every figure out again.
            for (variant, maxAge) in [("", Int64(10)), ("_uncached", Int64(0))] {
                let router = try makeRouter(storage: storage, templates: templates, figuresMaxAge: maxAge)
                for (name, target) in [("dashboard", "/admin"), ("dashboard_search", "/admin?q=\(sample)")] {
                    let timing = try await measure(router, target: target, rounds: maxAge == 0 ? 100 : 500)
                    let bench = "\(name)\(variant)_\(scale)"
                    emit(HTTPBenchmarks.Figure(bench: bench + "_p99", value: timing.p99, unit: "ms", goal: "<50").jsonLine)
                    emit(HTTPBenchmarks.Figure(bench: bench + "_p50", value: timing.p50, unit: "ms", goal: "").jsonLine)
                    emit(HTTPBenchmarks.Figure(bench: bench + "_fastest", value: timing.fastest, unit: "ms", goal: "").jsonLine)
                }
            }
            emit(loadLine("end"))
        } catch {
            emit("{\"bench\":\"dashboard\",\"error\":\"\(error)\"}")
        }
    }

    /// The machine's load averages (`/proc/loadavg`), printed beside the figures: on a shared machine they say how
    /// much the figures were slowed by other work.
    static func loadLine(_ when: String) -> String {
        let fields = ((try? String(contentsOfFile: "/proc/loadavg", encoding: .utf8)) ?? "").split(separator: " ").prefix(3)
        return "{\"bench\":\"dashboard_load_average_\(when)\",\"value\":\"\(fields.joined(separator: " "))\",\"unit\":\"1/5/15 min\"}"
    }

    /// A temporary SQLite database filled in a few large transactions; returns it, a ticket hash of the audit, and the
    /// clean-up.
    static func fill(users: Int, tickets: Int) async throws -> (SQLiteStorage, String, () -> Void) {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("dashboardbench-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        let storage = SQLiteStorage(configuration: .init(path: directory.appendingPathComponent("bench.db").path), logger: .disabled)
        try await storage.migrate()
        let now = Int64(Date().timeIntervalSince1970)
        for first in stride(from: 0, to: users, by: 10_000) {
            try await storage.write { tx in
                for n in first..<min(users, first + 10_000) {
                    _ = try tx.insertUser(User(email: "user\(n)@example.com", passwordHash: "x",
                                               multiSigAddress: n % 2 == 0 ? "TcBench\(n)" : "", emailVerified: .verified))
                }
            }
        }
        for first in stride(from: 0, to: tickets, by: 20_000) {
            try await storage.write { tx in
                for n in first..<min(tickets, first + 20_000) {
                    _ = try tx.appendVoteAudit(VoteAuditRecord(
                        ticketHash: String(format: "%064x", n), blockHeight: Int64(n / 5), blockHash: String(repeating: "0", count: 64),
                        userId: UserId(Int64(n % max(1, users) + 1)), voteBits: 1, policyName: "user", reason: "user's choice",
                        result: n % 50 == 0 ? .failed : .voted, detail: n % 50 == 0 ? "wallet timed out" : "",
                        receivedAtMillis: (now - Int64(tickets - n)) * 1_000, decisionMicros: 20, totalMicros: Int64(30_000 + n % 9_000)))
                }
            }
        }
        try await storage.write { tx in
            let hour = PoolHistorySample.hour(containing: now)
            for index in 0..<(30 * 24) {
                try tx.upsertHistorySample(PoolHistorySample(
                    hourStart: hour - Int64(index) * 3_600, liveTickets: Int64(tickets / 6 + index % 97),
                    votedTotal: Int64(max(0, tickets - index * 10)), missedTotal: Int64(max(0, tickets / 50 - index / 5)),
                    users: Int64(max(0, users - index)), activeUsers: Int64(max(0, users / 2 - index / 2)),
                    feeRevenueAtoms: Int64(1_000_000_000_000 - index * 100_000_000)))
            }
            for n in 0..<200 {
                _ = try tx.enqueueMail(OutboxMessage(to: "user\(n)@example.com", subject: "s", body: "b", messageID: "<bench\(n)@pool>",
                                                     status: n % 10 == 0 ? .failed : .queued, attempts: n % 3,
                                                     nextAttemptAt: now + 86_400, createdAt: now))
            }
        }
        return (storage, String(format: "%064x", tickets / 2), {
            Task { await storage.shutdown() }
            try? FileManager.default.removeItem(at: directory)
        })
    }

    /// The dashboard's routes over `storage`, behind an IP-only admin gate.
    static func makeRouter(storage: SQLiteStorage, templates: String, figuresMaxAge: Int64) throws -> Router {
        let renderer = EmailRenderer(configuration: .init(templateDirectory: nil), logger: .disabled)
        let accounts = AccountService(configuration: .init(), storage: storage, renderer: renderer,
                                      tokens: APITokenSigner(secret: "s", issuer: "b"), wakeOutbox: {}, logger: .disabled)
        let wallets = HTTPBenchmarks.FixedWallets()
        let stats = StatsCache(storage: storage, wallets: wallets, configuration: APIConfiguration(), logger: .disabled)
        var configuration = PagesConfiguration(network: "mainnet", poolFees: 7.5, cookieSecret: "bench-secret")
        configuration.dashboardFiguresMaxAge = figuresMaxAge
        let pages = Pages(configuration: configuration,
                          storage: storage, templates: try TemplateLibrary(directory: templates), accounts: accounts,
                          registrar: PagesBenchmarks.NoRegistrar(), wallets: wallets,
                          tickets: PagesBenchmarks.FixedTickets(info: StakePoolUserInfo()), stats: stats, logger: .disabled)
        let guardian = AdminGuard(adminIPs: ["127.0.0.1"], logger: .disabled)
        return Router(routes: pages.adminRoutes(adminGuard: guardian), middleware: [RequestIDMiddleware(), SecurityHeadersMiddleware()])
    }

    struct Timing {
        var p99: Double
        var p50: Double
        var fastest: Double
    }

    /// `rounds` requests for `target` with the session cookie the first answer set (a browser's reloads).
    static func measure(_ router: Router, target: String, rounds: Int) async throws -> Timing {
        let parts = target.split(separator: "?", maxSplits: 1).map(String.init)
        var request = HTTPRequest(method: .get, target: target, path: parts[0], query: parts.count > 1 ? parts[1] : "")
        request.clientIP = "127.0.0.1"
        var samples: [Double] = []
        for _ in 0..<rounds {
            let start = DispatchTime.now().uptimeNanoseconds
            let response = await PagesBenchmarks.respond(router, request)
            guard response.status.code == 200 else { throw HTTPBenchmarks.BenchError(description: "\(target): \(response.status)") }
            samples.append(Double(DispatchTime.now().uptimeNanoseconds - start) / 1_000_000)
            if let session = response.headers.values("Set-Cookie").first(where: { $0.hasPrefix("session=") }) {
                request.headers.set("Cookie", String(session.prefix { $0 != ";" }))
            }
        }
        samples.sort()
        func at(_ fraction: Double) -> Double { samples[min(samples.count - 1, Int(Double(samples.count) * fraction))] }
        return Timing(p99: at(0.99), p50: at(0.5), fastest: samples[0])
    }
}
