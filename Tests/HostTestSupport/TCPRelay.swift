import Foundation
import PoolNet

/// Relays every connection accepted on `127.0.0.1:listenPort` to `target` (two threads per connection), so a
/// test can make a database "come back" on the port a daemon was configured with.
package final class TCPRelay: @unchecked Sendable {
    // @unchecked: `listener` is immutable; `stopped` is atomic-like under `lock`.
    private let listener: TCPListener
    private let lock = NSLock()
    private var stopped = false
    private var connections: [NetConnection] = []

    package init(listenPort: UInt16, target: PoolNet.HostPort) throws {
        listener = try TCPListener(bindTo: PoolNet.HostPort(host: "127.0.0.1", port: listenPort))
        let thread = Thread { [self] in
            while !lock.withLock({ stopped }) {
                guard let client = try? listener.accept(timeout: .milliseconds(100)) else { continue }
                guard let upstream = try? NetConnection.connect(to: target, timeout: .seconds(5)) else {
                    client.close()
                    continue
                }
                lock.withLock { connections += [client, upstream] }
                Self.pump(client, upstream)
                Self.pump(upstream, client)
            }
        }
        thread.start()
    }

    private static func pump(_ from: NetConnection, _ to: NetConnection) {
        Thread {
            while let chunk = try? from.read(maxLength: 65_536, timeout: nil), !chunk.isEmpty {
                if (try? to.write(chunk, timeout: .seconds(10))) == nil { break }
            }
            from.close()
            to.close()
        }.start()
    }

    package func stop() {
        lock.withLock { stopped = true }
        listener.close()
        for connection in lock.withLock({ connections }) { connection.close() }
    }
}
