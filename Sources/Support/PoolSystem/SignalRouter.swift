import Foundation
import Glibc
import Synchronization

/// Routes Unix signals to handlers on a thread of their own (the raw signal handler only wakes that thread).
///
/// Hosts install one router: SIGINT/SIGTERM → `ServiceGroup.shutdown()`, SIGUSR1 → template reload.
/// While a signal has a routed handler its default action is replaced; `cancelAll()` removes this router's handlers
/// and, once a signal has none left, puts back the disposition it had before (the process — or a test run hosting
/// several hosts — is left as found).
public final class SignalRouter: Sendable {
    private let routes = Mutex<[(signal: Int32, id: UInt64)]>([])

    public init() {}

    /// Calls `handler` on the signal thread each time `signal` arrives.
    public func on(_ signalNumber: Int32, _ handler: @escaping @Sendable () -> Void) {
        let id = SignalTable.shared.add(signalNumber, handler)
        routes.withLock { $0.append((signalNumber, id)) }
    }

    /// Stops routing this router's signals.
    public func cancelAll() {
        let removed = routes.withLock { routes in
            defer { routes.removeAll() }
            return routes
        }
        for route in removed { SignalTable.shared.remove(route.signal, route.id) }
    }
}

/// The write end of the signal pipe, set once before the first handler is installed (read by the C handler).
nonisolated(unsafe) private var signalPipeWriteEnd: Int32 = -1

/// The process's one signal handler: writes the signal's number to the pipe and returns (async-signal-safe;
/// everything else happens on the table's thread).
private let forwardSignal: @convention(c) (Int32) -> Void = { signalNumber in
    let saved = errno
    var byte = UInt8(truncatingIfNeeded: signalNumber)
    _ = write(signalPipeWriteEnd, &byte, 1)
    errno = saved
}

/// The routed signals of the process: a `sigaction` handler that only writes the signal's number to a pipe, and one
/// thread that reads the pipe and calls the routers' handlers. (Dispatch signal sources were not reliable here:
/// on Linux they catch a signal only in threads that block it, so in a process with other threads a signal sent
/// to the process was lost once the default action was ignored, and a source made again was never delivered.)
// @unchecked: every access to the tables holds `lock`.
final class SignalTable: @unchecked Sendable {
    static let shared = SignalTable()

    private let lock = NSLock()
    private var handlers: [Int32: [(id: UInt64, handler: @Sendable () -> Void)]] = [:]
    /// The disposition a signal had before its first current handler, put back when its last one goes.
    private var previous: [Int32: sigaction] = [:]
    private var lastID: UInt64 = 0
    private let readEnd: Int32

    private init() {
        var ends: [Int32] = [-1, -1]
        guard pipe(&ends) == 0 else { fatalError("signal pipe: \(String(cString: strerror(errno)))") }
        for end in ends { _ = fcntl(end, F_SETFD, FD_CLOEXEC) }   // never inherited by child processes
        readEnd = ends[0]
        // A full pipe drops the signal rather than block the handler (a burst of the same signal needs one wake).
        _ = fcntl(ends[1], F_SETFL, fcntl(ends[1], F_GETFL) | O_NONBLOCK)
        signalPipeWriteEnd = ends[1]
        let thread = Thread { [unowned self] in self.readLoop() }
        thread.name = "pool-signals"
        thread.start()
    }

    func add(_ signalNumber: Int32, _ handler: @escaping @Sendable () -> Void) -> UInt64 {
        lock.withLock {
            lastID += 1
            if handlers[signalNumber, default: []].isEmpty {
                var before = sigaction()
                sigaction(signalNumber, nil, &before)
                previous[signalNumber] = before
                var action = sigaction()
                action.__sigaction_handler.sa_handler = forwardSignal
                sigemptyset(&action.sa_mask)
                action.sa_flags = SA_RESTART
                sigaction(signalNumber, &action, nil)
            }
            handlers[signalNumber, default: []].append((lastID, handler))
            return lastID
        }
    }

    func remove(_ signalNumber: Int32, _ id: UInt64) {
        lock.withLock {
            handlers[signalNumber]?.removeAll { $0.id == id }
            if handlers[signalNumber, default: []].isEmpty, var restore = previous.removeValue(forKey: signalNumber) {
                sigaction(signalNumber, &restore, nil)
            }
        }
    }

    private func readLoop() {
        var byte: UInt8 = 0
        while true {
            let count = read(readEnd, &byte, 1)
            if count == 1 {
                let signalNumber = Int32(byte)
                let current = lock.withLock { handlers[signalNumber, default: []].map(\.handler) }
                for handler in current { handler() }
            } else if count < 0 && errno != EINTR {
                return
            }
        }
    }
}
