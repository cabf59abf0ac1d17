import Foundation
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif
import HostKit
import HostTestSupport
import PoolKernel
import PoolTestKit
@testable import WebAppHost
import WebHost
import XCTest

/// The web app's automatic SQLite backups through the real app assembled from a config file: the backup at
/// shutdown into `<datadir>/backups`, `GET /admin/backup` behind the admin gate, and `backupinterval` checked at load.
final class BackupWiringTests: XCTestCase {
    private var directories: [URL] = []
    private var apps: [(WebApp, Task<Void, any Error>)] = []

    override func tearDown() async throws {
        for (app, runner) in apps {
            app.shutdown()
            _ = try? await runner.value
        }
        apps = []
        for directory in directories { try? FileManager.default.removeItem(at: directory) }
    }

    private func newDirectory() throws -> String {
        let directory = try TestEnvironment.makeTemporaryDirectory(prefix: "webapp-backup")
        directories.append(directory)
        return directory.path
    }

    private func config(_ dir: String, adminIPs: String, _ extra: String) throws -> PoolConfig {
        let path = try WebAppTestConfig.write(into: dir, adminIPs: adminIPs, extra: extra)
        let (loaded, _, _) = try PoolConfig.load(arguments: ["-C", path], home: dir, plugins: .builtIn(),
                                                 hostOptions: WebAppHostOptions.all)
        return try XCTUnwrap(loaded)
    }

    private func start(_ config: PoolConfig) async throws -> (WebApp, Int) {
        let app = try await WebApp.assemble(config: config, plugins: .builtIn(), logs: LogBackend(level: .error, sinks: [CapturingSink()]))
        guard case let .tcp(_, port) = try app.bind() else { throw CocoaError(.featureUnsupported) }
        apps.append((app, Task { try await app.run() }))
        return (app, Int(port))
    }

    private func stop(_ app: WebApp) async {
        guard let index = apps.firstIndex(where: { $0.0 === app }) else { return }
        let (_, runner) = apps.remove(at: index)
        app.shutdown()
        _ = try? await runner.value
    }

    private func download(_ port: Int) async throws -> (Int, [String: String], Data) {
        var request = URLRequest(url: try XCTUnwrap(URL(string: "http://127.0.0.1:\(port)/admin/backup")))
        request.timeoutInterval = 10
        let (data, response) = try await URLSession.shared.data(for: request)
        let http = try XCTUnwrap(response as? HTTPURLResponse)
        var headers: [String: String] = [:]
        for (key, value) in http.allHeaderFields { headers[String(describing: key).lowercased()] = String(describing: value) }
        return (http.statusCode, headers, data)
    }

    func testBackup_writtenAtShutdownAndDownloadedByTheAdmin() async throws {
        let dir = try newDirectory()
        let config = try config(dir, adminIPs: "127.0.0.1", "backupinterval=1h\nbackupcount=2")
        let (app, port) = try await start(config)
        _ = try await app.storage.insertUser(User(email: "kept@example.com", passwordHash: "x", emailVerified: .verified))
        let (before, _, beforeBody) = try await download(port)
        XCTAssertEqual(before, 404)
        XCTAssertTrue(String(decoding: beforeBody, as: UTF8.self).contains("No backup has been written yet"))

        await stop(app)
        let backups = config.dataDir + "/backups"
        let files = try FileManager.default.contentsOfDirectory(atPath: backups)
        XCTAssertEqual(files.count, 1, "one backup at shutdown: \(files)")
        let name = try XCTUnwrap(files.first)
        XCTAssertTrue(name.hasPrefix("backup-") && name.hasSuffix(".sqlite"), name)
        let path = backups + "/" + name
        XCTAssertEqual(SQLiteFileCheck.integrity(path), "ok")
        XCTAssertEqual(SQLiteFileCheck.scalar(path, "SELECT Email FROM Users"), "kept@example.com")

        // Started again on the same data: the admin downloads exactly that file.
        let (_, again) = try await start(try self.config(dir, adminIPs: "127.0.0.1", "backupinterval=1h"))
        let (status, headers, body) = try await download(again)
        XCTAssertEqual(status, 200)
        XCTAssertEqual(headers["content-disposition"], "attachment; filename=\"\(name)\"")
        XCTAssertEqual(body, try Data(contentsOf: URL(fileURLWithPath: path)))
        XCTAssertTrue(body.starts(with: Data("SQLite format 3\0".utf8)))
    }

    func testBackupDownload_isBehindTheAdminGate() async throws {
        let dir = try newDirectory()
        let (_, port) = try await start(try config(dir, adminIPs: "10.9.8.7", "backupinterval=1h"))
        let (status, _, body) = try await download(port)
        XCTAssertEqual(status, 403)
        XCTAssertFalse(body.starts(with: Data("SQLite".utf8)))
    }

    func testBackupOptions_badValuesStopTheLoadNamingTheOption() throws {
        let dir = try newDirectory()
        for (extra, expected) in [("backupinterval=5", "backupinterval must be a duration such as 90s, 3m or 1h (0: off), not \"5\""),
                                  ("backupcount=0", "backupcount must be between 1 and 1000")] {
            XCTAssertThrowsError(try config(dir, adminIPs: "127.0.0.1", extra), extra) { error in
                let text = ConfigLoader.describe(error)
                XCTAssertTrue(text.contains("dcrstakepool.conf:") && text.hasSuffix(expected), text)
            }
        }
    }
}
