import Foundation
import PoolKernel
import PoolNet
import PoolTestKit
import XCTest
@testable import WebHost
#if canImport(Glibc)
import Glibc
#endif

/// Real nginx (Debian nginx-light, installed by `make test`) in front of our server, running
/// examples/nginx.conf with only ports and paths swapped.
final class NginxProxyTests: WebHostTestCase {
    private var nginx: Process?
    private var heldPort: TCPListener?

    override func tearDown() async throws {
        if let nginx, nginx.isRunning {
            nginx.terminate()
            nginx.waitUntilExit()
        }
        heldPort?.close()
        heldPort = nil
        try await super.tearDown()
    }

    private func nginxBinary() throws -> String {
        let path = TestEnvironment.optional("POOL_NGINX_BIN") ?? "/usr/sbin/nginx"
        guard FileManager.default.isExecutableFile(atPath: path) else {
            // Same rule as TestEnvironment.require: skip locally, fail with CI=true.
            return try TestEnvironment.require("POOL_NGINX_BIN")
        }
        return path
    }

    /// A loopback port for nginx's `listen` (nginx cannot report a port it picked): bound on port 0 but not
    /// listening, held until tearDown. nginx (SO_REUSEADDR) may bind it because this socket does not listen, while
    /// no port-0 bind elsewhere is given it: the port is never released for reuse.
    private func heldPortForNginx() throws -> Int {
        let held = try TCPListener(bindTo: PoolNet.HostPort(host: "127.0.0.1", port: 0), listening: false)
        heldPort = held
        return Int(held.localAddress.port)
    }

    func testNginxProxy_pageAPIAssetsAndRealIP() async throws {
        let binary = try nginxBinary()
        // The app: a page, the API (stats), and an endpoint that shows the client IP it resolved.
        let storage = InMemoryStorage()
        let wallets = FakeWalletPool()
        wallets.state.withLock { $0.stakeInfo = StakeInfo(blockHeight: 77, live: 3) }
        let configuration = APIConfiguration(network: "simnet")
        let stats = StatsCache(storage: storage, wallets: wallets, configuration: configuration, logger: logger)
        let api = PoolAPI(configuration: configuration, storage: storage,
                          tokens: APITokenSigner(secret: "s", issuer: "http://pool"), registrar: FakeRegistrar(storage: storage),
                          wallets: wallets, stats: stats, isValidVoteBits: { $0 == 1 }, logger: logger)
        let router = Router(routes: [
            .health(),
            .get("/") { _ in .html("<html><body>Decred Stake Pool</body></html>") },
            .get("/whoami") { .text($0.clientIP) },
        ] + api.routes)
        // nginx connects to the app from 127.0.0.2 (proxy_bind); only that address is a trusted proxy.
        let (_, appPort) = try startServer(router) {
            $0.realIPHeader = "X-Real-IP"
            $0.trustedProxies = ["127.0.0.2"]
        }

        let proxyPort = try heldPortForNginx()
        let root = tempDir.path
        try FileManager.default.createDirectory(atPath: "\(root)/public/css", withIntermediateDirectories: true)
        try Data("body { color: #2970ff; }\n".utf8).write(to: URL(fileURLWithPath: "\(root)/public/css/styles.css"))
        let examplePath = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().appendingPathComponent("examples/nginx.conf").path
        var config = try String(contentsOfFile: examplePath, encoding: .utf8)
        let replacements: [(String, String)] = [
            ("user www-data;\n", ""),
            ("pid /run/nginx-hxstakepool.pid;", "pid \(root)/nginx.pid;"),
            ("error_log /var/log/nginx/hxstakepool.error.log warn;", "error_log \(root)/error.log warn;"),
            ("access_log /var/log/nginx/hxstakepool.access.log;",
             "access_log \(root)/access.log;\n    client_body_temp_path \(root)/body;\n    proxy_temp_path \(root)/proxy;\n"
             + "    fastcgi_temp_path \(root)/fastcgi;\n    uwsgi_temp_path \(root)/uwsgi;\n    scgi_temp_path \(root)/scgi;"),
            ("worker_processes auto;", "worker_processes 1;"),
            ("server 127.0.0.1:8000;", "server 127.0.0.1:\(appPort);"),
            ("listen 80;", "listen 127.0.0.1:\(proxyPort);\n        proxy_bind 127.0.0.2;"),
            ("alias /srv/hxstakepool/public/;", "alias \(root)/public/;"),
        ]
        for (from, to) in replacements {
            XCTAssertTrue(config.contains(from), "examples/nginx.conf no longer contains \(from)")
            config = config.replacingOccurrences(of: from, with: to)
        }
        try config.write(toFile: "\(root)/nginx.conf", atomically: true, encoding: .utf8)

        let process = Process()
        process.executableURL = URL(fileURLWithPath: binary)
        process.arguments = ["-p", root, "-c", "\(root)/nginx.conf", "-g", "daemon off;"]
        try process.run()
        nginx = process
        let deadline = Date().addingTimeInterval(10)
        while (try? RawHTTPClient.get(port: proxyPort, "/health")) == nil {
            guard Date() < deadline, process.isRunning else {
                let log = (try? String(contentsOfFile: "\(root)/error.log", encoding: .utf8)) ?? ""
                return XCTFail("nginx did not start: \(log)")
            }
            try await Task.sleep(for: .milliseconds(50))
        }

        // A page through the proxy.
        let page = try RawHTTPClient.get(port: proxyPort, "/")
        XCTAssertEqual(page.status, 200)
        XCTAssertTrue(page.text.contains("Decred Stake Pool"))
        XCTAssertEqual(page.header("X-Frame-Options"), nil)  // this test router has no middleware; nginx adds none
        // The API through the proxy: same bytes as direct.
        let viaProxy = try RawHTTPClient.get(port: proxyPort, "/api/v1/stats")
        let direct = try RawHTTPClient.get(port: appPort, "/api/v1/stats")
        XCTAssertEqual(viaProxy.status, 200)
        XCTAssertEqual(viaProxy.header("Content-Type"), "application/json; charset=utf-8")
        XCTAssertEqual(viaProxy.body, direct.body)
        XCTAssertTrue(viaProxy.text.contains("\"BlockHeight\":77,"))
        let invalid = try RawHTTPClient.get(port: proxyPort, "/api/v9/stats")
        XCTAssertEqual(invalid.status, 404)
        XCTAssertEqual(invalid.text, "{\"status\":\"error\",\"code\":3,\"message\":\"invalid API command or version\"}\n")
        // Static assets come from nginx itself.
        let asset = try RawHTTPClient.get(port: proxyPort, "/assets/css/styles.css")
        XCTAssertEqual(asset.status, 200)
        XCTAssertEqual(asset.text, "body { color: #2970ff; }\n")
        XCTAssertEqual(asset.header("Content-Type"), "text/css")
        // Real IP: a client at 127.0.0.3 forging X-Real-IP is seen as 127.0.0.3 through nginx…
        XCTAssertEqual(try RawHTTPClient.get(port: proxyPort, "/whoami", headers: ["X-Real-IP": "6.6.6.6"], source: "127.0.0.3").text,
                       "127.0.0.3")
        // …and going around the proxy, its forged header is ignored (127.0.0.1 is not a trusted proxy).
        XCTAssertEqual(try RawHTTPClient.get(port: appPort, "/whoami", headers: ["X-Real-IP": "6.6.6.6"]).text, "127.0.0.1")
    }
}
