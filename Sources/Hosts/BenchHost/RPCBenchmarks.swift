import Dispatch
import Foundation
import PoolKernel
import PoolNet
import SimnetHost
import WalletDcrwallet
import WalletSimnet

/// RPC speed figures (issue 7): calls over one TLS websocket to a simulated wallet served by
/// `JSONRPCServer` + `WalletRPCHandlers` on loopback, and node notification latency. JSON lines for
/// `poolbench`. Run from a release build.
public enum RPCBenchmarks {
    /// Runs every RPC benchmark and writes one JSON line per figure through `emit`.
    ///
    /// The call figures are measured against the `simwallet` executable (a separate process, as the issue
    /// asks) when it sits next to `poolbench`; otherwise against the same server in-process, and the figure's
    /// name says so. Notification latency needs to trigger notifications, so it always runs in-process.
    public static func runAll(calls: Int = 10_000, print emit: (String) -> Void = { Swift.print($0) }) async throws {
        let bench = try await Bench.start()
        defer { bench.stop() }
        if let remote = try await SimwalletProcess.start() {
            defer { remote.stop() }
            emit(try await sequentialCalls(remote.wallet, calls: calls).jsonLine)
            emit(try await concurrentCalls(remote.wallet, calls: calls * 3, inFlight: 64).jsonLine)
        } else {
            emit(try await sequentialCalls(bench.wallet, calls: calls, suffix: "_inprocess").jsonLine)
            emit(try await concurrentCalls(bench.wallet, calls: calls * 3, inFlight: 64, suffix: "_inprocess").jsonLine)
        }
        emit(try await notificationLatency(bench, count: 2_000).jsonLine)
    }

    /// `getbestblock` calls one after the other, calls/s.
    static func sequentialCalls(_ wallet: DcrwalletBackend, calls: Int, suffix: String = "") async throws -> ChainBenchmarks.Figure {
        for _ in 0..<200 { _ = try await wallet.bestBlock() } // warm-up
        let start = DispatchTime.now().uptimeNanoseconds
        for _ in 0..<calls { _ = try await wallet.bestBlock() }
        let seconds = Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9
        return ChainBenchmarks.Figure(bench: "rpc_calls_sequential_tls\(suffix)", value: Double(calls) / seconds, unit: "calls/s",
                                      goal: ">=10000")
    }

    /// `getbestblock` calls with `inFlight` outstanding at all times, calls/s.
    static func concurrentCalls(_ wallet: DcrwalletBackend, calls: Int, inFlight: Int, suffix: String = "") async throws
        -> ChainBenchmarks.Figure {
        let start = DispatchTime.now().uptimeNanoseconds
        try await withThrowingTaskGroup(of: Void.self) { group in
            let perWorker = calls / inFlight
            for _ in 0..<inFlight {
                group.addTask { for _ in 0..<perWorker { _ = try await wallet.bestBlock() } }
            }
            try await group.waitForAll()
        }
        let seconds = Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9
        return ChainBenchmarks.Figure(bench: "rpc_calls_\(inFlight)_inflight_tls\(suffix)", value: Double(calls / inFlight * inFlight) / seconds,
                                      unit: "calls/s", goal: ">=30000")
    }

    /// Server `notify` → client handler latency for `winningtickets`, p99 in ms (one at a time).
    static func notificationLatency(_ bench: Bench, count: Int) async throws -> ChainBenchmarks.Figure {
        let received = LockedValue<[UInt64]>([])
        let (stream, continuation) = AsyncStream<Void>.makeStream()
        try await bench.node.subscribe { _ in
            let now = DispatchTime.now().uptimeNanoseconds
            received.withLock { $0.append(now) }
            continuation.yield()
        }
        var iterator = stream.makeAsyncIterator()
        var latencies: [Double] = []
        latencies.reserveCapacity(count)
        let tickets = (0..<5).map { String(repeating: String($0), count: 64) }
        for index in 0..<(count + 100) {
            let note = ChainNotification.winningTickets(WinningTickets(blockHash: String(repeating: "f", count: 64),
                                                                       blockHeight: Int64(index), tickets: tickets))
            let sent = DispatchTime.now().uptimeNanoseconds
            guard WalletRPCHandlers.publish(note, on: bench.nodeServer) == 1 else {
                throw NetError(.netProtocol, "the benchmark client is not subscribed")
            }
            _ = await iterator.next()
            let arrived = received.withLock { $0.removeLast() }
            if index >= 100 { latencies.append(Double(arrived - sent) / 1e6) } // first 100 are warm-up
        }
        latencies.sort()
        let p99 = latencies[min(latencies.count - 1, Int(Double(latencies.count) * 0.99))]
        return ChainBenchmarks.Figure(bench: "rpc_notification_latency_p99", value: p99, unit: "ms", goal: "<2")
    }

    /// A simulated wallet and node served over TLS on loopback, with connected RPC clients.
    struct Bench {
        let directory: URL
        let walletServer: JSONRPCServer
        let nodeServer: JSONRPCServer
        let wallet: DcrwalletBackend
        let node: DcrdBackend

        static func start() async throws -> Bench {
            let directory = FileManager.default.temporaryDirectory.appendingPathComponent("rpcbench-\(UUID().uuidString)")
            let cert = directory.appendingPathComponent("rpc.cert").path
            let key = directory.appendingPathComponent("rpc.key").path
            _ = try SelfSignedCertificate.loadOrCreate(certificateFile: cert, privateKeyFile: key)
            let logs = LogBackend(level: .off, sinks: [])
            let simnet = Simnet(configuration: .init(seed: 7, walletCount: 1), logger: logs.logger("SIM"))
            _ = simnet.mine(20)
            func server(_ name: String) throws -> JSONRPCServer {
                try JSONRPCServer(configuration: .init(address: .init(host: "127.0.0.1", port: 0),
                                                       tls: .init(certificateFile: cert, privateKeyFile: key),
                                                       user: "bench", password: "bench-password", name: name),
                                  logger: logs.logger("RPCS"))
            }
            let walletServer = try server("wallet")
            let walletBackend = SimnetWalletBackend(simnet: simnet, walletIndex: 0)
            WalletRPCHandlers.install(WalletRPCHandlers.wallet(walletBackend), raw: WalletRPCHandlers.walletRaw(walletBackend), on: walletServer)
            let nodeServer = try server("node")
            WalletRPCHandlers.install(WalletRPCHandlers.node(SimnetNodeBackend(simnet: simnet)), on: nodeServer, withNotifications: true)
            let walletAddress = try walletServer.start()
            let nodeAddress = try nodeServer.start()
            func endpoint(_ address: PoolNet.HostPort, _ name: String) -> RPCEndpointConfiguration {
                RPCEndpointConfiguration(host: address.description, defaultPort: 0, user: "bench", password: "bench-password",
                                         certificatePath: cert, name: name)
            }
            let wallet = try DcrwalletBackend(configuration: endpoint(walletAddress, "wallet"), logger: logs.logger("WLLT"))
            try await wallet.connect()
            let node = try DcrdBackend(configuration: endpoint(nodeAddress, "dcrd"), logger: logs.logger("DCRD"))
            try await node.connect()
            return Bench(directory: directory, walletServer: walletServer, nodeServer: nodeServer, wallet: wallet, node: node)
        }

        func stop() {
            walletServer.stop()
            nodeServer.stop()
            try? FileManager.default.removeItem(at: directory)
        }
    }
}
