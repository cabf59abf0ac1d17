import Foundation
import PoolKernel
import StorageSQLite
import WebHost
#if canImport(Glibc)
import Glibc
#endif

/// Web host speed, printed as JSON lines for `poolbench` / `make bench` (release build only):
///
/// - `http_stats_rps`: `GET /api/v2/stats` on our server (full middleware stack, cached stats) under
///   `wrk -t2 -c64 -d10s`; `nginx_static_rps`: nginx serving the same JSON bytes as a static file
///   under the same load; `http_stats_vs_nginx` = ratio (goal ≥ 0.6).
/// - `http_stats_p99`: p99 latency of our server at that load (goal < 10 ms).
/// - `http_rss_2000_idle`: this process's RSS with 2,000 idle keep-alive connections open (goal < 200 MB).
public enum HTTPBenchmarks {
    /// The same JSON line as every other group's figures.
    public typealias Figure = ChainBenchmarks.Figure

    struct BenchError: Error, CustomStringConvertible { let description: String }

    /// A fixed wallet view: the stats never need a wallet during the run.
    struct FixedWallets: WalletPoolReporting {
        var isStopped: Bool { false }
        func stakeInfo() async throws -> StakeInfo {
            StakeInfo(blockHeight: 281_234, poolSize: 40_960, difficulty: 118.47, allMempoolTix: 20, ownMempoolTix: 3,
                      immature: 12, live: 1_234, proportionLive: 0.0301, voted: 9_876, totalSubsidy: 1_234.5678,
                      missed: 21, proportionMissed: 0.0021, revoked: 21, expired: 2)
        }
        func walletStatuses() async -> [WalletSlotStatus] { [] }
    }

    /// Runs every web benchmark; figures that cannot be measured (no wrk/nginx) print an `error` line.
    public static func runAll(duration: Int = 10, print emit: @escaping @Sendable (String) -> Void = { Swift.print($0) }) async {
        do {
            for figure in try await measure(duration: duration) { emit(figure.jsonLine) }
        } catch {
            emit("{\"bench\":\"http\",\"error\":\"\(error)\"}")
        }
    }

    static func measure(duration: Int) async throws -> [Figure] {
        let wrk = try tool("POOL_WRK_BIN", "/usr/bin/wrk")
        let root = FileManager.default.temporaryDirectory.appendingPathComponent("httpbench-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: root, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: root) }
        raiseFileLimit(to: 8192)

        // Our server with the production router and a SQLite store (user counts come from it).
        let storage = SQLiteStorage(configuration: .init(path: "\(root)/bench.sqlite"), logger: .disabled)
        try await storage.migrate()
        let configuration = APIConfiguration(network: "mainnet", poolEmail: "admin@example.com", poolFees: 7.5)
        let stats = StatsCache(storage: storage, wallets: FixedWallets(), configuration: configuration, logger: .disabled)
        guard let snapshot = await stats.refresh() else { throw BenchError(description: "stats refresh failed") }
        _ = snapshot
        let api = PoolAPI(configuration: configuration, storage: storage, tokens: APITokenSigner(secret: "bench", issuer: "http://bench"),
                          registrar: NoRegistrar(), wallets: FixedWallets(), stats: stats, isValidVoteBits: { $0 == 1 },
                          logger: .disabled)
        let registry = MetricsRegistry()
        let router = WebStack.router(api: api, status: nil, adminGuard: AdminGuard(adminIPs: ["127.0.0.1"], logger: .disabled),
                                     metrics: registry, rateLimiter: nil)
        var serverConfiguration = HTTPServerConfiguration(listen: .tcp(host: "127.0.0.1", port: 0), accessLog: false)
        serverConfiguration.maxConnections = 10_000
        let server = HTTPServer(configuration: serverConfiguration, responder: router, logger: .disabled)
        let port = try server.start().port ?? 0
        let serverTask = Task { try await server.run() }
        defer { server.shutdown() }

        // The same bytes as a static file behind nginx.
        let body = try httpGet(port: port, path: "/api/v2/stats")
        let nginx = try await StaticNginx.start(root: root, path: "/api/v2/stats", body: body)
        defer { nginx.stop() }
        let nginxPort = nginx.port

        let ours = try runWrk(wrk, url: "http://127.0.0.1:\(port)/api/v2/stats", seconds: duration)
        let theirs = try runWrk(wrk, url: "http://127.0.0.1:\(nginxPort)/api/v2/stats", seconds: duration)

        // RSS with 2,000 idle keep-alive connections (each has completed one request).
        // `poolbench` runs this group in its own process, so the RSS is the web server's (after the wrk runs);
        // the growth caused by the idle connections alone is reported too.
        let rssBefore = residentMegabytes()
        var idle: [Int32] = []
        defer { for fd in idle { close(fd) } }
        for _ in 0..<2000 {
            let fd = try connectLoopback(port: port)
            idle.append(fd)
            try sendAll(fd, Array("GET /health HTTP/1.1\r\nHost: bench\r\n\r\n".utf8))
        }
        for fd in idle { _ = try readSome(fd) }
        try await Task.sleep(for: .milliseconds(200))
        let rss = residentMegabytes()
        let held = server.openConnectionCount

        server.shutdown()
        _ = try? await serverTask.value
        await storage.shutdown()
        return [
            Figure(bench: "http_stats_rps", value: ours.requestsPerSecond, unit: "req/s", goal: ">=0.6x nginx"),
            Figure(bench: "nginx_static_rps", value: theirs.requestsPerSecond, unit: "req/s", goal: "reference"),
            Figure(bench: "http_stats_vs_nginx", value: ours.requestsPerSecond / max(theirs.requestsPerSecond, 1), unit: "ratio", goal: ">=0.6"),
            Figure(bench: "http_stats_p99", value: ours.p99Milliseconds, unit: "ms", goal: "<10"),
            Figure(bench: "nginx_static_p99", value: theirs.p99Milliseconds, unit: "ms", goal: "reference"),
            Figure(bench: "http_idle_connections_held", value: Double(held), unit: "connections", goal: ">=2000"),
            Figure(bench: "http_rss_2000_idle", value: rss, unit: "MB", goal: "<200"),
            Figure(bench: "http_rss_growth_2000_idle", value: rss - rssBefore, unit: "MB", goal: "<200"),
        ]
    }

    struct NoRegistrar: AddressRegistering {
        func register(userID: UserId, pubKeyAddress: String) async throws -> User { throw RegistrationError.walletsUnavailable }
    }

    // MARK: - wrk

    struct WrkResult {
        var requestsPerSecond: Double
        var p99Milliseconds: Double
    }

    static func runWrk(_ wrk: String, url: String, seconds: Int) throws -> WrkResult {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: wrk)
        process.arguments = ["-t2", "-c64", "-d\(seconds)s", "--latency", url]
        let pipe = Pipe()
        process.standardOutput = pipe
        process.standardError = pipe
        try process.run()
        let output = String(decoding: pipe.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        process.waitUntilExit()
        guard let rps = output.split(separator: "\n").first(where: { $0.contains("Requests/sec:") })
            .flatMap({ Double($0.split(separator: " ").last ?? "") }) else {
            throw BenchError(description: "wrk output without Requests/sec")
        }
        var p99 = -1.0
        if let line = output.split(separator: "\n").first(where: { $0.trimmingCharacters(in: .whitespaces).hasPrefix("99%") }),
           let value = line.split(separator: " ").last {
            p99 = milliseconds(String(value))
        }
        if output.contains("Non-2xx") { throw BenchError(description: "wrk saw non-2xx responses for \(url)") }
        return WrkResult(requestsPerSecond: rps, p99Milliseconds: p99)
    }

    /// wrk's `1.23ms`, `456.00us`, `1.02s`.
    static func milliseconds(_ text: String) -> Double {
        if text.hasSuffix("us"), let value = Double(text.dropLast(2)) { return value / 1000 }
        if text.hasSuffix("ms"), let value = Double(text.dropLast(2)) { return value }
        if text.hasSuffix("s"), let value = Double(text.dropLast(1)) { return value * 1000 }
        return -1
    }

    // MARK: - Small POSIX helpers

    static func tool(_ variable: String, _ fallback: String) throws -> String {
        let path = ProcessInfo.processInfo.environment[variable] ?? fallback
        guard FileManager.default.isExecutableFile(atPath: path) else {
            throw BenchError(description: "\(path) not found (make bench installs wrk and nginx-light)")
        }
        return path
    }

    static func raiseFileLimit(to wanted: rlim_t) {
        var limit = rlimit()
        getrlimit(Int32(RLIMIT_NOFILE.rawValue), &limit)
        if limit.rlim_cur < wanted {
            limit.rlim_cur = min(wanted, limit.rlim_max)
            setrlimit(Int32(RLIMIT_NOFILE.rawValue), &limit)
        }
    }

    static func freePort() throws -> Int {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        defer { close(fd) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        inet_pton(AF_INET, "127.0.0.1", &address.sin_addr)
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        let ok = withUnsafeMutablePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, length) == 0 && getsockname(fd, $0, &length) == 0 }
        }
        guard ok else { throw BenchError(description: "no free port") }
        return Int(UInt16(bigEndian: address.sin_port))
    }

    static func connectLoopback(port: Int) throws -> Int32 {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = in_port_t(UInt16(port).bigEndian)
        inet_pton(AF_INET, "127.0.0.1", &address.sin_addr)
        let rc = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        guard fd >= 0, rc == 0 else { close(fd); throw BenchError(description: "connect failed: \(errno)") }
        var timeout = timeval(tv_sec: 5, tv_usec: 0)
        setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
        return fd
    }

    static func sendAll(_ fd: Int32, _ bytes: [UInt8]) throws {
        var offset = 0
        while offset < bytes.count {
            let sent = bytes.withUnsafeBytes { send(fd, $0.baseAddress! + offset, bytes.count - offset, Int32(MSG_NOSIGNAL)) }
            guard sent > 0 else { throw BenchError(description: "send failed") }
            offset += sent
        }
    }

    static func readSome(_ fd: Int32) throws -> [UInt8] {
        var buffer = [UInt8](repeating: 0, count: 16_384)
        let count = buffer.withUnsafeMutableBytes { recv(fd, $0.baseAddress, $0.count, 0) }
        guard count > 0 else { throw BenchError(description: "recv failed") }
        return Array(buffer[0..<count])
    }

    /// One GET on a fresh connection; returns the body (Content-Length framed).
    static func httpGet(port: Int, path: String) throws -> [UInt8] {
        let fd = try connectLoopback(port: port)
        defer { close(fd) }
        try sendAll(fd, Array("GET \(path) HTTP/1.1\r\nHost: bench\r\nConnection: close\r\n\r\n".utf8))
        var data: [UInt8] = []
        while true {
            var buffer = [UInt8](repeating: 0, count: 16_384)
            let count = buffer.withUnsafeMutableBytes { recv(fd, $0.baseAddress, $0.count, 0) }
            if count <= 0 { break }
            data += buffer[0..<count]
        }
        let separator: [UInt8] = [13, 10, 13, 10]
        guard let end = (0..<max(0, data.count - 3)).first(where: { Array(data[$0..<($0 + 4)]) == separator }) else {
            throw BenchError(description: "no HTTP response")
        }
        return Array(data[(end + 4)...])
    }

    static func residentMegabytes() -> Double {
        guard let status = try? String(contentsOfFile: "/proc/self/status", encoding: .utf8),
              let line = status.split(separator: "\n").first(where: { $0.hasPrefix("VmRSS:") }),
              let kilobytes = Double(line.split(separator: " ").dropFirst().first ?? "") else { return -1 }
        return kilobytes / 1024
    }
}
