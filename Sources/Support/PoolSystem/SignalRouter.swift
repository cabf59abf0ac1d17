import Dispatch
import Foundation
import Glibc

/// Routes Unix signals to handlers through Dispatch sources (never from a raw signal handler).
///
/// Hosts install one router: SIGINT/SIGTERM → `ServiceGroup.shutdown()`, SIGUSR1 → template reload.
/// The default action of each routed signal is ignored so that Dispatch alone delivers it; `cancelAll()` puts
/// back the disposition each signal had before (the process — or a test run hosting it — is left as found).
// @unchecked: `DispatchSourceSignal` is not Sendable; every access to `sources` holds `lock`.
public final class SignalRouter: @unchecked Sendable {
    private let lock = NSLock()
    private var sources: [any DispatchSourceSignal] = []
    /// The disposition each routed signal had before its first `on`, restored by `cancelAll()`.
    private var previous: [Int32: sigaction] = [:]
    private let queue = DispatchQueue(label: "pool.signals")

    public init() {}

    /// Calls `handler` on a private queue each time `signal` arrives.
    public func on(_ signalNumber: Int32, _ handler: @escaping @Sendable () -> Void) {
        var before = sigaction()
        sigaction(signalNumber, nil, &before)
        lock.withLock { if previous[signalNumber] == nil { previous[signalNumber] = before } }
        signal(signalNumber, SIG_IGN)
        let source = DispatchSource.makeSignalSource(signal: signalNumber, queue: queue)
        source.setEventHandler(handler: handler)
        source.resume()
        lock.withLock { sources.append(source) }
    }

    /// Stops routing and restores each signal's previous disposition.
    public func cancelAll() {
        lock.withLock {
            for source in sources { source.cancel() }
            sources.removeAll()
            for (signalNumber, disposition) in previous {
                var restore = disposition
                sigaction(signalNumber, &restore, nil)
            }
            previous.removeAll()
        }
    }
}
