import Foundation
import HostTestSupport
import PoolTestKit
import XCTest

/// examples/systemd: the units pass `systemd-analyze verify` with the real built binaries, and say what the
/// operator relies on (dedicated user, read-only system, restart on failure, MariaDB wanted but never required).
final class SystemdUnitsTests: XCTestCase {
    private static let units = ["hxstakepool", "stakepoold"]
    private var dir: URL!

    override func setUpWithError() throws { dir = try TestEnvironment.makeTemporaryDirectory(prefix: "systemd-units") }
    override func tearDownWithError() throws { try? FileManager.default.removeItem(at: dir) }

    func testUnitsVerifyWithoutAnyOutputOnTheBuiltBinaries() throws {
        let analyze = try Self.systemdAnalyze()
        for name in Self.units {
            let text = try Self.unitText(name)
            let placeholder = "/usr/local/bin/\(name)"
            XCTAssertTrue(text.contains("ExecStart=\(placeholder) "), "\(name).service starts \(placeholder)")
            let filled = text.replacingOccurrences(of: placeholder, with: try BuiltExecutable.path(name))
            try filled.write(to: dir.appendingPathComponent("\(name).service"), atomically: true, encoding: .utf8)
        }
        let (status, output) = try ProcessRun.run(analyze, ["verify"] + Self.units.map { "./\($0).service" }, in: dir)
        XCTAssertEqual(output, "", "systemd-analyze verify must print nothing")
        XCTAssertEqual(status, 0, output)
    }

    /// verify exits 0 on unknown keys and bad values: only its output tells, so the check above must see it.
    func testVerifyReportsAnUnknownKeyAndABadValue() throws {
        let analyze = try Self.systemdAnalyze()
        let broken = try Self.unitText("stakepoold")
            .replacingOccurrences(of: "/usr/local/bin/stakepoold", with: try BuiltExecutable.path("stakepoold"))
            .replacingOccurrences(of: "Restart=on-failure", with: "Restart=sometimes\nRestartEvery=5s")
        try broken.write(to: dir.appendingPathComponent("stakepoold.service"), atomically: true, encoding: .utf8)
        let (_, output) = try ProcessRun.run(analyze, ["verify", "./stakepoold.service"], in: dir)
        XCTAssertTrue(output.contains("RestartEvery"), output)
        XCTAssertTrue(output.contains("sometimes"), output)
    }

    func testUnitsRunAsADedicatedUserInASandboxAndOutliveTheDatabase() throws {
        for name in Self.units {
            let unit = try Self.parse(Self.unitText(name))
            let service = unit["Service"] ?? [:], section = unit["Unit"] ?? [:]
            let user = service["User"]?.first ?? ""
            XCTAssertFalse(user.isEmpty || user == "root", "\(name): a dedicated user, not \(user)")
            XCTAssertEqual(service["ProtectSystem"], ["strict"], name)
            XCTAssertEqual(service["Restart"], ["on-failure"], name)
            // Every directory the daemon is told to write (--datadir, --logdir, --appdata) is writable.
            let writable = (service["ReadWritePaths"] ?? []).flatMap { $0.split(separator: " ").map(String.init) }
            let start = service["ExecStart"]?.first ?? ""
            let written = ["--datadir=", "--logdir=", "--appdata="].compactMap { flag in
                start.split(separator: " ").first { $0.hasPrefix(flag) }.map { String($0.dropFirst(flag.count)) }
            }
            XCTAssertTrue(written.contains { $0.hasPrefix("/var/lib/") } && written.contains { $0.hasPrefix("/var/log/") },
                          "\(name) writes data and logs under /var: \(start)")
            for path in written {
                XCTAssertTrue(writable.contains { path == $0 || path.hasPrefix($0 + "/") }, "\(name): \(path) in ReadWritePaths \(writable)")
            }
            let after = (section["After"] ?? []).joined(separator: " "), wants = (section["Wants"] ?? []).joined(separator: " ")
            XCTAssertTrue(after.contains("mariadb.service") && wants.contains("mariadb.service"), name)
            for binding in ["Requires", "Requisite", "BindsTo", "PartOf"] {
                XCTAssertNil(section[binding], "\(name) must not be bound to the database (\(binding)=)")
            }
        }
        XCTAssertEqual(try Self.parse(Self.unitText("hxstakepool"))["Service"]?["ExecReload"], ["/bin/kill -USR1 $MAINPID"])
        XCTAssertNil(try Self.parse(Self.unitText("stakepoold"))["Service"]?["ExecReload"], "stakepoold has nothing to reload")
    }

    // MARK: - Helpers

    private static func unitText(_ name: String) throws -> String {
        try String(contentsOfFile: "\(SimnetRPCPool.repoRoot)/examples/systemd/\(name).service", encoding: .utf8)
    }

    /// Section → key → values (a key may repeat), comments and blank lines dropped.
    private static func parse(_ text: String) -> [String: [String: [String]]] {
        var sections: [String: [String: [String]]] = [:], current = ""
        for raw in text.split(separator: "\n") {
            let line = raw.trimmingCharacters(in: .whitespaces)
            if line.isEmpty || line.hasPrefix("#") || line.hasPrefix(";") { continue }
            if line.hasPrefix("[") { current = String(line.dropFirst().dropLast()); continue }
            guard let eq = line.firstIndex(of: "=") else { continue }
            sections[current, default: [:]][String(line[..<eq]), default: []].append(String(line[line.index(after: eq)...]))
        }
        return sections
    }

    private static func systemdAnalyze() throws -> String {
        let path = ["/usr/bin/systemd-analyze", "/bin/systemd-analyze"].first { FileManager.default.isExecutableFile(atPath: $0) }
        guard let path else { throw TestEnvironment.unavailable("systemd-analyze is not installed (make deps-test installs systemd)") }
        return path
    }
}
