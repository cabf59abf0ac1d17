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

    // MARK: - Logs cannot be forged (issue 17.9)

    func testLogger_userTextCannotEndTheLineOrForgeAnEntry() {
        let sink = CapturingSink()
        let log = LogBackend(level: .info, sinks: [sink]).logger("CNTL")
        // What a client controls: an email, a path, a header — with a forged second entry and terminal escapes.
        let email = "a@example.com\n2026-01-01 00:00:00.000 [INF] DCRS: admin signed in\r"
        log.info("sign-in failed for \(email) path /x\u{1b}[2J\u{7f} header \u{2028}evil\u{202E}txt.exe\tend")
        XCTAssertEqual(sink.captured.count, 1)
        let line = sink.captured[0]
        XCTAssertFalse(line.contains("\n") || line.contains("\r") || line.contains("\u{1b}") || line.contains("\u{7f}"), line)
        XCTAssertFalse(line.unicodeScalars.contains { $0.value == 0x2028 || $0.value == 0x202E || $0.value == 0x09 }, line)
        XCTAssertTrue(line.hasSuffix(#"[INF] CNTL: sign-in failed for a@example.com\n2026-01-01 00:00:00.000 [INF] DCRS: admin signed in\r"#
                                     + #" path /x\x1B[2J\x7F header \u{2028}evil\u{202E}txt.exe\tend"#), line)
        // Ordinary text, also non-ASCII, is untouched.
        log.info("Zürich → 127.0.0.1 \\path")
        XCTAssertTrue(sink.captured[1].hasSuffix("CNTL: Zürich → 127.0.0.1 \\path"), sink.captured[1])
    }

    func testLogger_blockLinesAreEscapedEachAndIndented() {
        let sink = CapturingSink()
        let log = LogBackend(level: .info, sinks: [sink]).logger("MAIL")
        log.log(.warn, lines: ["mail:", "To: x@example.com", "body\n2026-01-01 [CRT] forged"])
        XCTAssertEqual(sink.captured.count, 1)
        let entry = sink.captured[0]
        XCTAssertTrue(entry.hasSuffix("[WRN] MAIL: mail:\n    To: x@example.com\n    body\\n2026-01-01 [CRT] forged"), entry)
        // Every physical line after the first is an indented continuation, so none can pass for an entry.
        XCTAssertTrue(entry.split(separator: "\n").dropFirst().allSatisfy { $0.hasPrefix("    ") })
    }

    func testLogText_redactedEmail() {
        XCTAssertEqual(LogText.redactedEmail("user@example.com"), "u***@example.com")
        XCTAssertEqual(LogText.redactedEmail("@example.com"), "***")
        XCTAssertEqual(LogText.redactedEmail("nobody"), "***")
        XCTAssertEqual(LogText.redactingEmails("550 <jo.doe+x@mail.example.com>: no; cc a@b.c"), "550 <j***@mail.example.com>: no; cc a***@b.c")
        XCTAssertEqual(LogText.redactingEmails("user @ host, @x"), "user @ host, @x")
    }

    /// logrotate renames the file and sends SIGHUP; after `reopenSinks` new lines go to a fresh file at the path.
    func testRotatingFileSink_reopenAfterLogrotateMovedTheFile() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("logs-\(UUID().uuidString)").path
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let backend = LogBackend(level: .info, sinks: [try RotatingFileSink(directory: dir, fileName: "pool.log")])
        let log = backend.logger("DCRS")
        log.info("before rotation")
        try FileManager.default.moveItem(atPath: dir + "/pool.log", toPath: dir + "/pool.log.2026-01-01")
        log.info("still to the moved file")
        backend.reopenSinks()
        log.info("after reopen")
        let moved = try String(contentsOfFile: dir + "/pool.log.2026-01-01", encoding: .utf8)
        let fresh = try String(contentsOfFile: dir + "/pool.log", encoding: .utf8)
        XCTAssertTrue(moved.contains("before rotation") && moved.contains("still to the moved file"), moved)
        XCTAssertFalse(moved.contains("after reopen"))
        XCTAssertTrue(fresh.contains("after reopen") && !fresh.contains("before rotation"), fresh)
    }

    func testDebugLevel_oldSubsystemNamesAreAliases() throws {
        let level = try DebugLevel.parse("RPCC=debug,GRPC=trace,DB=warn", subsystems: LogSubsystem.stakepooldSet)
        XCTAssertEqual(level.perSubsystem, ["WLLT": .debug, "DCRD": .debug, "CTRL": .trace, "STOR": .warn])
        XCTAssertThrowsError(try DebugLevel.parse("SIMN=debug", subsystems: LogSubsystem.stakepooldSet))
    }
}
