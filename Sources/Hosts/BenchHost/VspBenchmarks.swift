import Foundation
import HostKit
import PoolKernel
import WalletSimnet
import WebAppHost
import WebHost
#if canImport(Glibc)
import Glibc
#endif

/// The vspd API v3 front's speed (`poolbench vsp`, issue 24 item 7), against the real web app assembled from a config
/// file with the vspd front (`apifronts=vspd`, SQLite) over simulated dcrd/dcrwallet: the in-process
/// `SimnetVspNodeBackend` / `SimnetVspWalletBackend` registered as the `vspnode` / `vspwallet` plugins.
///
/// - `vsp_vspinfo_rps`: `GET /api/v3/vspinfo` under `wrk -t2 -c64`; `nginx_vspinfo_rps`: nginx serving the same bytes as
///   a static file; `vsp_vspinfo_vs_nginx` = ratio (goal ≥ 0.6). The signed answer is reused within its second.
/// - `vsp_feeaddress_rps` / `_p99`, `vsp_payfee_rps` / `_p99`: `tickets` solo tickets bought beforehand (sent to the
///   node and mined), each request signed with the ticket's commitment key before the clock starts, sent over
///   `connections` keep-alive connections at once, closed loop (goal ≥ 1,000/s each, p99 < 20 ms). Every answer
///   must be 200. `vsp_feeaddress_server_cpu` / `vsp_payfee_server_cpu`: the process's CPU time per request in
///   those runs less the client's; `vsp_client_cpu`: the client's own.
/// - `vsp_feeaddress_open_*`, `vsp_payfee_open_*`: `tickets` more, sent open loop at `openLoopRate` per second
///   (each request due at its scheduled time, latency from then): the achieved rate, p50 and p99 (goal p99 < 20 ms).
/// - Every timed phase starts after `sync(2)` (`settleDisk`).
public enum VspBenchmarks {
    typealias Figure = HTTPBenchmarks.Figure
    typealias BenchError = HTTPBenchmarks.BenchError

    public static func runAll(tickets: Int = 4_000, connections: Int = 32, openLoopRate: Double = 1_000, wrkSeconds: Int = 10,
                              templates: String = "templates",
                              print emit: @escaping @Sendable (String) -> Void = { Swift.print($0) }) async {
        emit(DashboardBenchmarks.loadLine("start").replacingOccurrences(of: "dashboard_", with: "vsp_"))
        do {
            for figure in try await measure(tickets: tickets, connections: connections, openLoopRate: openLoopRate,
                                             wrkSeconds: wrkSeconds, templates: templates) { emit(figure.jsonLine) }
        } catch {
            emit("{\"bench\":\"vsp\",\"error\":\"\(error)\"}")
        }
        emit(DashboardBenchmarks.loadLine("end").replacingOccurrences(of: "dashboard_", with: "vsp_"))
    }

    static func measure(tickets: Int, connections: Int, openLoopRate: Double, wrkSeconds: Int, templates: String) async throws -> [Figure] {
        let root = FileManager.default.temporaryDirectory.appendingPathComponent("vspbench-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: "\(root)/www/api/v3", withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: root) }
        HTTPBenchmarks.raiseFileLimit(to: 8192)

        // The simulated chain: a live ticket pool (vspinfo needs one) and a height past stake validation (a fee > 0).
        let simnet = Simnet(configuration: .init(seed: 7, walletCount: 3), logger: .disabled)
        let network = simnet.network
        let user = try simnet.registerUser(1)
        _ = try simnet.buyTickets(ticketAddress: user.ticketAddress, feeAddress: user.feeAddress, count: 200)
        _ = simnet.mine(network.tickets.stakeValidationHeight + 2)
        // One set of tickets for the closed-loop runs, one for the open-loop runs (a ticket's first feeaddress is the one measured).
        let closedClients = try (0..<tickets).map { _ in try SoloClient(simnet: simnet) }
        let openClients = try (0..<tickets).map { _ in try SoloClient(simnet: simnet) }
        _ = simnet.mine()

        let app = try await assembleWebApp(simnet: simnet, root: root, templates: templates)
        guard case let .tcp(_, boundPort) = try app.bind() else { throw BenchError(description: "the web app did not bind TCP") }
        let port = Int(boundPort)
        let runner = Task { try await app.run() }
        defer { app.shutdown() }

        var figures = try await vspInfoFigures(port: port, root: root, seconds: wrkSeconds)

        let closed = try feeAddressThenPayFee(simnet: simnet, clients: closedClients) { requests in
            try VspLoadClient.run(port: port, connections: connections, requests: requests)
        }
        // Enough connections that a free one is always there at the offered rate while answers take < 2×connections ms.
        let open = try feeAddressThenPayFee(simnet: simnet, clients: openClients) { requests in
            try VspLoadClient.run(port: port, connections: 2 * connections, requests: requests, rate: openLoopRate)
        }
        app.shutdown()
        _ = try? await runner.value

        for (name, run) in [("feeaddress", closed.feeAddress), ("payfee", closed.payFee)] {
            figures.append(Figure(bench: "vsp_\(name)_rps", value: run.requestsPerSecond, unit: "req/s", goal: ">=1000"))
            figures.append(Figure(bench: "vsp_\(name)_p99", value: run.percentile(0.99), unit: "ms", goal: "<20"))
        }
        for (name, run) in [("feeaddress", open.feeAddress), ("payfee", open.payFee)] {
            figures.append(Figure(bench: "vsp_\(name)_open_rps", value: run.requestsPerSecond, unit: "req/s",
                                  goal: "offered \(Int(openLoopRate))"))
            figures.append(Figure(bench: "vsp_\(name)_open_p50", value: run.percentile(0.5), unit: "ms", goal: "reference"))
            figures.append(Figure(bench: "vsp_\(name)_open_p99", value: run.percentile(0.99), unit: "ms", goal: "<20"))
        }
        for (name, run) in [("feeaddress", closed.feeAddress), ("payfee", closed.payFee)] {
            figures.append(Figure(bench: "vsp_\(name)_server_cpu", value: run.serverCPUMillisecondsPerRequest, unit: "ms/req",
                                  goal: "reference"))
        }
        let clientCPU = (closed.feeAddress.clientCPUSeconds + closed.payFee.clientCPUSeconds) * 1000
            / Double(max(1, closed.feeAddress.answers.count + closed.payFee.answers.count))
        figures.append(Figure(bench: "vsp_client_cpu", value: clientCPU, unit: "ms/req", goal: "reference"))
        return figures
    }

    /// One feeaddress per client, then (each quote paid by the simulated wallet, not timed) one payfee per client,
    /// both sent by `send`.
    static func feeAddressThenPayFee(simnet: Simnet, clients: [SoloClient],
                                     send: ([[UInt8]]) throws -> VspLoadClient.Run) throws -> (feeAddress: VspLoadClient.Run, payFee: VspLoadClient.Run) {
        settleDisk()
        let quotes = try send(clients.map { try $0.feeAddressRequest() })
        let payments = try zip(clients, quotes.answers.map(\.body)).map { (client: SoloClient, body: [UInt8]) -> [UInt8] in
            guard let quote = try JSONSerialization.jsonObject(with: Data(body)) as? [String: Any],
                  let address = quote["feeaddress"] as? String, let amount = (quote["feeamount"] as? NSNumber)?.int64Value else {
                throw BenchError(description: "feeaddress answer without an address and amount")
            }
            return try client.payFeeRequest(feeTx: simnet.buildFeePayment(address: address, atoms: amount))
        }
        settleDisk()
        return (quotes, try send(payments))
    }

    /// Flushes the dirty pages the previous phase left (`sync(2)`, untimed), so every phase starts from the same
    /// disk state and pays for its own writes, not for the writeback of the burst before it (the closed-loop payfee
    /// writes ~40 MB of WAL a second just before the open-loop feeaddress).
    static func settleDisk() {
        #if canImport(Glibc)
        sync()
        #endif
    }

    /// The web app from a config file as an operator writes it, with the simulation's dcrd and wallets as the vspd
    /// plugins `simbench`; no rate limit (one client address sends everything).
    static func assembleWebApp(simnet: Simnet, root: String, templates: String) async throws -> WebApp {
        var plugins = PoolPlugins.builtIn()
        plugins.vspNode.register("simbench") { _ in
            ConnectableBackend(SimnetVspNodeBackend(simnet: simnet), label: "simnet dcrd", connect: {})
        }
        plugins.vspWallets.register("simbench") { _ in
            VspWalletSet(wallets: (0..<simnet.walletCount).map { SimnetVspWalletBackend(simnet: simnet, walletIndex: $0) },
                         labels: (0..<simnet.walletCount).map { "simnet dcrwallet \($0)" }, connect: {})
        }
        let templatePath = URL(fileURLWithPath: templates).standardizedFileURL.path
        let lines = [
            "apisecret=vsp-bench-api-secret-0123456789abcdef", "cookiesecret=vsp-bench-cookie-secret-0123456789abcdef",
            "coldwalletextpub=\(SimnetWalletPlugin.defaultKeys.cold)", "votingwalletextpub=\(SimnetWalletPlugin.defaultKeys.voting)",
            "adminips=127.0.0.1", "wallet=simnet", "simnet=1", "listen=127.0.0.1:0", "datadir=\(root)/data", "logdir=\(root)/logs",
            "templatepath=\(templatePath)", "publicpath=\(URL(fileURLWithPath: templatePath).deletingLastPathComponent().path)/public",
            "ratelimit=0", "maxconnectionsperip=0", "bcryptcost=4",
            "apifronts=vspd", "vspnode=simbench", "vspwallet=simbench", "vspfee=2.5", "vspfeexpub=\(simnet.coldExtendedPublicKey)",
        ]
        try lines.joined(separator: "\n").write(toFile: "\(root)/dcrstakepool.conf", atomically: true, encoding: .utf8)
        let (loaded, _, _) = try PoolConfig.load(arguments: ["-C", "\(root)/dcrstakepool.conf"], home: root, plugins: plugins,
                                                 hostOptions: WebAppHostOptions.all)
        guard let config = loaded else { throw BenchError(description: "the bench config did not load") }
        return try await WebApp.assemble(config: config, plugins: plugins, logs: LogBackend(level: .critical, sinks: []))
    }

    /// wrk against `/api/v3/vspinfo` and against nginx serving the bytes it answered.
    static func vspInfoFigures(port: Int, root: String, seconds: Int) async throws -> [Figure] {
        let body = try HTTPBenchmarks.httpGet(port: port, path: "/api/v3/vspinfo")
        guard String(decoding: body, as: UTF8.self).hasPrefix(#"{"apiversions":[3]"#) else {
            throw BenchError(description: "vspinfo answered \(String(decoding: body.prefix(200), as: UTF8.self))")
        }
        let wrk = try HTTPBenchmarks.tool("POOL_WRK_BIN", "/usr/bin/wrk")
        let nginx = try await StaticNginx.start(root: root, path: "/api/v3/vspinfo", body: body)
        defer { nginx.stop() }
        let ours = try HTTPBenchmarks.runWrk(wrk, url: "http://127.0.0.1:\(port)/api/v3/vspinfo", seconds: seconds)
        let theirs = try HTTPBenchmarks.runWrk(wrk, url: "http://127.0.0.1:\(nginx.port)/api/v3/vspinfo", seconds: seconds)
        return [
            Figure(bench: "vsp_vspinfo_rps", value: ours.requestsPerSecond, unit: "req/s", goal: ">=0.6x nginx"),
            Figure(bench: "nginx_vspinfo_rps", value: theirs.requestsPerSecond, unit: "req/s", goal: "reference"),
            Figure(bench: "vsp_vspinfo_vs_nginx", value: ours.requestsPerSecond / max(theirs.requestsPerSecond, 1), unit: "ratio",
                   goal: ">=0.6"),
            Figure(bench: "vsp_vspinfo_p99", value: ours.p99Milliseconds, unit: "ms", goal: "reference"),
        ]
    }

    // MARK: - The client's side

    /// One vspd client's solo ticket: its own voting and commitment keys, the ticket bought and sent to the node.
    struct SoloClient {
        let network: NetParams
        let commitmentKey: [UInt8]
        let votingWIF: String
        let ticket: SimnetSoloTicket

        init(simnet: Simnet) throws {
            network = simnet.network
            var generator = SystemRandomNumberGenerator()
            func key() -> [UInt8] { (0..<32).map { _ in UInt8.random(in: 1...255, using: &generator) } }
            commitmentKey = key()
            let voting = try WIF(privateKey: key(), network: network)
            votingWIF = voting.encoded
            let commitment = try WIF(privateKey: commitmentKey, network: network)
            ticket = try simnet.buySoloTicket(
                votingAddress: try Address.pubKeyHash(publicKey: voting.publicKey(), network: network).encoded,
                commitmentAddress: try Address.pubKeyHash(publicKey: commitment.publicKey(), network: network).encoded,
                broadcast: true)
        }

        func feeAddressRequest() throws -> [UInt8] {
            try post("feeaddress", #"{"timestamp":\#(Self.now),"tickethash":"\#(ticket.ticketHash)","tickethex":"\#(ticket.ticketHex)","parenthex":"\#(ticket.parentHex)"}"#)
        }

        func payFeeRequest(feeTx: String) throws -> [UInt8] {
            try post("payfee", #"{"timestamp":\#(Self.now),"tickethash":"\#(ticket.ticketHash)","feetx":"\#(feeTx)","votingkey":"\#(votingWIF)","votechoices":{},"tspendpolicy":{},"treasurypolicy":{}}"#)
        }

        static var now: Int64 { Int64(Date().timeIntervalSince1970) }

        /// The whole HTTP/1.1 request, signed with the commitment key (`VSP-Client-Signature`).
        func post(_ endpoint: String, _ json: String) throws -> [UInt8] {
            let body = Array(json.utf8)
            let signature = try SignedMessage.sign(body, privateKey: commitmentKey)
            return Array("POST /api/v3/\(endpoint) HTTP/1.1\r\nHost: bench\r\nContent-Type: application/json\r\nContent-Length: \(body.count)\r\nVSP-Client-Signature: \(signature)\r\n\r\n".utf8) + body
        }
    }
}
