import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// A response body sent from an open file as the client takes it (`/admin/backup`), so a download
/// never has to fit in memory. The length is fixed when the file is opened (`Content-Length`); the file should not
/// change meanwhile (backups are renamed into place, never rewritten). The descriptor is closed when the last
/// reference goes (sent, connection closed, or a HEAD request).
///
/// `@unchecked Sendable`: immutable after `init`; the descriptor is read by one event loop at a time.
public final class HTTPFileBody: @unchecked Sendable {
    let fd: Int32
    public let length: Int

    /// Opens `path` for reading; throws `CocoaError` when it cannot be opened or is not a regular file.
    public init(path: String) throws {
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { throw CocoaError(.fileReadNoSuchFile, userInfo: [NSFilePathErrorKey: path]) }
        var info = stat()
        guard fstat(fd, &info) == 0, (info.st_mode & S_IFMT) == S_IFREG else {
            close(fd)
            throw CocoaError(.fileReadUnknown, userInfo: [NSFilePathErrorKey: path])
        }
        self.fd = fd
        length = Int(info.st_size)
    }

    deinit { close(fd) }

    /// Reads up to `count` bytes at `offset` (a short read only at the end of the file); nil on an error.
    func read(at offset: Int, count: Int) -> [UInt8]? {
        var failed = false
        let bytes = [UInt8](unsafeUninitializedCapacity: count) { buffer, initialized in
            let got = pread(fd, buffer.baseAddress, count, off_t(offset))
            failed = got < 0
            initialized = max(0, got)
        }
        return failed ? nil : bytes
    }
}
