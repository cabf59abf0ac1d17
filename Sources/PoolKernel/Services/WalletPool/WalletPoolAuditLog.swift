import Dispatch
import Foundation

/// One entry of the wallet-pool audit log: every stop (fail closed) and every resume, with the reason.
public struct WalletPoolAuditEntry: Sendable, Equatable, Codable {
    /// `stopped`, `auto-recovered` or `resumed`.
    public var event: String
    public var reason: String
    public var time: Date

    public init(event: String, reason: String, time: Date) {
        self.event = event
        self.reason = reason
        self.time = time
    }
}

/// Where the wallet pool records stops and recoveries. Implementations must not throw: failures are their
/// own to log.
public protocol WalletPoolAuditLog: Sendable {
    func append(_ entry: WalletPoolAuditEntry) async
}

/// An audit log kept as JSON lines in one append-only file (created with mode 0600 if missing).
public final class FileWalletPoolAuditLog: WalletPoolAuditLog {
    let path: String
    let logger: Logger
    /// File writes are blocking; they run on this serial queue, never on the cooperative pool.
    private let queue = DispatchQueue(label: "hxstakepool.wallet-audit")

    public init(path: String, logger: Logger) {
        self.path = path
        self.logger = logger
    }

    public func append(_ entry: WalletPoolAuditEntry) async {
        let encoder = JSONEncoder()
        encoder.dateEncodingStrategy = .iso8601
        encoder.outputFormatting = [.sortedKeys]
        guard var encoded = try? encoder.encode(entry) else { return }
        encoded.append(0x0A)
        let line = encoded
        let path = self.path
        let logger = self.logger
        await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
            queue.async {
                let manager = FileManager.default
                if !manager.fileExists(atPath: path) {
                    _ = manager.createFile(atPath: path, contents: nil, attributes: [.posixPermissions: 0o600])
                }
                if let handle = FileHandle(forWritingAtPath: path) {
                    handle.seekToEndOfFile()
                    handle.write(line)
                    try? handle.close()
                } else {
                    logger.error("cannot write the wallet audit log \(path)")
                }
                continuation.resume()
            }
        }
    }
}
