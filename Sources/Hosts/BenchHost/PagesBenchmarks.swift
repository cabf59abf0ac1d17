import Foundation
import PoolKernel
import StorageSQLite
import WebHost

/// HTML page speed, printed as JSON lines for `poolbench` (release build): the tickets page for a signed-in
/// user with 10,000 and 50,000 tickets (p99 of the whole handler: session, user, classification, template;
/// goals < 50 ms and < 200 ms) and the home page rendered on one task (goal ≥ 5,000 req/s).
/// Requests go through the router (middleware included) without sockets, so the figures are the page's own cost.
public enum PagesBenchmarks {
    struct FixedTickets: TicketInfoSource {
        let info: StakePoolUserInfo
        func stakePoolUserInfo(multisigAddress: String) async throws -> StakePoolUserInfo { info }
        func bestBlockHeight() async throws -> Int64 { 100_000 }
    }

    struct NoRegistrar: AddressRegistering {
        func register(userID: UserId, pubKeyAddress: String) async throws -> User {
            throw RegistrationError.walletsUnavailable
        }
    }

    public static func runAll(templates: String = "templates", print emit: @escaping @Sendable (String) -> Void = { Swift.print($0) }) async {
        do {
            for (count, goal) in [(10_000, "<50"), (50_000, "<200")] {
                let p99 = try await ticketsP99(tickets: count, templates: templates)
                emit(HTTPBenchmarks.Figure(bench: "pages_tickets_\(count / 1000)k_p99", value: p99, unit: "ms", goal: goal).jsonLine)
            }
            let rps = try await homeRate(templates: templates)
            emit(HTTPBenchmarks.Figure(bench: "pages_home_rps", value: rps, unit: "req/s", goal: ">=5000").jsonLine)
        } catch {
            emit("{\"bench\":\"pages\",\"error\":\"\(error)\"}")
        }
    }

    /// Builds the pages over a temporary SQLite database with one signed-in user; returns the router and cookie.
    static func setUp(tickets: Int, templates: String) async throws -> (Router, String, () -> Void) {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("pagesbench-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        let storage = SQLiteStorage(configuration: .init(path: directory.appendingPathComponent("bench.db").path), logger: .disabled)
        try await storage.migrate()
        let user = try await storage.insertUser(User(email: "bench@example.com", passwordHash: "x",
                                                    multiSigAddress: "TcBench", multiSigScript: "5121",
                                                    emailVerified: .verified, apiToken: "t"))
        var list: [StakePoolUserTicket] = []
        list.reserveCapacity(tickets)
        for i in 0..<tickets {
            let hash = TicketHash(w0: 0, w1: 0, w2: 0, w3: UInt64(i))
            let status = ["live", "voted", "missed", "expired"][i % 4]
            list.append(StakePoolUserTicket(status: status, ticket: hash, ticketHeight: UInt32(i % 90_000), spentBy: hash,
                                            spentByHeight: UInt32(90_000 + i % 10_000)))
        }
        let renderer = EmailRenderer(configuration: .init(templateDirectory: nil), logger: .disabled)
        let accounts = AccountService(configuration: .init(), storage: storage, renderer: renderer,
                                      tokens: APITokenSigner(secret: "s", issuer: "b"), wakeOutbox: {}, logger: .disabled)
        let configuration = PagesConfiguration(network: "mainnet", maxVotedAge: 8640, cookieSecret: "bench-secret")
        let pages = Pages(configuration: configuration, storage: storage, templates: try TemplateLibrary(directory: templates),
                          accounts: accounts, registrar: NoRegistrar(), wallets: HTTPBenchmarks.FixedWallets(),
                          tickets: FixedTickets(info: StakePoolUserInfo(tickets: list)), stats: nil, logger: .disabled)
        let cookie = try await pages.benchmarkSession(for: user.id)
        let router = Router(routes: pages.routes, middleware: [RequestIDMiddleware(), SecurityHeadersMiddleware()])
        return (router, cookie, { try? FileManager.default.removeItem(at: directory) })
    }

    static func respond(_ router: Router, _ request: HTTPRequest) async -> HTTPResponse {
        switch router.respond(to: request) {
        case .immediate(let response): return response
        case .deferred(let work): return await work()
        }
    }

    static func ticketsP99(tickets: Int, templates: String) async throws -> Double {
        let (router, cookie, cleanUp) = try await setUp(tickets: tickets, templates: templates)
        defer { cleanUp() }
        var request = HTTPRequest(method: .get, target: "/tickets")
        request.headers.add("Cookie", "session=\(cookie)")
        var samples: [Double] = []
        let rounds = tickets >= 50_000 ? 40 : 100
        for _ in 0..<rounds {
            let start = DispatchTime.now().uptimeNanoseconds
            let response = await respond(router, request)
            guard response.status.code == 200 else { throw HTTPBenchmarks.BenchError(description: "tickets page \(response.status)") }
            samples.append(Double(DispatchTime.now().uptimeNanoseconds - start) / 1_000_000)
        }
        samples.sort()
        return samples[min(samples.count - 1, Int(Double(samples.count) * 0.99))]
    }

    static func homeRate(templates: String) async throws -> Double {
        let (router, _, cleanUp) = try await setUp(tickets: 0, templates: templates)
        defer { cleanUp() }
        let request = HTTPRequest(method: .get, target: "/")
        let start = DispatchTime.now().uptimeNanoseconds
        var count = 0
        while DispatchTime.now().uptimeNanoseconds - start < 2_000_000_000 {
            _ = await respond(router, request)
            count += 1
        }
        return Double(count) / (Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9)
    }
}

extension PagesBenchmarks {
    /// Stage timings of the tickets page (`poolbench pages-stages`): median of 20 runs per stage, to find
    /// where the time goes when a goal is missed.
    public static func stages(templates: String = "templates", print emit: @escaping @Sendable (String) -> Void = { Swift.print($0) }) async {
        for count in [10_000, 50_000] {
            var list: [StakePoolUserTicket] = []
            for i in 0..<count {
                let hash = TicketHash(w0: 0, w1: 0, w2: 0, w3: UInt64(i))
                list.append(StakePoolUserTicket(status: ["live", "voted", "missed", "expired"][i % 4], ticket: hash,
                                                ticketHeight: UInt32(i % 90_000), spentBy: hash,
                                                spentByHeight: UInt32(90_000 + i % 10_000)))
            }
            do {
                let storage = SQLiteStorage(configuration: .init(path: ":memory:"), logger: .disabled)
                let renderer = EmailRenderer(configuration: .init(templateDirectory: nil), logger: .disabled)
                let accounts = AccountService(configuration: .init(), storage: storage, renderer: renderer,
                                              tokens: APITokenSigner(secret: "s", issuer: "b"), wakeOutbox: {}, logger: .disabled)
                let pages = Pages(configuration: PagesConfiguration(network: "mainnet", maxVotedAge: 8640, cookieSecret: "b"),
                                  storage: storage, templates: try TemplateLibrary(directory: templates), accounts: accounts,
                                  registrar: NoRegistrar(), wallets: HTTPBenchmarks.FixedWallets(),
                                  tickets: FixedTickets(info: StakePoolUserInfo()), stats: nil, logger: .disabled)
                let user = User(email: "bench@example.com", passwordHash: "x", multiSigAddress: "TcBench", multiSigScript: "5121",
                                emailVerified: .verified, apiToken: "t")
                var runs: [[(stage: String, ms: Double)]] = []
                for _ in 0..<20 {
                    runs.append(pages.benchmarkTicketsStages(info: StakePoolUserInfo(tickets: list), bestHeight: 100_000, user: user))
                }
                for (index, stage) in runs[0].enumerated() {
                    let values = runs.map { $0[index].ms }.sorted()
                    emit("{\"bench\":\"pages_tickets_\(count / 1000)k_\(stage.stage)\",\"value\":\(values[values.count / 2]),\"unit\":\"\(stage.stage.hasSuffix("_mb") ? "MB" : "ms")\"}")
                }
                await storage.shutdown()
            } catch {
                emit("{\"bench\":\"pages-stages\",\"error\":\"\(error)\"}")
            }
        }
    }
}
