import Foundation
import HostKit
import HostTestSupport
import PoolKernel
import PoolTestKit
import WebAppHost
import WebHost
import XCTest

/// Web apps assembled from a config file (the test config, no `adminips` line, `bcryptcost=4`, then `extra`) and
/// run for one test; `stopAll()` in tearDown stops them and removes their directories.
final class RunningWebApps {
    private var apps: [(WebApp, Task<Void, any Error>)] = []
    private var directories: [URL] = []

    /// Assembles and runs the web app; returns it and its port.
    func start(prefix: String, _ extra: String, plugins: PoolPlugins = .builtIn()) async throws -> (WebApp, Int) {
        let directory = try TestEnvironment.makeTemporaryDirectory(prefix: prefix)
        directories.append(directory)
        let path = try WebAppTestConfig.write(into: directory.path, adminIPs: nil, extra: "bcryptcost=4\n" + extra)
        let (loaded, _, _) = try PoolConfig.load(arguments: ["-C", path], home: directory.path, plugins: plugins,
                                                 hostOptions: WebAppHostOptions.all)
        let app = try await WebApp.assemble(config: try XCTUnwrap(loaded), plugins: plugins,
                                            logs: LogBackend(level: .error, sinks: [CapturingSink()]))
        guard case let .tcp(_, port) = try app.bind() else { throw PageClient.ClientError("the web app did not bind TCP") }
        apps.append((app, Task { try await app.run() }))
        return (app, Int(port))
    }

    func stopAll() async {
        for (app, runner) in apps {
            app.shutdown()
            _ = try? await runner.value
        }
        apps = []
        for directory in directories { try? FileManager.default.removeItem(at: directory) }
        directories = []
    }
}
