import Foundation
import PoolKernel
import XCTest
@testable import WebHost

/// Base class: starts servers on loopback ephemeral ports and stops them in tearDown.
class WebHostTestCase: XCTestCase {
    private var running: [(HTTPServer, Task<Void, any Error>)] = []
    var tempDir: URL!
    let logs = CapturingSink()

    override func setUpWithError() throws {
        tempDir = FileManager.default.temporaryDirectory.appendingPathComponent("webhost-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: tempDir, withIntermediateDirectories: true)
    }

    override func tearDown() async throws {
        for (server, task) in running {
            server.shutdown()
            _ = try? await task.value
        }
        running = []
        try? FileManager.default.removeItem(at: tempDir)
    }

    var logger: Logger { LogBackend(level: .info, sinks: [logs]).logger("HTTP") }

    /// Starts a server and returns it with its port.
    func startServer(_ responder: any HTTPResponder, metrics: HTTPServerMetrics? = nil,
                     configure: (inout HTTPServerConfiguration) -> Void = { _ in }) throws -> (HTTPServer, Int) {
        var configuration = HTTPServerConfiguration(listen: .tcp(host: "127.0.0.1", port: 0), eventLoops: 2)
        configure(&configuration)
        let server = HTTPServer(configuration: configuration, responder: responder, logger: logger, metrics: metrics)
        let address = try server.start()
        let task = Task { try await server.run() }
        running.append((server, task))
        return (server, address.port ?? 0)
    }
}
