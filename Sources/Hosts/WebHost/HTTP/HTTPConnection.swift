/// One client connection. Owned and touched only by its event loop's thread.
final class HTTPConnection {
    enum Phase {
        /// Waiting for (or reading) requests.
        case open
        /// Response(s) queued; close once they are written.
        case closingAfterWrite
        /// Our side is shut down for writing; draining input until the peer closes or the deadline.
        case lingering
    }

    /// What the server remembers about the request being answered (for the access log).
    struct Exchange {
        var method: HTTPMethod
        var path: String
        var clientIP: String
        var requestID: String
        var receivedAt: UInt64
        var keepAlive: Bool
        var isHead: Bool
    }

    let id: UInt64
    let fd: Int32
    let peer: String
    /// The peer is a trusted proxy (decided once, at accept).
    let peerTrusted: Bool
    /// The key this connection is counted under for `maxConnectionsPerIP` (nil: not counted).
    var perIPKey: String?
    var parser: HTTPRequestParser
    var phase: Phase = .open
    var writeBuffer: [UInt8] = []
    var writeOffset = 0
    /// A file body still to send after `writeBuffer`, and how much of it is sent already.
    var file: HTTPFileBody?
    var fileOffset = 0
    /// The request handed to the responder and not yet answered.
    var inFlight: Exchange?
    /// The peer closed its sending side; answer what is buffered, then close.
    var peerClosed = false
    /// Events currently registered with epoll.
    var registeredEvents: UInt32 = 0
    /// Monotonic ns since the request being read has been awaited: its first byte, the accept of a fresh
    /// connection, or the answer before a pipelined request (0 when idle between requests). The header and
    /// read clocks run from here.
    var requestStartedAt: UInt64 = 0
    /// Monotonic ns when the connection became idle.
    var idleSince: UInt64
    /// Monotonic ns when the unwritten output started to wait (0 when nothing is pending).
    var writePendingSince: UInt64 = 0
    /// Deadline for the lingering close.
    var lingerUntil: UInt64 = 0
    /// Counted against `maxConnections` (the over-capacity 503 connections are not).
    let counted: Bool

    init(id: UInt64, fd: Int32, peer: String, peerTrusted: Bool, limits: HTTPParserLimits, now: UInt64, counted: Bool) {
        self.id = id
        self.fd = fd
        self.peer = peer
        self.peerTrusted = peerTrusted
        // A fresh connection owes its first request within the header timeout, not the idle one.
        self.requestStartedAt = now
        self.parser = HTTPRequestParser(limits: limits)
        self.idleSince = now
        self.counted = counted
    }

    var hasPendingOutput: Bool { writeOffset < writeBuffer.count || file != nil }
}
