import XCTest
@testable import PoolKernel

final class LoggingTests: XCTestCase {
    func testLogger_formatAndLevels() {
        let sink = CapturingSink()
        let backend = LogBackend(level: .info, sinks: [sink])
        let log = backend.logger("POOL")
        log.debug("hidden")
        log.info("shown")
        backend.setLevel(.debug, for: "POOL")
        log.debug("now shown")
        backend.logger("HTTP").debug("still hidden")
        XCTAssertEqual(sink.captured.count, 2)
        XCTAssertNotNil(sink.captured[0].range(of: #"^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d\.\d{3} \[INF\] POOL: shown$"#, options: .regularExpression))
        XCTAssertTrue(sink.captured[1].hasSuffix("[DBG] POOL: now shown"))
    }

    func testLogger_secretsAreRedacted() throws {
        let sink = CapturingSink()
        let backend = LogBackend(level: .trace, sinks: [sink])
        let config = try PoolConfig(values: {
            var values = OptionValues(specs: WebAppOptions.all)
            for (key, value) in [("apisecret", "sup3r-api-secret"), ("cookiesecret", "c00kie-secret"), ("coldwalletextpub", "x"),
                                 ("votingwalletextpub", "y"), ("adminips", "127.0.0.1"), ("wallet", "simnet"),
                                 ("smtppassword", "smtp-pass-word")] {
                try values.set(key, value, source: .commandLine(flag: "--\(key)"))
            }
            return values
        }(), home: "/h")
        for secret in config.secrets { backend.registerSecret(secret) }
        let log = backend.logger("DCRS")
        log.info("config: apisecret=\(config.apiSecret) cookiesecret=\(config.cookieSecret) smtp=\(config.smtp.password)")
        XCTAssertFalse(sink.text.contains("sup3r-api-secret"))
        XCTAssertFalse(sink.text.contains("c00kie-secret"))
        XCTAssertFalse(sink.text.contains("smtp-pass-word"))
        XCTAssertTrue(sink.text.contains("apisecret=*** cookiesecret=*** smtp=***"))
    }

    func testRotatingFileSink_rotatesAndKeepsThreeFiles() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("logs-\(UUID().uuidString)").path
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let sink = try RotatingFileSink(directory: dir, fileName: "pool.log", maxBytes: 100, keep: 3)
        for index in 0..<40 { sink.write("line \(index) " + String(repeating: "x", count: 20)) }
        let files = try FileManager.default.contentsOfDirectory(atPath: dir).sorted()
        XCTAssertEqual(files, ["pool.log", "pool.log.1", "pool.log.2", "pool.log.3"])
        let current = try String(contentsOfFile: dir + "/pool.log", encoding: .utf8)
        XCTAssertTrue(current.contains("line 39"))
    }
}
