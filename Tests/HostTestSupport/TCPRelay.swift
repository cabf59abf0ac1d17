import Foundation
import PoolNet

/// Relays connections accepted on a loopback port of its own (port 0, read back as `port`) to `target`, so a test
/// can make a database go away and come back on the port a daemon was configured with. The port is held from
/// `init` to `stop()`, never released for reuse: before `resume()` connecting to it is refused (nothing
/// listens); after `pause()` the relayed connections are cut and new ones closed at once.
package final class TCPRelay: @unchecked Sendable {
    // @unchecked: `listener` and `target` are immutable; the rest is under `lock`.
    private let listener: TCPListener
    private let target: PoolNet.HostPort
    private let lock = NSLock()
    private var relaying = false
    private var accepting = false
    private var stopped = false
    private var connections: [NetConnection] = []

    package var port: UInt16 { listener.localAddress.port }

    package init(target: PoolNet.HostPort, relaying: Bool = false) throws {
        self.target = target
        listener = try TCPListener(bindTo: PoolNet.HostPort(host: "127.0.0.1", port: 0), listening: false)
        if relaying { try resume() }
    }

    /// The target is reachable through `port` (from now on, for new connections).
    package func resume() throws {
        let startAccepting = lock.withLock { () -> Bool in
            relaying = true
            defer { accepting = true }
            return !accepting
        }
        guard startAccepting else { return }
        try listener.startListening()
        Thread { [self] in
            // `stop()` closes the listener, which wakes `accept` with an error.
            while let client = try? listener.accept(timeout: nil) {
                guard lock.withLock({ relaying }),
                      let upstream = try? NetConnection.connect(to: target, timeout: .seconds(5)) else {
                    client.close()
                    continue
                }
                lock.withLock { connections += [client, upstream] }
                Self.pump(client, upstream)
                Self.pump(upstream, client)
            }
        }.start()
    }

    /// The target "goes away": relayed connections are cut, new ones closed at once; the port stays held.
    package func pause() {
        let cut = lock.withLock { () -> [NetConnection] in
            relaying = false
            defer { connections = [] }
            return connections
        }
        for connection in cut { connection.close() }
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
        let wasStopped = lock.withLock { () -> Bool in
            defer { stopped = true }
            return stopped
        }
        guard !wasStopped else { return }
        pause()
        listener.close()
    }
}
