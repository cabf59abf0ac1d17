import Foundation
import PoolKernel
import Synchronization

/// Counters the server itself records (requests by route live in the router's metrics middleware).
public struct HTTPServerMetrics: Sendable {
    let openConnections: Gauge
    let rejectedConnections: Counter
    let parseFailures: Counter
    let rejectedPerIP: Counter
    let forwardedHeaderIgnored: Gauge

    /// Registers `http_open_connections`, `http_rejected_connections_total`, `http_rejected_connections_per_ip_total`,
    /// `http_bad_requests_total` and `pool_http_forwarded_header_ignored`.
    public init(registry: MetricsRegistry, prefix: String = "http") {
        openConnections = registry.gauge("\(prefix)_open_connections", help: "Open client connections.")
        rejectedConnections = registry.counter("\(prefix)_rejected_connections_total",
                                               help: "Connections refused with 503 because maxConnections were open.")
        rejectedPerIP = registry.counter("\(prefix)_rejected_connections_per_ip_total",
                                         help: "Connections refused with 503 because their address held maxconnectionsperip.")
        forwardedHeaderIgnored = registry.gauge("pool_\(prefix)_forwarded_header_ignored",
                                                help: "1 once a trusted proxy sent a forwarding header while realipheader is unset.")
        parseFailures = registry.counter("\(prefix)_bad_requests_total", help: "Requests rejected by the parser, by status.",
                                         labels: ["status"])
    }
}

/// State shared by the event loops of one server (immutable after start, or atomic).
final class HTTPServerCore: Sendable {
    struct Timeouts: Sendable {
        let header: UInt64
        let read: UInt64
        let idle: UInt64
        let write: UInt64
    }

    let configuration: HTTPServerConfiguration
    let responder: any HTTPResponder
    let logger: Logger
    let metrics: HTTPServerMetrics?
    let listenerFDs: [Int32]
    let realIP: RealIPResolver
    let timeouts: Timeouts
    let requestIDPrefix: String
    private let openConnections = Atomic<Int>(0)
    /// Open connections per client key (`IPAddress.clientKey`); only untrusted peers are counted. Touched
    /// once at accept and once at close, never per request.
    private let connectionsPerIP = Mutex<[String: Int]>([:])
    private let forwardedHeaderSeen = Atomic<Bool>(false)
    /// The server's event loops while it runs (empty otherwise: they and this core refer to each other).
    private let loops = Mutex<[EventLoop]>([])

    init(configuration: HTTPServerConfiguration, responder: any HTTPResponder, logger: Logger,
         metrics: HTTPServerMetrics?, listenerFDs: [Int32]) {
        self.configuration = configuration
        self.responder = responder
        self.logger = logger
        self.metrics = metrics
        self.listenerFDs = listenerFDs
        realIP = RealIPResolver(header: configuration.realIPHeader, trustedProxies: configuration.trustedProxies)
        metrics?.forwardedHeaderIgnored.set(0)
        timeouts = Timeouts(header: MonotonicClock.nanoseconds(configuration.headerTimeout),
                            read: MonotonicClock.nanoseconds(configuration.readTimeout),
                            idle: MonotonicClock.nanoseconds(configuration.idleTimeout),
                            write: MonotonicClock.nanoseconds(configuration.writeTimeout))
        requestIDPrefix = String(UInt32.random(in: 0x1000_0000...UInt32.max), radix: 36) + "-"
    }

    func attach(_ running: [EventLoop]) { loops.withLock { $0 = running } }

    /// The loop that serves a connection `acceptor` has just accepted: the one with the fewest connections,
    /// `acceptor` on a tie. Counts the connection in that loop's `load` before returning it.
    func loopFor(_ acceptor: EventLoop) -> EventLoop {
        var chosen = acceptor
        var least = acceptor.load.load(ordering: .relaxed)
        for loop in loops.withLock({ $0 }) where loop !== acceptor {
            let load = loop.load.load(ordering: .relaxed)
            if load < least { (chosen, least) = (loop, load) }
        }
        chosen.load.add(1, ordering: .relaxed)
        return chosen
    }

    /// Counts a new connection; false when `maxConnections` are already open.
    func admitConnection() -> Bool {
        let (admitted, count) = openConnections.withLockedAdd(limit: configuration.maxConnections)
        if admitted { metrics?.openConnections.set(Double(count)) }
        return admitted
    }

    func releaseConnection() {
        let count = openConnections.subtract(1, ordering: .relaxed).newValue
        metrics?.openConnections.set(Double(count))
    }

    var openConnectionCount: Int { openConnections.load(ordering: .relaxed) }

    enum PerIPAdmission {
        /// Trusted peer, or no cap: not counted.
        case exempt
        /// Counted under this key; release it at close.
        case counted(String)
        /// The address already holds `maxConnectionsPerIP`.
        case refused
    }

    /// Counts a connection from `peer` against `maxConnectionsPerIP`.
    func admitPerIP(peer: String, trusted: Bool) -> PerIPAdmission {
        let cap = configuration.maxConnectionsPerIP
        guard cap > 0, !trusted else { return .exempt }
        let key = IPAddress.clientKey(peer)
        return connectionsPerIP.withLock { counts in
            let open = counts[key, default: 0]
            guard open < cap else { return .refused }
            counts[key] = open + 1
            return .counted(key)
        }
    }

    func releasePerIP(_ key: String) {
        connectionsPerIP.withLock { counts in
            let open = counts[key, default: 1] - 1
            counts[key] = open > 0 ? open : nil
        }
    }

    /// True once a trusted proxy sent a forwarding header while `realipheader` is unset.
    var forwardedHeaderIgnored: Bool { forwardedHeaderSeen.load(ordering: .relaxed) }

    /// Warns once that clients behind a proxy all look like the proxy (one rate-limit bucket, no real IPs in logs).
    func noteForwardingHeader(_ request: HTTPRequest, peerTrusted: Bool) {
        guard configuration.realIPHeader.isEmpty, peerTrusted, !forwardedHeaderSeen.load(ordering: .relaxed),
              RealIPResolver.hasForwardingHeader(request.headers) else { return }
        guard forwardedHeaderSeen.compareExchange(expected: false, desired: true, ordering: .relaxed).exchanged else { return }
        metrics?.forwardedHeaderIgnored.set(1)
        logger.warn("a trusted proxy (\(request.peerAddress)) sends a forwarding header (X-Forwarded-For, X-Real-IP or Forwarded) "
                    + "but realipheader is not set: every client behind it counts as the proxy's address for rate limits, "
                    + "the admin gate and logs; set realipheader (see docs/operations.md)")
    }

    /// The access log line: `<ip> "<METHOD> <path>" <status> <bytes> <ms>ms id=<request id>`.
    func recordExchange(_ exchange: HTTPConnection.Exchange, status: Int, bodyBytes: Int, now: UInt64) {
        guard configuration.accessLog, logger.isEnabled(.info) else { return }
        let milliseconds = Double(now &- exchange.receivedAt) / 1_000_000
        let ip = exchange.clientIP.isEmpty ? "-" : exchange.clientIP
        logger.info("\(ip) \"\(exchange.method) \(Self.printable(exchange.path))\" \(status) \(bodyBytes) "
                    + String(format: "%.3fms", milliseconds) + " id=\(exchange.requestID)")
    }

    /// Paths come from clients: keep log lines on one line and free of control characters.
    static func printable(_ path: String) -> String {
        var out = ""
        for scalar in path.unicodeScalars.prefix(512) {
            if scalar.value < 0x20 || scalar.value == 0x7F || scalar == "\"" {
                out += String(format: "%%%02X", scalar.value)
            } else {
                out.unicodeScalars.append(scalar)
            }
        }
        return out
    }

    static let continueResponse = Array("HTTP/1.1 100 Continue\r\n\r\n".utf8)
    static let overloadResponse = Array(("HTTP/1.1 503 Service Unavailable\r\nContent-Type: text/plain; charset=utf-8\r\n"
        + "Content-Length: 42\r\nRetry-After: 1\r\nConnection: close\r\n\r\nServer at capacity: too many connections.\n").utf8)
    static let perIPOverloadResponse = Array(("HTTP/1.1 503 Service Unavailable\r\nContent-Type: text/plain; charset=utf-8\r\n"
        + "Content-Length: 40\r\nRetry-After: 1\r\nConnection: close\r\n\r\nToo many connections from your address.\n").utf8)
    static let timeoutResponse = Array(("HTTP/1.1 408 Request Timeout\r\nContent-Type: text/plain; charset=utf-8\r\n"
        + "Content-Length: 16\r\nConnection: close\r\n\r\nRequest Timeout\n").utf8)
}

extension Atomic where Value == Int {
    /// Increments unless the value has reached `limit`; returns whether it did and the new value.
    func withLockedAdd(limit: Int) -> (Bool, Int) {
        var current = load(ordering: .relaxed)
        while current < limit {
            let (exchanged, original) = compareExchange(expected: current, desired: current + 1, ordering: .relaxed)
            if exchanged { return (true, current + 1) }
            current = original
        }
        return (false, current)
    }
}
