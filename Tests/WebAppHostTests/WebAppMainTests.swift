import Foundation
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif
import HostKit
import HostTestSupport
import PoolKernel
import PoolctlHost
@testable import WebAppHost
import WebHost
import XCTest

final class WebAppMainTests: XCTestCase {
    private var dir: String!

    override func setUpWithError() throws {
        dir = FileManager.default.temporaryDirectory.appendingPathComponent("webapp-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
    }

    override func tearDownWithError() throws {
        try? FileManager.default.removeItem(atPath: dir)
    }

    private func writeConfig(_ extra: String = "") throws -> String {
        try WebAppTestConfig.write(into: dir, extra: extra)
    }

    private func capture() -> (HostOutput, LockedValue<String>, LockedValue<String>) {
        let out = LockedValue(""), err = LockedValue("")
        return (HostOutput(out: { text in out.withLock { $0 += text + "\n" } },
                           err: { text in err.withLock { $0 += text + "\n" } }), out, err)
    }

    func testWebAppMain_badConfigExitsTwoWithOneSentence() async throws {
        let path = try writeConfig("walethosts=a,b")
        let (output, _, err) = capture()
        let code = await WebAppMain.run(arguments: ["-C", path], output: output)
        XCTAssertEqual(code, ExitCode.usage)
        XCTAssertTrue(err.value.contains("dcrstakepool.conf:13: unknown option \"walethosts\" (did you mean \"wallethosts\"?)"), err.value)
        XCTAssertFalse(err.value.contains("Fatal"), "no stack trace")
    }

    func testWebAppMain_unknownPluginListsKnownNames() async throws {
        let path = try writeConfig("storage=postgres")
        let (output, _, err) = capture()
        let code = await WebAppMain.run(arguments: ["-C", path], output: output)
        XCTAssertEqual(code, ExitCode.usage)
        XCTAssertTrue(err.value.contains("unknown storage plugin \"postgres\" in option storage (known: "), err.value)
        XCTAssertTrue(err.value.contains("sqlite"), err.value)
    }

    func testWebAppMain_helpListsEveryOptionAndVersionPrints() async {
        let (output, out, _) = capture()
        let helpCode = await WebAppMain.run(arguments: ["--help"], output: output)
        XCTAssertEqual(helpCode, ExitCode.ok)
        for spec in WebAppHostOptions.options(plugins: .builtIn()) { XCTAssertTrue(out.value.contains("--\(spec.name)"), spec.name) }
        let (output2, out2, _) = capture()
        let versionCode = await WebAppMain.run(arguments: ["-V"], output: output2)
        XCTAssertEqual(versionCode, ExitCode.ok)
        XCTAssertEqual(out2.value, "hxstakepool version \(WebAppMain.version)\n")
    }

    func testWebAppMain_debugLevelShowPrintsAReadableList() async {
        let (output, out, _) = capture()
        let code = await WebAppMain.run(arguments: ["--simnet", "--debuglevel=show"], output: output)
        XCTAssertEqual(code, ExitCode.ok)
        XCTAssertTrue(out.value.hasPrefix("Supported subsystems:\n"), out.value)
        XCTAssertTrue(out.value.contains("  CTRL  stakepoold control API (server in stakepoold, client in the web app) (also accepted: GRPC)"), out.value)
        XCTAssertFalse(out.value.contains("[\""), "not a Swift array: \(out.value)")
    }

    func testWebAppMain_configMistakesExitTwoNamingOptionAndLine() async throws {
        for (extra, expected) in [("poolfees=150", "dcrstakepool.conf:13: poolfees must be between 0.01 and 100.00"),
                                  ("metricslisten=9102", "dcrstakepool.conf:13: metricslisten must be host:port"),
                                  ("baseurl=http://127.0.0.1:8000/", "dcrstakepool.conf:13: baseurl must not end with a slash"),
                                  ("trustedproxies=nginx.local", "dcrstakepool.conf:13: trustedproxies entry \"nginx.local\""),
                                  ("listen=127.0.0.1:1", "dcrstakepool.conf:13: option listen is set twice (also at dcrstakepool.conf:8)")] {
            let path = try writeConfig(extra)
            let (output, _, err) = capture()
            let code = await WebAppMain.run(arguments: ["-C", path], output: output)
            XCTAssertEqual(code, ExitCode.usage, extra)
            XCTAssertTrue(err.value.contains(expected), "\(extra): \(err.value)")
        }
    }

    /// logrotate renames the log and sends SIGHUP: the real executable keeps serving and writes on in a fresh file
    /// (before, SIGHUP killed it with status 129).
    func testWebAppExecutable_sighupReopensTheLogFileAndKeepsRunning() async throws {
        let binary = try BuiltExecutable.path("hxstakepool")
        let path = try writeConfig()
        let process = Process()
        process.executableURL = URL(fileURLWithPath: binary)
        process.arguments = ["-C", path]
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle.nullDevice
        try process.run()
        defer { if process.isRunning { kill(process.processIdentifier, SIGKILL); process.waitUntilExit() } }
        let logFile = dir + "/logs/simnet/hxstakepool.log"
        try await assertSIGHUPReopensTheLog(of: process, logFile: logFile, readyLine: "listening on", daemon: "the web app")

        kill(process.processIdentifier, SIGTERM)
        process.waitUntilExit()
        XCTAssertEqual(process.terminationReason, .exit)
        XCTAssertEqual(process.terminationStatus, ExitCode.ok)
    }


    /// `poolctl config check` catches what start-up would refuse (issue 18: a bad metricslisten passed the check).
    func testPoolctlConfigCheck_refusesWhatStartupRefuses() async throws {
        for bad in ["metricslisten=9102", "metricslisten=localhost:notaport", "cookiesecret=abc", "adminips=10.0.0.0/40"] {
            let path = try writeConfig(bad)
            let (output, _, err) = capture()
            let code = await PoolctlMain.run(arguments: ["-C", path, "config", "check"], output: output, home: dir)
            XCTAssertEqual(code, ExitCode.usage, bad)
            XCTAssertTrue(err.value.contains("dcrstakepool.conf:13: "), "\(bad): \(err.value)")
        }
        let path = try writeConfig("metricslisten=127.0.0.1:9102")
        let (output, out, err) = capture()
        let code = await PoolctlMain.run(arguments: ["-C", path, "config", "check"], output: output, home: dir)
        XCTAssertEqual(code, ExitCode.ok, err.value)
        XCTAssertTrue(out.value.contains("configuration is valid"), out.value)
    }

    /// A taken port: exit 5 with one "could not bind" (it was doubled: "could not bind could not bind …").
    func testWebAppMain_busyPortSaysCouldNotBindOnce() async throws {
        let holder = try TCPListenerHolder()
        let port = holder.port
        let path = try writeConfig()
        let text = try String(contentsOfFile: path, encoding: .utf8).replacingOccurrences(of: "listen=127.0.0.1:0", with: "listen=127.0.0.1:\(port)")
        try text.write(toFile: path, atomically: true, encoding: .utf8)
        let (output, _, _) = capture()
        let code = await WebAppMain.run(arguments: ["-C", path], output: output)
        XCTAssertEqual(code, ExitCode.listen)
        let log = try String(contentsOfFile: dir + "/logs/simnet/hxstakepool.log", encoding: .utf8)
        let line = try XCTUnwrap(log.split(separator: "\n").first { $0.contains("could not bind") }, log)
        XCTAssertEqual(line.components(separatedBy: "could not bind").count, 2, String(line))
        withExtendedLifetime(holder) {}  // the port stays taken until here
    }

    func testWebApp_servesHealthAndStopsGracefully() async throws {
        let path = try writeConfig()
        let (loaded, _, _) = try PoolConfig.load(arguments: ["-C", path], home: dir, plugins: .builtIn(), hostOptions: WebAppHostOptions.all)
        let config = try XCTUnwrap(loaded)
        let sink = CapturingSink()
        let logs = LogBackend(level: .info, sinks: [sink])
        for secret in config.secrets { logs.registerSecret(secret) }
        let app = try await WebApp.assemble(config: config, plugins: .builtIn(), logs: logs)
        guard case let .tcp(_, port) = try app.bind() else { return XCTFail("not tcp") }
        let runner = Task { try await app.run() }
        let (body, response) = try await URLSession.shared.data(from: URL(string: "http://127.0.0.1:\(port)/health")!)
        XCTAssertEqual((response as? HTTPURLResponse)?.statusCode, 200)
        // /health answers the JSON dependency report (issue 18), no longer a bare "ok".
        XCTAssertTrue(String(decoding: body, as: UTF8.self).hasPrefix(#"{"status":"ok","checks":[{"component":"database","state":"ok"}"#))
        XCTAssertEqual((response as? HTTPURLResponse)?.value(forHTTPHeaderField: "Content-Type"), "application/json; charset=utf-8")
        let (home, homeResponse) = try await URLSession.shared.data(from: URL(string: "http://127.0.0.1:\(port)/")!)
        XCTAssertEqual((homeResponse as? HTTPURLResponse)?.statusCode, 200)
        XCTAssertTrue(String(decoding: home, as: UTF8.self).contains("simnet"), "home page rendered from templates")
        let (stats, _) = try await URLSession.shared.data(from: URL(string: "http://127.0.0.1:\(port)/api/v2/stats")!)
        XCTAssertTrue(String(decoding: stats, as: UTF8.self).hasPrefix(#"{"status":"success","code":0"#))
        app.shutdown()
        try await runner.value
        XCTAssertTrue(FileManager.default.fileExists(atPath: config.sqlitePath), "storage migrated on start")
        XCTAssertTrue(sink.text.contains("mail: log"), sink.text)
        XCTAssertFalse(sink.text.contains("api-secret-value"))
    }

    func testWebApp_unopenableDatabaseIsExitSeven() async throws {
        let path = try writeConfig("sqlitepath=/proc/nope/stakepool.sqlite")
        let (output, _, err) = capture()
        let code = await WebAppMain.run(arguments: ["-C", path], output: output)
        XCTAssertEqual(code, ExitCode.database)
        XCTAssertTrue(err.value.contains("Failed to open database."), err.value)
    }
}

final class ShippedConfigTests: XCTestCase {
    private let repoRoot = WebAppTestConfig.repoRoot

    /// The shipped sample is generated from the option table; regenerate with `poolctl config sample`.
    func testSampleConfig_isUpToDateWithEveryOption() throws {
        let shipped = try String(contentsOfFile: repoRoot + "/examples/dcrstakepool.conf", encoding: .utf8)
        let rendered = SampleConfig.render(WebAppHostOptions.options(plugins: .builtIn()), title: "dcrstakepool.conf for hxstakepool (every option)")
        XCTAssertEqual(shipped.trimmingCharacters(in: .whitespacesAndNewlines), rendered.trimmingCharacters(in: .whitespacesAndNewlines),
                       "examples/dcrstakepool.conf is stale: run `poolctl config sample > examples/dcrstakepool.conf`")
        for spec in WebAppHostOptions.options(plugins: .builtIn()) where !spec.commandLineOnly {
            XCTAssertTrue(shipped.contains(";\(spec.name)="), spec.name)
        }
    }

    /// The sample parses: uncommenting nothing gives only "required option" errors, never syntax errors.
    func testSampleConfig_parses() throws {
        let shipped = try String(contentsOfFile: repoRoot + "/examples/dcrstakepool.conf", encoding: .utf8)
        XCTAssertNoThrow(try INIParser().parse(shipped, path: "dcrstakepool.conf"))
        let dev = try String(contentsOfFile: repoRoot + "/examples/dev.conf", encoding: .utf8)
        let values = try ConfigLoader(specs: WebAppHostOptions.options(plugins: .builtIn()), appName: "t", defaultConfigFile: "/x").load(["-C", repoRoot + "/examples/dev.conf"]).values
        XCTAssertFalse(dev.isEmpty)
        let config = try PoolConfig(values: values, home: "/tmp/home", plugins: .builtIn())
        XCTAssertEqual(config.network, .simnet)
        XCTAssertEqual(config.storagePlugin, "sqlite")
        XCTAssertEqual(config.mailPlugin, "log")
    }
}
