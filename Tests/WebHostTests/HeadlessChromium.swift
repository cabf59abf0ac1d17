import Foundation
import PoolNet
import PoolTestKit
import XCTest
#if canImport(Glibc)
import Glibc
#endif

/// A headless Chromium started for one test and driven over the DevTools protocol.
///
/// `launch` starts `chromium --headless --remote-debugging-port=0` with a throw-away profile, reads the chosen
/// port from `<profile>/DevToolsActivePort`, finds the page target through `GET /json/list` and connects to it.
/// `stop()` (idempotent; call it in `defer` and in tearDown) ends the browser: SIGTERM, then SIGKILL after 5 s.
final class HeadlessChromium {
    struct LaunchError: Error, CustomStringConvertible {
        let description: String
        init(_ description: String) { self.description = description }
    }

    static let candidates = ["/usr/bin/chromium", "/usr/bin/chromium-browser", "/usr/bin/google-chrome"]

    /// The installed browser; skips the test when there is none, or fails it when `CI=true`.
    static func requireBinary(file: StaticString = #filePath, line: UInt = #line) throws -> String {
        if let path = candidates.first(where: { FileManager.default.isExecutableFile(atPath: $0) }) { return path }
        throw TestEnvironment.unavailable("chromium is not installed (make test installs the Debian chromium package)",
                                          file: file, line: line)
    }

    private let process: Process
    private(set) var page: BrowserPage!

    /// Starts the browser and connects to its first page. `directory` holds the profile and `chromium.log`.
    init(binary: String, directory: URL, width: Int = 1100, height: Int = 900,
         timeout: Duration = .seconds(20)) throws {
        let profile = directory.appendingPathComponent("chromium-profile")
        try FileManager.default.createDirectory(at: profile, withIntermediateDirectories: true)
        let logURL = directory.appendingPathComponent("chromium.log")
        _ = FileManager.default.createFile(atPath: logURL.path, contents: nil)
        process = Process()
        process.executableURL = URL(fileURLWithPath: binary)
        // --no-sandbox: the tests may run as root in a container, where Chromium's sandbox cannot start.
        process.arguments = ["--headless", "--no-sandbox", "--disable-gpu", "--no-first-run", "--no-default-browser-check",
                             "--disable-extensions", "--disable-background-networking", "--disable-sync",
                             "--disable-crash-reporter", "--disable-breakpad", "--mute-audio", "--hide-scrollbars",
                             "--remote-debugging-address=127.0.0.1", "--remote-debugging-port=0",
                             "--user-data-dir=\(profile.path)", "--window-size=\(width),\(height)", "about:blank"]
        process.standardInput = FileHandle.nullDevice
        let log = try FileHandle(forWritingTo: logURL)
        process.standardOutput = log
        process.standardError = log
        try process.run()
        try? log.close()
        do {
            let deadline = ContinuousClock.now.advanced(by: timeout)
            let port = try Self.waitForPort(profile: profile, process: process, log: logURL, deadline: deadline)
            let target = try Self.pageTarget(port: port, deadline: deadline)
            page = BrowserPage(devtools: try DevToolsClient(webSocketURL: target))
            try page.start()
        } catch {
            stop()
            throw error
        }
    }

    deinit { stop() }

    /// Ends the browser and waits for it to exit. Safe to call more than once.
    func stop() {
        page?.devtools.close()
        guard process.isRunning else { return }
        process.terminate()
        let deadline = ContinuousClock.now.advanced(by: .seconds(5))
        while process.isRunning && ContinuousClock.now < deadline { usleep(20_000) }
        if process.isRunning { kill(process.processIdentifier, SIGKILL) }
        process.waitUntilExit()
    }

    /// Chromium writes `<port>\n<browser path>` to `DevToolsActivePort` once it listens.
    private static func waitForPort(profile: URL, process: Process, log: URL, deadline: ContinuousClock.Instant) throws -> UInt16 {
        let file = profile.appendingPathComponent("DevToolsActivePort").path
        while ContinuousClock.now < deadline {
            if let text = try? String(contentsOfFile: file, encoding: .utf8),
               let line = text.split(separator: "\n").first, let port = UInt16(line) {
                return port
            }
            guard process.isRunning else {
                let output = (try? String(contentsOf: log, encoding: .utf8)) ?? ""
                throw LaunchError("chromium exited (\(process.terminationStatus)) before it listened: \(output.suffix(800))")
            }
            usleep(25_000)
        }
        throw LaunchError("chromium wrote no DevToolsActivePort in time")
    }

    /// The `webSocketDebuggerUrl` of the first target of type `page` (`GET /json/list`).
    private static func pageTarget(port: UInt16, deadline: ContinuousClock.Instant) throws -> String {
        let timeout = max(.milliseconds(1), ContinuousClock.now.duration(to: deadline))
        let connection = try NetConnection.connect(to: HostPort(host: "127.0.0.1", port: port), timeout: timeout)
        defer { connection.close() }
        try connection.write("GET /json/list HTTP/1.1\r\nHost: 127.0.0.1:\(port)\r\nConnection: close\r\n\r\n", timeout: timeout)
        var received: [UInt8] = []
        var body: ArraySlice<UInt8>?
        while body == nil {
            let chunk = try connection.read(timeout: max(.milliseconds(1), ContinuousClock.now.duration(to: deadline)))
            received += chunk
            if let (head, used) = try HTTPHead.parse(received) {
                let length = head.header("Content-Length").flatMap(Int.init)
                if chunk.isEmpty || length.map({ received.count - used >= $0 }) == true {
                    body = received[used..<(length.map { used + $0 } ?? received.count)]
                }
            } else if chunk.isEmpty {
                throw LaunchError("DevTools closed /json/list without an answer")
            }
        }
        let targets = try JSONValue.parse(body ?? [])
        guard let url = targets.arrayValue?.first(where: { $0["type"]?.stringValue == "page" })?["webSocketDebuggerUrl"]?.stringValue else {
            throw LaunchError("no page target in /json/list: \(targets)")
        }
        return url
    }
}

/// One browser tab: navigate, type, click, read the page, take screenshots.
final class BrowserPage {
    let devtools: DevToolsClient

    init(devtools: DevToolsClient) { self.devtools = devtools }

    func start() throws {
        try devtools.call("Page.enable")
        try devtools.call("Runtime.enable")
    }

    /// Loads `url` and waits for its `load` event.
    func navigate(_ url: String) throws {
        devtools.clearEvents()
        let result = try devtools.call("Page.navigate", ["url": .string(url)])
        if let failure = result["errorText"]?.stringValue, !failure.isEmpty {
            throw HeadlessChromium.LaunchError("navigation to \(url) failed: \(failure)")
        }
        try devtools.waitForEvent("Page.loadEventFired")
    }

    /// Evaluates a JavaScript expression in the page (promises awaited) and returns its JSON value.
    @discardableResult
    func evaluate(_ expression: String) throws -> JSONValue {
        let answer = try devtools.call("Runtime.evaluate", ["expression": .string(expression), "returnByValue": true,
                                                            "awaitPromise": true])
        if let exception = answer["exceptionDetails"] {
            throw HeadlessChromium.LaunchError("script failed: \(exception["exception"]?["description"] ?? exception)")
        }
        return answer["result"]?["value"] ?? .null
    }

    /// A JavaScript literal for `text` (JSON strings are valid JavaScript).
    static func literal(_ text: String) -> String { String(decoding: JSONValue.string(text).encoded(), as: UTF8.self) }

    /// The visible text of the page.
    func text() throws -> String { try evaluate("document.body ? document.body.innerText : ''").stringValue ?? "" }

    /// The page's path and query.
    func location() throws -> String { try evaluate("location.pathname + location.search").stringValue ?? "" }

    /// The HTTP status of the current document's (final) response.
    func status() throws -> Int64? {
        try evaluate("(performance.getEntriesByType('navigation')[0] || {}).responseStatus || 0").intValue
    }

    /// Focuses the element matching `selector` and types `text` into it as keyboard input.
    func type(_ selector: String, _ text: String) throws {
        let found = try evaluate("""
            (() => { const e = document.querySelector(\(Self.literal(selector))); if (!e) return false;
                     e.focus(); e.value = ''; return true })()
            """)
        guard found.boolValue == true else { throw HeadlessChromium.LaunchError("no element \(selector)") }
        try devtools.call("Input.insertText", ["text": .string(text)])
    }

    /// Chooses the option with `value` in the `<select>` matching `selector`.
    func select(_ selector: String, value: String) throws {
        let chosen = try evaluate("""
            (() => { const e = document.querySelector(\(Self.literal(selector))); if (!e) return null;
                     e.value = \(Self.literal(value)); e.dispatchEvent(new Event('change', {bubbles: true})); return e.value })()
            """)
        guard chosen.stringValue == value else { throw HeadlessChromium.LaunchError("cannot choose \(value) in \(selector)") }
    }

    /// Clicks the element matching `selector` (a submit button or a link) and waits for the next page's `load`.
    func clickAndWait(_ selector: String) throws {
        devtools.clearEvents()
        let clicked = try evaluate("""
            (() => { const e = document.querySelector(\(Self.literal(selector))); if (!e) return false; e.click(); return true })()
            """)
        guard clicked.boolValue == true else { throw HeadlessChromium.LaunchError("no element \(selector)") }
        try devtools.waitForEvent("Page.loadEventFired")
    }

    /// Saves a PNG of the viewport.
    func screenshot(to path: String) throws {
        let shot = try devtools.call("Page.captureScreenshot", ["format": "png"])
        guard let base64 = shot["data"]?.stringValue, let data = Data(base64Encoded: base64) else {
            throw HeadlessChromium.LaunchError("screenshot without data")
        }
        try data.write(to: URL(fileURLWithPath: path))
    }

    /// Presses a key (`Enter`, `Escape`, ` `) as keyboard input to the focused element.
    func press(_ key: String, code: String, keyCode: Int64, text: String? = nil) throws {
        var down: JSONObject = ["type": "keyDown", "key": .string(key), "code": .string(code),
                                "windowsVirtualKeyCode": .int(keyCode), "nativeVirtualKeyCode": .int(keyCode)]
        if let text { down["text"] = .string(text) }
        try devtools.call("Input.dispatchKeyEvent", down)
        try devtools.call("Input.dispatchKeyEvent", ["type": "keyUp", "key": .string(key), "code": .string(code),
                                                     "windowsVirtualKeyCode": .int(keyCode), "nativeVirtualKeyCode": .int(keyCode)])
    }

    /// Emulates a viewport (`mobile` adds touch and the mobile layout width).
    func setViewport(width: Int, height: Int, mobile: Bool) throws {
        try devtools.call("Emulation.setDeviceMetricsOverride", ["width": .int(Int64(width)), "height": .int(Int64(height)),
                                                                 "deviceScaleFactor": 1, "mobile": .bool(mobile)])
    }
}
