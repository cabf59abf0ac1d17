import Foundation
import PoolKernel
import Synchronization
#if canImport(Glibc)
import Glibc
#endif

/// Our HTTP/1.1 server: epoll event loops on their own threads, handlers through an `HTTPResponder`.
///
/// Keep-alive, pipelining (answers in order), chunked request bodies, size limits, slowloris-safe
/// timeouts, a connection cap answered with 503, and graceful shutdown that finishes in-flight
/// requests. TLS is not handled: operators put nginx in front.
///
/// ```swift
/// let server = HTTPServer(configuration: .init(listen: try ListenAddress(parsing: ":8000")),
///                         responder: router, logger: logger)
/// let bound = try server.start()   // optional: bind early to learn the port
/// try await server.run()           // until the task is cancelled or shutdown() is called
/// ```
public final class HTTPServer: EngineService {
    private enum State {
        case idle
        case bound(core: HTTPServerCore, address: ListenAddress)
        case running(core: HTTPServerCore, loops: [EventLoop])
        case stopped
    }

    public let configuration: HTTPServerConfiguration
    private let responder: any HTTPResponder
    private let logger: Logger
    private let metrics: HTTPServerMetrics?
    private let state = Mutex<State>(.idle)
    private let boundAddressValue = Mutex<ListenAddress?>(nil)

    public var name: String { configuration.name }

    public init(configuration: HTTPServerConfiguration, responder: any HTTPResponder, logger: Logger,
                metrics: HTTPServerMetrics? = nil) {
        self.configuration = configuration
        self.responder = responder
        self.logger = logger
        self.metrics = metrics
    }

    /// The address actually bound (with the real port when 0 was asked), nil before `start()`.
    public var boundAddress: ListenAddress? { boundAddressValue.withLock { $0 } }

    /// Binds the listening socket now (so a host can fail fast and tests can learn the port).
    /// Calling it again returns the same address. `run()` calls it if needed.
    @discardableResult
    public func start() throws(WebError) -> ListenAddress {
        try state.withLock { state throws(WebError) -> ListenAddress in
            switch state {
            case .bound(_, let address): return address
            case .running: throw WebError(.serverState, "server already running")
            case .stopped: throw WebError(.serverState, "server already stopped")
            case .idle: break
            }
            let (fd, address) = try SocketIO.listen(on: configuration.listen)
            let core = HTTPServerCore(configuration: configuration, responder: responder, logger: logger,
                                      metrics: metrics, listenerFDs: [fd])
            state = .bound(core: core, address: address)
            boundAddressValue.withLock { $0 = address }
            return address
        }
    }

    /// Serves until the calling task is cancelled or `shutdown()` is called, then stops gracefully:
    /// no new connections, idle ones closed, in-flight requests answered (with `Connection: close`)
    /// for at most `shutdownGracePeriod`.
    public func run() async throws {
        let address = try start()
        let (core, loops) = try state.withLock { state throws(WebError) -> (HTTPServerCore, [EventLoop]) in
            guard case .bound(let core, _) = state else { throw WebError(.serverState, "server already running") }
            var loops: [EventLoop] = []
            for index in 0..<max(1, configuration.eventLoops) { loops.append(try EventLoop(index: index, shared: core)) }
            state = .running(core: core, loops: loops)
            core.attach(loops)
            return (core, loops)
        }
        logger.info("\(configuration.name): listening on \(address)")
        await withTaskCancellationHandler {
            // Every I/O thread is started here, at once: started from child tasks instead, a loop would wait for a
            // free cooperative thread and its connections would not be served meanwhile.
            await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
                let running = Mutex(loops.count)
                for (index, loop) in loops.enumerated() {
                    let name = "\(self.configuration.name)-io-\(index)"
                    let thread = Thread {
                        // Named from inside: only then does the kernel's name (`top -H`) follow.
                        Thread.current.name = name
                        loop.run()
                        if running.withLock({ $0 -= 1; return $0 == 0 }) { continuation.resume() }
                    }
                    thread.name = name
                    thread.stackSize = 1 << 20
                    thread.start()
                }
            }
        } onCancel: {
            self.shutdown()
        }
        core.attach([])
        for fd in core.listenerFDs { close(fd) }
        if case .unix(let path) = address { unlink(path) }
        state.withLock { $0 = .stopped }
        logger.info("\(configuration.name): stopped")
    }

    /// Begins graceful shutdown; `run()` returns when it is complete. Safe to call from any thread,
    /// more than once, and before `run()` (then `run()` never serves).
    public func shutdown() {
        let loops: [EventLoop] = state.withLock { state in
            switch state {
            case .running(let core, let loops):
                // Stop listening now (Linux refuses new connects after shutdown() on a listener);
                // the descriptors are closed when run() ends, after every loop has let go of them.
                for fd in core.listenerFDs { Glibc.shutdown(fd, Int32(SHUT_RDWR)) }
                return loops
            case .bound(let core, _):
                for fd in core.listenerFDs { close(fd) }
                state = .stopped
                return []
            case .idle:
                state = .stopped
                return []
            case .stopped: return []
            }
        }
        let deadline = MonotonicClock.now() + MonotonicClock.nanoseconds(configuration.shutdownGracePeriod)
        for loop in loops { loop.post(.drain(deadline: deadline)) }
    }

    /// Connections currently counted against `maxConnections`.
    public var openConnectionCount: Int {
        state.withLock { state in
            switch state {
            case .running(let core, _), .bound(let core, _): core.openConnectionCount
            default: 0
            }
        }
    }

    /// True once a trusted proxy sent X-Forwarded-For, X-Real-IP or Forwarded while `realipheader` is unset
    /// (every client behind it then counts as the proxy; warned once in the log).
    public var forwardedHeaderIgnored: Bool {
        state.withLock { state in
            switch state {
            case .running(let core, _), .bound(let core, _): core.forwardedHeaderIgnored
            default: false
            }
        }
    }
}
