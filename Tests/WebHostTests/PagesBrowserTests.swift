import Foundation
import PoolKernel
import PoolTestKit
import XCTest
@testable import WebHost

/// Renders pages in a real headless Chromium (`chromium --headless --dump-dom` and `--screenshot`) and saves
/// screenshots under `test-artifacts/`. Skipped when Chromium is absent, unless CI=true.
final class PagesBrowserTests: PagesTestCase {
    private func chromium() throws -> String {
        for path in ["/usr/bin/chromium", "/usr/bin/chromium-browser", "/usr/bin/google-chrome"]
        where FileManager.default.isExecutableFile(atPath: path) {
            return path
        }
        if ProcessInfo.processInfo.environment["CI"] == "true" {
            XCTFail("chromium is not installed (make test installs the Debian chromium package)")
        }
        throw XCTSkip("chromium is not installed")
    }

    private func run(_ binary: String, _ arguments: [String]) throws -> String {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: binary)
        let profile = tempDir.appendingPathComponent("profile-\(UUID().uuidString)").path
        process.arguments = ["--headless", "--no-sandbox", "--disable-gpu", "--no-first-run",
                             "--user-data-dir=\(profile)", "--virtual-time-budget=3000"] + arguments
        let output = Pipe()
        process.standardOutput = output
        process.standardError = FileHandle.nullDevice
        try process.run()
        // Bounded: chromium gets 60 s.
        let deadline = Date().addingTimeInterval(60)
        let data = output.fileHandleForReading.readDataToEndOfFile()
        while process.isRunning && Date() < deadline { usleep(50_000) }
        if process.isRunning { process.terminate() }
        return String(decoding: data, as: UTF8.self)
    }

    func testPagesBrowser_signUpAndSignInRenderInChromium() throws {
        let binary = try chromium()
        try startPages()
        let artifacts = Self.repoRoot + "/test-artifacts"
        try FileManager.default.createDirectory(atPath: artifacts, withIntermediateDirectories: true)
        for (path, name, expected) in [("/signup", "signup", "Type the digits you see"), ("/signin", "signin", "Forgot your password?"),
                                       ("/", "home", "Decred Stake Pool Overview")] {
            let dom = try run(binary, ["--dump-dom", "http://127.0.0.1:\(port)\(path)"])
            XCTAssertTrue(dom.contains(expected), "\(path): \(dom.prefix(300))")
            XCTAssertTrue(dom.contains("name=\"csrf_token\"") || path == "/", path)
            let shot = "\(artifacts)/\(name).png"
            try? FileManager.default.removeItem(atPath: shot)
            _ = try run(binary, ["--screenshot=\(shot)", "--window-size=1100,900", "http://127.0.0.1:\(port)\(path)"])
            XCTAssertTrue(FileManager.default.fileExists(atPath: shot), "screenshot \(shot)")
        }
        // Narrow (phone) layout.
        _ = try run(binary, ["--screenshot=\(artifacts)/signup-mobile.png", "--window-size=390,844",
                             "http://127.0.0.1:\(port)/signup"])
    }
}
