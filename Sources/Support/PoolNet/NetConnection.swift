import COpenSSL
import Dispatch
import Foundation
import PoolSystem
import Synchronization
#if canImport(Glibc)
import Glibc
#endif
import PoolKernel

/// One TCP connection, optionally upgraded to TLS, owning its socket and `SSL*` (freed in deinit).
///
/// The socket is non-blocking; the blocking methods (`read`, `write`, `startTLS`, `acceptTLS`) wait
/// with `poll` until their deadline, so call them from a dedicated serial queue (`queue`) or thread,
/// never from Swift's cooperative pool (`perform` bridges async code onto `queue`). One reader and
/// any number of writers may use the connection at once: every TLS call is serialised by an internal
/// lock, and `tryWrite` never blocks. `close()` may be called from anywhere and wakes a blocked reader.
public final class NetConnection: @unchecked Sendable {
    // @unchecked: `fd` is immutable; the SSL pointer and the closed flag live in `io` and are only
    // touched under its lock; the fd is closed only in deinit, so no thread can poll a reused fd.
    private struct IOState {
        var ssl: OpaquePointer?
        var closed = false
    }

    private let fd: Int32
    private let io = IOBox()
    /// The peer as given to `connect` (or the accepted peer address).
    public let peer: String
    /// The serial queue for this connection's blocking work (see `perform`).
    public let queue: DispatchQueue
    /// How long `read` polls for more bytes (yielding the core in between) before it sleeps in `poll` — set on
    /// request/reply connections where the next message usually follows within a loopback round trip: waking
    /// a sleeping thread costs more than that on a VM. 0: sleep at once.
    public var busyPollNanoseconds: UInt64 {
        get { busyPoll.load(ordering: .relaxed) }
        set { busyPoll.store(newValue, ordering: .relaxed) }
    }
    private let busyPoll = Atomic<UInt64>(0)
    /// The busy-poll window request/reply peers use: about a loopback round trip between two processes.
    public static let requestReplyBusyPollNanoseconds: UInt64 = 150_000

    init(fd: Int32, peer: String) {
        self.fd = fd
        self.peer = peer
        self.queue = DispatchQueue(label: "poolnet.connection")
        Self.ignoreSIGPIPE
    }

    deinit {
        io.withLock { state in
            if let ssl = state.ssl { SSL_free(ssl) }
            state.ssl = nil
        }
        Glibc.close(fd)
    }

    /// OpenSSL writes with write(2), which raises SIGPIPE on a reset socket; the process must ignore it.
    private static let ignoreSIGPIPE: Void = { _ = signal(SIGPIPE, SIG_IGN) }()

    // MARK: - Connecting

    /// Connects to `address` (IPv4 or IPv6; a host name tries every resolved address in order).
    /// Blocking: call it from a queue, or use the async overload.
    public static func connect(to address: HostPort, timeout: Duration) throws -> NetConnection {
        let deadline = Deadline(timeout: timeout)
        var hints = addrinfo()
        hints.ai_family = AF_UNSPEC
        hints.ai_socktype = Int32(SOCK_STREAM.rawValue)
        var list: UnsafeMutablePointer<addrinfo>?
        let status = getaddrinfo(address.host, String(address.port), &hints, &list)
        guard status == 0, let first = list else {
            throw NetError(.netResolve, "cannot resolve \(address.host): \(String(cString: gai_strerror(status)))")
        }
        defer { freeaddrinfo(list) }
        var lastError = NetError(.netConnect, "cannot connect to \(address)")
        var entry: UnsafeMutablePointer<addrinfo>? = first
        while let info = entry {
            entry = info.pointee.ai_next
            do {
                let fd = try connectOne(info.pointee, deadline: deadline, address: address)
                return NetConnection(fd: fd, peer: address.description)
            } catch let error as NetError {
                lastError = error
                if error.code == .netTimeout { break }
            }
        }
        throw lastError
    }

    /// Connects on a fresh queue without blocking the caller's thread.
    public static func connect(to address: HostPort, timeout: Duration) async throws -> NetConnection {
        try await withCheckedThrowingContinuation { continuation in
            DispatchQueue.global().async {
                continuation.resume(with: Result { try connect(to: address, timeout: timeout) })
            }
        }
    }

    private static func connectOne(_ info: addrinfo, deadline: Deadline, address: HostPort) throws -> Int32 {
        let fd = socket(info.ai_family, Int32(SOCK_STREAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0)
        guard fd >= 0 else { throw NetError(.netIO, "socket(): \(errnoText())") }
        var keep = false
        defer { if !keep { Glibc.close(fd) } }
        try configure(fd)
        if Glibc.connect(fd, info.ai_addr, info.ai_addrlen) != 0 {
            guard errno == EINPROGRESS else {
                throw NetError(.netConnect, "cannot connect to \(address): \(errnoText())")
            }
            var pfd = pollfd(fd: fd, events: Int16(POLLOUT), revents: 0)
            while true {
                let ready = poll(&pfd, 1, deadline.pollMilliseconds)
                if ready > 0 { break }
                if ready == 0 { throw NetError(.netTimeout, "connect to \(address) timed out") }
                if errno != EINTR { throw NetError(.netIO, "poll(): \(errnoText())") }
            }
            var soError: Int32 = 0
            var length = socklen_t(MemoryLayout<Int32>.size)
            getsockopt(fd, SOL_SOCKET, SO_ERROR, &soError, &length)
            guard soError == 0 else {
                throw NetError(.netConnect, "cannot connect to \(address): \(String(cString: strerror(soError)))")
            }
        }
        keep = true
        return fd
    }

    /// Non-blocking, no Nagle delay (RPC is request/response of small messages).
    static func configure(_ fd: Int32) throws {
        let flags = fcntl(fd, F_GETFL, 0)
        guard flags >= 0, fcntl(fd, F_SETFL, flags | O_NONBLOCK) == 0 else {
            throw NetError(.netIO, "fcntl(O_NONBLOCK): \(errnoText())")
        }
        var one: Int32 = 1
        setsockopt(fd, Int32(IPPROTO_TCP), TCP_NODELAY, &one, socklen_t(MemoryLayout<Int32>.size))
    }

    // MARK: - TLS

    /// Upgrades this (plain) connection to TLS as a client: verifies the peer against the context's
    /// trust anchors and, unless disabled, that its certificate names `serverName` (DNS or IP SAN).
    /// Sends SNI for DNS names. Used right after connect, or mid-stream (SMTP STARTTLS).
    public func startTLS(_ context: TLSContext, serverName: String?, timeout: Duration) throws {
        precondition(!context.isServer, "startTLS needs a client context")
        try handshake(context, timeout: timeout) { ssl in
            if let serverName, !serverName.isEmpty {
                let isIP = IPAddressText.isIPv4(serverName) || serverName.contains(":")
                if context.verifyHostName {
                    let ok = isIP ? X509_VERIFY_PARAM_set1_ip_asc(SSL_get0_param(ssl), serverName)
                        : SSL_set1_host(ssl, serverName)
                    guard ok == 1 else { throw NetError(.netTLS, "cannot check host name \(serverName)") }
                }
                if !isIP { _ = copenssl_set_tlsext_host_name(ssl, serverName) }
            }
            SSL_set_connect_state(ssl)
        }
    }

    /// Runs the server side of a TLS handshake on this accepted connection.
    public func acceptTLS(_ context: TLSContext, timeout: Duration) throws {
        precondition(context.isServer, "acceptTLS needs a server context")
        try handshake(context, timeout: timeout) { SSL_set_accept_state($0) }
    }

    /// The negotiated protocol (`TLSv1.3`), or nil for a plain connection.
    public var tlsVersion: String? {
        io.withLock { state in state.ssl.map { String(cString: SSL_get_version($0)) } }
    }

    private func handshake(_ context: TLSContext, timeout: Duration,
                           prepare: (OpaquePointer) throws -> Void) throws {
        let deadline = Deadline(timeout: timeout)
        guard let ssl = SSL_new(context.context) else { throw NetError(.netTLS, "SSL_new failed: \(OpenSSLErrors.drain())") }
        var installed = false
        defer { if !installed { SSL_free(ssl) } }
        guard SSL_set_fd(ssl, fd) == 1 else { throw NetError(.netTLS, "SSL_set_fd failed") }
        try prepare(ssl)
        try io.withLock { state in
            guard !state.closed else { throw NetError(.netClosed, "connection to \(peer) is closed") }
            guard state.ssl == nil else { throw NetError(.netTLS, "connection to \(peer) already uses TLS") }
        }
        while true {
            ERR_clear_error()
            let result = SSL_do_handshake(ssl)
            if result == 1 { break }
            let error = SSL_get_error(ssl, result)
            switch error {
            case SSL_ERROR_WANT_READ: try wait(events: POLLIN, deadline: deadline, what: "TLS handshake")
            case SSL_ERROR_WANT_WRITE: try wait(events: POLLOUT, deadline: deadline, what: "TLS handshake")
            default: throw handshakeError(ssl, sslError: error)
            }
        }
        try io.withLock { state in
            guard !state.closed else { throw NetError(.netClosed, "connection to \(peer) is closed") }
            state.ssl = ssl
        }
        installed = true
    }

    private func handshakeError(_ ssl: OpaquePointer, sslError: Int32) -> NetError {
        let verify = SSL_get_verify_result(ssl)
        if verify != X509_V_OK {
            let reason = String(cString: X509_verify_cert_error_string(verify))
            _ = OpenSSLErrors.drain()
            if verify == X509_V_ERR_HOSTNAME_MISMATCH || verify == X509_V_ERR_IP_ADDRESS_MISMATCH {
                return NetError(.netTLSHostMismatch, "TLS to \(peer): certificate does not match the host name (\(reason))")
            }
            return NetError(.netTLSUntrusted, "TLS to \(peer): certificate not trusted (\(reason))")
        }
        if sslError == SSL_ERROR_SYSCALL || sslError == SSL_ERROR_ZERO_RETURN {
            _ = OpenSSLErrors.drain()
            return NetError(.netTLS, "TLS to \(peer): connection closed during the handshake")
        }
        return NetError(.netTLS, "TLS handshake with \(peer) failed: \(OpenSSLErrors.drain())")
    }

    // MARK: - Reading and writing

    private enum Step { case done(Int), wantRead, wantWrite }

    /// Reads at most `buffer.count` bytes, waiting until some arrive; 0 means the peer closed.
    public func read(into buffer: UnsafeMutableRawBufferPointer, timeout: Duration?) throws -> Int {
        let deadline = Deadline(timeout: timeout)
        while true {
            switch try readStep(buffer) {
            case .done(let count): return count
            case .wantRead:
                if !pollBriefly(events: POLLIN) { try wait(events: POLLIN, deadline: deadline, what: "read") }
            case .wantWrite: try wait(events: POLLOUT, deadline: deadline, what: "read")
            }
        }
    }

    /// Polls without sleeping for up to `busyPollNanoseconds` (`SpinWait`); whether the socket became ready.
    private func pollBriefly(events: Int32) -> Bool {
        let window = busyPollNanoseconds
        return window > 0 && SpinWait.pollSocket(fd, events: events, for: window)
    }

    /// Reads up to `maxLength` bytes; an empty array means the peer closed.
    public func read(maxLength: Int = 16_384, timeout: Duration?) throws -> [UInt8] {
        var bytes = [UInt8](repeating: 0, count: maxLength)
        let count = try bytes.withUnsafeMutableBytes { try read(into: $0, timeout: timeout) }
        bytes.removeSubrange(count...)
        return bytes
    }

    private func readStep(_ buffer: UnsafeMutableRawBufferPointer) throws -> Step {
        guard let base = buffer.baseAddress, buffer.count > 0 else { return .done(0) }
        return try io.withLock { state -> Step in
            guard !state.closed else { throw NetError(.netClosed, "connection to \(peer) is closed") }
            if let ssl = state.ssl {
                ERR_clear_error()
                let count = SSL_read(ssl, base, Int32(clamping: buffer.count))
                if count > 0 { return .done(Int(count)) }
                switch SSL_get_error(ssl, count) {
                case SSL_ERROR_WANT_READ: return .wantRead
                case SSL_ERROR_WANT_WRITE: return .wantWrite
                case SSL_ERROR_ZERO_RETURN: return .done(0)
                case SSL_ERROR_SYSCALL:
                    if errno == 0 || errno == ECONNRESET { _ = OpenSSLErrors.drain(); return .done(0) }
                    throw NetError(.netIO, "read from \(peer): \(Self.errnoText())")
                default:
                    throw NetError(.netTLS, "TLS read from \(peer) failed: \(OpenSSLErrors.drain())")
                }
            }
            while true {
                let count = recv(fd, base, buffer.count, 0)
                if count >= 0 { return .done(count) }
                switch errno {
                case EINTR: continue
                case EAGAIN, EWOULDBLOCK: return .wantRead
                case ECONNRESET: return .done(0)
                default: throw NetError(.netIO, "read from \(peer): \(Self.errnoText())")
                }
            }
        }
    }

    /// Writes as much of `bytes` as the socket takes right now, without waiting; returns the count
    /// (0 when it would block). With TLS, a retry must start with the same bytes that were not taken.
    public func tryWrite(_ bytes: UnsafeRawBufferPointer) throws -> Int {
        guard let base = bytes.baseAddress, bytes.count > 0 else { return 0 }
        return try io.withLock { state -> Int in
            guard !state.closed else { throw NetError(.netClosed, "connection to \(peer) is closed") }
            if let ssl = state.ssl {
                ERR_clear_error()
                let count = SSL_write(ssl, base, Int32(clamping: bytes.count))
                if count > 0 { return Int(count) }
                switch SSL_get_error(ssl, count) {
                case SSL_ERROR_WANT_READ, SSL_ERROR_WANT_WRITE: return 0
                case SSL_ERROR_SYSCALL, SSL_ERROR_ZERO_RETURN:
                    _ = OpenSSLErrors.drain()
                    throw NetError(.netClosed, "connection to \(peer) was closed by the peer")
                default:
                    throw NetError(.netTLS, "TLS write to \(peer) failed: \(OpenSSLErrors.drain())")
                }
            }
            while true {
                let count = send(fd, base, bytes.count, Int32(MSG_NOSIGNAL))
                if count >= 0 { return count }
                switch errno {
                case EINTR: continue
                case EAGAIN, EWOULDBLOCK: return 0
                case EPIPE, ECONNRESET: throw NetError(.netClosed, "connection to \(peer) was closed by the peer")
                default: throw NetError(.netIO, "write to \(peer): \(Self.errnoText())")
                }
            }
        }
    }

    /// Writes all of `bytes`, waiting for the socket as needed until `timeout`.
    public func write(_ bytes: UnsafeRawBufferPointer, timeout: Duration?) throws {
        let deadline = Deadline(timeout: timeout)
        var offset = 0
        while offset < bytes.count {
            let count = try tryWrite(UnsafeRawBufferPointer(rebasing: bytes[offset...]))
            if count == 0 { try waitWritable(deadline: deadline) } else { offset += count }
        }
    }

    /// Writes all of `bytes` (see `write(_:timeout:)`).
    public func write(_ bytes: [UInt8], timeout: Duration?) throws {
        try bytes.withUnsafeBytes { try write($0, timeout: timeout) }
    }

    /// Writes the UTF-8 of `text`.
    public func write(_ text: String, timeout: Duration?) throws {
        try write(Array(text.utf8), timeout: timeout)
    }

    /// Waits until the socket accepts more bytes (or the deadline passes).
    func waitWritable(deadline: Deadline) throws {
        try wait(events: POLLOUT, deadline: deadline, what: "write")
    }

    private func wait(events: Int32, deadline: Deadline, what: String) throws {
        var pfd = pollfd(fd: fd, events: Int16(events), revents: 0)
        while true {
            let ready = poll(&pfd, 1, deadline.pollMilliseconds)
            if ready > 0 { return }
            if ready == 0 { throw NetError(.netTimeout, "\(what) on \(peer) timed out") }
            if errno != EINTR { throw NetError(.netIO, "poll(): \(Self.errnoText())") }
        }
    }

    // MARK: - Closing

    /// Closes the connection (best-effort TLS close_notify, then shutdown). Wakes a blocked reader,
    /// whose next call fails with `netClosed`. Idempotent; the descriptor is released in deinit.
    public func close() {
        let wasOpen = io.withLock { state -> Bool in
            guard !state.closed else { return false }
            state.closed = true
            if let ssl = state.ssl {
                ERR_clear_error()
                _ = SSL_shutdown(ssl)
                _ = OpenSSLErrors.drain()
            }
            return true
        }
        if wasOpen { _ = shutdown(fd, Int32(SHUT_RDWR)) }
    }

    public var isClosed: Bool { io.withLock { $0.closed } }

    // MARK: - Async bridge

    /// Runs blocking work on this connection's serial queue and returns its result.
    public func perform<T: Sendable>(_ body: @escaping @Sendable (NetConnection) throws -> T) async throws -> T {
        try await withCheckedThrowingContinuation { continuation in
            queue.async { continuation.resume(with: Result { try body(self) }) }
        }
    }

    static func errnoText() -> String { String(cString: strerror(errno)) }

    /// The mutable TLS state and its lock. Not a `Mutex`: region-based isolation cannot see that the
    /// non-Sendable `SSL*` and the caller's buffer pointer never leave the critical section.
    private final class IOBox: @unchecked Sendable {
        // @unchecked: `state` is only accessed inside `withLock`.
        private let lock = NSLock()
        private var state = IOState()

        func withLock<T>(_ body: (inout IOState) throws -> T) rethrows -> T {
            lock.lock()
            defer { lock.unlock() }
            return try body(&state)
        }
    }
}
