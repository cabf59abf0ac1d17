import Foundation
import Synchronization

/// Writes each line to standard output.
public struct StandardOutputSink: LogSink {
    public init() {}
    public func write(_ line: String) {
        // Unbuffered: one write per entry, so entries from several threads never interleave.
        try? FileHandle.standardOutput.write(contentsOf: Data((line + "\n").utf8))
    }
}

/// Keeps lines in memory: for tests that assert on what was logged.
public final class CapturingSink: LogSink {
    private let lines = Mutex<[String]>([])
    public init() {}
    public func write(_ line: String) { lines.withLock { $0.append(line) } }
    public var captured: [String] { lines.withLock { $0 } }
    public var text: String { captured.joined(separator: "\n") }
}

/// Appends to `<dir>/<name>`, rotating at `maxBytes` and keeping `keep` old files (`name.1` … `name.N`),
/// like dcrstakepool's log rotator (10 MiB, 3 files).
public final class RotatingFileSink: LogSink {
    private struct State { var handle: FileHandle; var size: UInt64 }
    private let path: String
    private let maxBytes: UInt64
    private let keep: Int
    private let state: Mutex<State>

    public init(directory: String, fileName: String, maxBytes: UInt64 = 10 << 20, keep: Int = 3) throws {
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true,
                                                attributes: [.posixPermissions: 0o700])
        path = (directory as NSString).appendingPathComponent(fileName)
        self.maxBytes = maxBytes
        self.keep = keep
        state = Mutex(try RotatingFileSink.open(path))
    }

    private static func open(_ path: String) throws -> State {
        if !FileManager.default.fileExists(atPath: path) {
            _ = FileManager.default.createFile(atPath: path, contents: nil, attributes: [.posixPermissions: 0o600])
        }
        guard let handle = FileHandle(forWritingAtPath: path) else {
            throw ConfigError(.unreadableFile, "cannot open log file \(path)")
        }
        let size = handle.seekToEndOfFile()
        return State(handle: handle, size: size)
    }

    public func write(_ line: String) {
        let data = Data((line + "\n").utf8)
        state.withLock { state in
            if state.size + UInt64(data.count) > maxBytes { rotate(&state) }
            state.handle.write(data)
            state.size += UInt64(data.count)
        }
    }

    /// Closes the file and opens `path` again, creating it when logrotate moved it away.
    public func reopen() {
        state.withLock { state in
            guard let fresh = try? RotatingFileSink.open(path) else { return }
            state.handle.closeFile()
            state = fresh
        }
    }

    private func rotate(_ state: inout State) {
        state.handle.closeFile()
        let fm = FileManager.default
        try? fm.removeItem(atPath: "\(path).\(keep)")
        if keep > 1 {
            for index in stride(from: keep - 1, through: 1, by: -1) {
                try? fm.moveItem(atPath: "\(path).\(index)", toPath: "\(path).\(index + 1)")
            }
        }
        try? fm.moveItem(atPath: path, toPath: "\(path).1")
        if let fresh = try? RotatingFileSink.open(path) { state = fresh }
    }
}
