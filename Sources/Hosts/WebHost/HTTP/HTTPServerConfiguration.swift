import Foundation

/// Settings of one `HTTPServer`. Every field has a safe default.
public struct HTTPServerConfiguration: Sendable {
    /// dcrstakepool's `listen` (`:8000`, `127.0.0.1:0`, `/run/pool.sock`).
    public var listen: ListenAddress
    /// Request size limits (head ≤ 16 KiB, body ≤ 1 MiB by default).
    public var limits: HTTPParserLimits
    /// From the first byte of a request until its header section is complete (defeats slowloris); also how
    /// long a new connection may stay silent, and how long a pipelined request may take to complete.
    public var headerTimeout: Duration
    /// From the first byte of a request until its body is complete.
    public var readTimeout: Duration
    /// How long a keep-alive connection may wait for its next request.
    public var idleTimeout: Duration
    /// How long a response may take to be written out once queued (defeats slow readers).
    public var writeTimeout: Duration
    /// Open connections above which new ones get a `503` and are closed.
    public var maxConnections: Int
    /// Open connections one client address (IPv6: one /64) may hold; the excess gets a `503`. Peers in
    /// `trustedProxies` (and Unix-socket peers) are exempt, so a proxy in front is never throttled. 0: no cap.
    public var maxConnectionsPerIP: Int
    /// I/O threads (one epoll each). Default: the number of CPUs.
    public var eventLoops: Int
    /// `realipheader`: the header that carries the client IP when a trusted proxy is the peer.
    public var realIPHeader: String
    /// `trustedproxies`: peer addresses or CIDR ranges whose `realIPHeader` is believed. Unix-socket peers
    /// are always trusted.
    public var trustedProxies: [String]
    /// Write one access log line per request (method, path, status, bytes, duration, client IP).
    public var accessLog: Bool
    /// How long graceful shutdown waits for in-flight requests before closing everything.
    public var shutdownGracePeriod: Duration
    /// Name of the service in logs.
    public var name: String

    public init(listen: ListenAddress = .tcp(host: "", port: 8000),
                limits: HTTPParserLimits = HTTPParserLimits(),
                headerTimeout: Duration = .seconds(10),
                readTimeout: Duration = .seconds(30),
                idleTimeout: Duration = .seconds(120),
                writeTimeout: Duration = .seconds(30),
                maxConnections: Int = 10_000,
                maxConnectionsPerIP: Int = 64,
                eventLoops: Int = max(1, ProcessInfo.processInfo.activeProcessorCount),
                realIPHeader: String = "",
                trustedProxies: [String] = ["127.0.0.1", "::1"],
                accessLog: Bool = true,
                shutdownGracePeriod: Duration = .seconds(10),
                name: String = "web") {
        self.listen = listen
        self.limits = limits
        self.headerTimeout = headerTimeout
        self.readTimeout = readTimeout
        self.idleTimeout = idleTimeout
        self.writeTimeout = writeTimeout
        self.maxConnections = maxConnections
        self.maxConnectionsPerIP = maxConnectionsPerIP
        self.eventLoops = eventLoops
        self.realIPHeader = realIPHeader
        self.trustedProxies = trustedProxies
        self.accessLog = accessLog
        self.shutdownGracePeriod = shutdownGracePeriod
        self.name = name
    }
}
