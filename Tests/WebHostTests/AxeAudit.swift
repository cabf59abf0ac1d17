import Foundation
import PoolNet
import PoolTestKit
import XCTest

/// axe-core 4.x, as the PyPI package `axe-playwright-python` ships it (`make test` installs it with pip), run in
/// the browser tab through the DevTools protocol. `POOL_AXE_SCRIPT` names the file directly; otherwise python3 is
/// asked where the installed package is. Missing: the test is skipped, or fails under CI=true.
struct AxeAudit {
    let source: String

    static func load(file: StaticString = #filePath, line: UInt = #line) throws -> AxeAudit {
        let path = ProcessInfo.processInfo.environment["POOL_AXE_SCRIPT"].flatMap { $0.isEmpty ? nil : $0 } ?? installedScript()
        guard let path, let source = try? String(contentsOfFile: path, encoding: .utf8), source.contains("axe") else {
            throw TestEnvironment.unavailable("axe-core is not installed (make test runs: python3 -m pip install axe-playwright-python)",
                                              file: file, line: line)
        }
        return AxeAudit(source: source)
    }

    /// `<site-packages>/axe_playwright_python/axe.min.js` of the python3 on PATH, or nil.
    private static func installedScript() -> String? {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["python3", "-c",
                             "import os, axe_playwright_python as a; print(os.path.join(os.path.dirname(a.__file__), 'axe.min.js'))"]
        let output = Pipe()
        process.standardOutput = output
        process.standardError = FileHandle.nullDevice
        process.standardInput = FileHandle.nullDevice
        guard (try? process.run()) != nil else { return nil }
        let data = output.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        guard process.terminationStatus == 0 else { return nil }
        let path = String(decoding: data, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
        return FileManager.default.fileExists(atPath: path) ? path : nil
    }

    /// The axe-core version the page reports after injection (e.g. "4.12.1").
    func inject(into page: BrowserPage) throws -> String {
        try page.evaluate(source + "\n;axe.version").stringValue ?? ""
    }

    /// Runs the WCAG 2 A/AA rules and best practices on the current page; returns the serious and critical
    /// violations, one line each (rule, impact, first elements).
    func seriousViolations(on page: BrowserPage) throws -> [String] {
        if try page.evaluate("typeof window.axe").stringValue != "object" { _ = try inject(into: page) }
        let result = try page.evaluate("""
            axe.run(document, { resultTypes: ['violations'] }).then(r => r.violations
              .filter(v => v.impact === 'serious' || v.impact === 'critical')
              .map(v => v.id + ' (' + v.impact + '): ' + v.help + ' — ' +
                   v.nodes.slice(0, 4).map(n => n.target.join(' ')).join(', ')))
            """)
        guard let list = result.arrayValue else {
            throw HeadlessChromium.LaunchError("axe returned no violation list: \(result)")
        }
        return list.compactMap(\.stringValue)
    }
}
