import Foundation
import XCTest

/// What logrotate does to a running daemon, checked the same way for every host: once `readyLine` is in the log,
/// the file is renamed and the process gets SIGHUP; it must keep running, say so in a fresh file at the old path,
/// and leave the renamed file without that line.
package func assertSIGHUPReopensTheLog(of process: Process, logFile: String, readyLine: String, daemon: String,
                                       file: StaticString = #filePath, line: UInt = #line) async throws {
    try await waitForFile(logFile, containing: readyLine)
    try FileManager.default.moveItem(atPath: logFile, toPath: logFile + ".1")
    kill(process.processIdentifier, SIGHUP)
    try await waitForFile(logFile, containing: "Received SIGHUP: log files reopened")
    XCTAssertTrue(process.isRunning, "SIGHUP must not stop \(daemon)", file: file, line: line)
    let rotated = try String(contentsOfFile: logFile + ".1", encoding: .utf8)
    XCTAssertFalse(rotated.contains("log files reopened"), "the new lines go to the new file", file: file, line: line)
}

/// Waits (up to a minute, on a loaded machine) until `path` exists and contains `text`.
package func waitForFile(_ path: String, containing text: String) async throws {
    for _ in 0..<600 {
        if let contents = try? String(contentsOfFile: path, encoding: .utf8), contents.contains(text) { return }
        try await Task.sleep(for: .milliseconds(100))
    }
    XCTFail("\(path) never contained \"\(text)\": \((try? String(contentsOfFile: path, encoding: .utf8)) ?? "(missing)")")
    throw CancellationError()
}
