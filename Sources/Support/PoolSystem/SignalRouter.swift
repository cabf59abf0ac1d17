import Dispatch
import Foundation
import Glibc

/// Routes Unix signals to handlers through Dispatch sources (never from a raw signal handler).
///
/// Hosts install one router: SIGINT/SIGTERM → `ServiceGroup.shutdown()`, SIGUSR1 → template reload.
/// The default action of each routed signal is ignored so that Dispatch alone delivers it.
// @unchecked: `DispatchSourceSignal` is not Sendable; every access to `sources` holds `lock`.
public final class SignalRouter: @unchecked Sendable {
    private let lock = NSLock()
    private var sources: [any DispatchSourceSignal] = []
    private let queue = DispatchQueue(label: "pool.signals")

    public init() {}

    /// Calls `handler` on a private queue each time `signal` arrives.
    public func on(_ signalNumber: Int32, _ handler: @escaping @Sendable () -> Void) {
        signal(signalNumber, SIG_IGN)
        let source = DispatchSource.makeSignalSource(signal: signalNumber, queue: queue)
        source.setEventHandler(handler: handler)
        source.resume()
        lock.withLock { sources.append(source) }
    }

    /// Stops routing.
    public func cancelAll() {
        lock.withLock {
            for source in sources { source.cancel() }
            sources.removeAll()
        }
    }
}
