import Foundation

/// Writing a file so that it either appears whole under its name or not at all: the content goes to a hidden
/// temporary file in the same directory, is flushed to disk, renamed over the name, and the directory entry is
/// flushed too. A crash (even kill -9) at any point leaves the old files as they were and at most a temporary.
public enum AtomicFile {
    /// Temporary files start with this (so `OnlineBackupService` can tell and sweep leftovers).
    public static let temporaryPrefix = ".partial-"

    /// Where the blocking file work (fsync, rename, delete) runs: a Dispatch thread, never Swift's cooperative pool.
    public static let io = BoundedWorkQueue(width: 1, label: "atomic-file-io")

    /// A fresh temporary path next to `path`.
    public static func temporaryPath(for path: String) -> String {
        let url = URL(fileURLWithPath: path)
        return url.deletingLastPathComponent()
            .appendingPathComponent(temporaryPrefix + UUID().uuidString + "-" + url.lastPathComponent).path
    }

    /// Lets `fill` write the temporary file (at the path it is given), then flushes and renames it to `path`.
    /// The temporary is removed when `fill` or a later step throws.
    public static func write(to path: String, _ fill: (String) async throws -> Void) async throws {
        let temporary = temporaryPath(for: path)
        do {
            try await fill(temporary)
            try await io.run {
                try sync(temporary)
                try FileManager.default.moveItem(atPath: temporary, toPath: path)
                try sync(URL(fileURLWithPath: path).deletingLastPathComponent().path)
            }
        } catch {
            await io.run { try? FileManager.default.removeItem(atPath: temporary) }
            throw error
        }
    }

    /// Writes `path` atomically through a `FileHandle` that `chunks` fills (mode 0600: backups hold password hashes).
    public static func write(_ chunks: (FileHandle) throws -> Void, to path: String) async throws {
        try await write(to: path) { temporary in
            guard FileManager.default.createFile(atPath: temporary, contents: nil, attributes: [.posixPermissions: 0o600]),
                  let handle = FileHandle(forWritingAtPath: temporary) else {
                throw CocoaError(.fileWriteNoPermission, userInfo: [NSFilePathErrorKey: temporary])
            }
            defer { try? handle.close() }
            try chunks(handle)
        }
    }

    /// fsync of a file or directory (a directory's entry list is what makes a rename durable).
    public static func sync(_ path: String) throws {
        guard let handle = FileHandle(forReadingAtPath: path) else {
            throw CocoaError(.fileReadNoSuchFile, userInfo: [NSFilePathErrorKey: path])
        }
        defer { try? handle.close() }
        try handle.synchronize()
    }
}
