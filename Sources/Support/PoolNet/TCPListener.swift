import Foundation
import Synchronization
#if canImport(Glibc)
import Glibc
#endif

/// A listening TCP socket (IPv4 or IPv6). `accept` blocks, so run the accept loop on its own queue.
public final class TCPListener: @unchecked Sendable {
    // @unchecked: `fd` and `localAddress` are immutable; `closed` is a Mutex; fd is closed in deinit.
    private let fd: Int32
    private let closed = Mutex(false)
    /// The bound address; the port is the real one when 0 was requested.
    public let localAddress: HostPort

    private let backlog: Int32

    /// Binds and listens on `address` (port 0 picks a free port). With `listening: false` the port is only held:
    /// connections to it are refused until `startListening()`, and no port-0 bind elsewhere is given it (a test's
    /// "nothing listens here"); Linux lets a server that names the port with SO_REUSEADDR bind it meanwhile.
    public init(bindTo address: HostPort, backlog: Int32 = 128, listening: Bool = true) throws {
        var hints = addrinfo()
        hints.ai_family = AF_UNSPEC
        hints.ai_socktype = Int32(SOCK_STREAM.rawValue)
        hints.ai_flags = AI_PASSIVE
        var list: UnsafeMutablePointer<addrinfo>?
        let status = getaddrinfo(address.host, String(address.port), &hints, &list)
        guard status == 0, let info = list else {
            throw NetError(.netResolve, "cannot resolve \(address.host): \(String(cString: gai_strerror(status)))")
        }
        defer { freeaddrinfo(list) }
        let fd = socket(info.pointee.ai_family, Int32(SOCK_STREAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0)
        guard fd >= 0 else { throw NetError(.netListen, "socket(): \(NetConnection.errnoText())") }
        var one: Int32 = 1
        setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, socklen_t(MemoryLayout<Int32>.size))
        guard bind(fd, info.pointee.ai_addr, info.pointee.ai_addrlen) == 0, !listening || Glibc.listen(fd, backlog) == 0 else {
            let text = NetConnection.errnoText()
            Glibc.close(fd)
            throw NetError(.netListen, "cannot listen on \(address): \(text)")
        }
        let flags = fcntl(fd, F_GETFL, 0)
        _ = fcntl(fd, F_SETFL, flags | O_NONBLOCK)
        var storage = sockaddr_storage()
        var length = socklen_t(MemoryLayout<sockaddr_storage>.size)
        let port = withUnsafeMutablePointer(to: &storage) { pointer -> UInt16 in
            _ = pointer.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(fd, $0, &length) }
            return Self.port(of: pointer)
        }
        self.fd = fd
        self.backlog = backlog
        self.localAddress = HostPort(host: address.host, port: port)
    }

    /// Starts listening on a listener made with `listening: false` (idempotent for one that listens).
    public func startListening() throws {
        guard Glibc.listen(fd, backlog) == 0 else {
            throw NetError(.netListen, "cannot listen on \(localAddress): \(NetConnection.errnoText())")
        }
    }

    deinit { Glibc.close(fd) }

    /// Waits for the next connection (nil on timeout). Throws `netClosed` after `close()`.
    public func accept(timeout: Duration?) throws -> NetConnection? {
        let deadline = Deadline(timeout: timeout)
        var pfd = pollfd(fd: fd, events: Int16(POLLIN), revents: 0)
        while true {
            if closed.withLock({ $0 }) { throw NetError(.netClosed, "listener on \(localAddress) is closed") }
            var storage = sockaddr_storage()
            var length = socklen_t(MemoryLayout<sockaddr_storage>.size)
            let client = withUnsafeMutablePointer(to: &storage) { pointer in
                pointer.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                    Glibc.accept(fd, $0, &length)
                }
            }
            if client >= 0 {
                _ = fcntl(client, F_SETFD, FD_CLOEXEC)
                do { try NetConnection.configure(client) } catch { Glibc.close(client); throw error }
                let peer = withUnsafeMutablePointer(to: &storage) { Self.describe($0) }
                return NetConnection(fd: client, peer: peer)
            }
            switch errno {
            case EAGAIN, EWOULDBLOCK, EINTR, ECONNABORTED:
                let ready = poll(&pfd, 1, deadline.pollMilliseconds)
                if ready == 0 { return nil }
            default:
                throw NetError(.netListen, "accept on \(localAddress): \(NetConnection.errnoText())")
            }
        }
    }

    /// Stops listening; a blocked `accept` wakes and throws `netClosed`. Idempotent.
    public func close() {
        let wasOpen = closed.withLock { value -> Bool in
            defer { value = true }
            return !value
        }
        if wasOpen { _ = shutdown(fd, Int32(SHUT_RDWR)) }
    }

    private static func cText(_ chars: [CChar]) -> String {
        String(decoding: chars.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }

    private static func port(of storage: UnsafeMutablePointer<sockaddr_storage>) -> UInt16 {
        switch Int32(storage.pointee.ss_family) {
        case AF_INET:
            storage.withMemoryRebound(to: sockaddr_in.self, capacity: 1) { UInt16(bigEndian: $0.pointee.sin_port) }
        case AF_INET6:
            storage.withMemoryRebound(to: sockaddr_in6.self, capacity: 1) { UInt16(bigEndian: $0.pointee.sin6_port) }
        default: 0
        }
    }

    private static func describe(_ storage: UnsafeMutablePointer<sockaddr_storage>) -> String {
        var text = [CChar](repeating: 0, count: Int(INET6_ADDRSTRLEN) + 1)
        let port = port(of: storage)
        switch Int32(storage.pointee.ss_family) {
        case AF_INET:
            storage.withMemoryRebound(to: sockaddr_in.self, capacity: 1) { pointer in
                _ = inet_ntop(AF_INET, &pointer.pointee.sin_addr, &text, socklen_t(text.count))
            }
            return "\(cText(text)):\(port)"
        case AF_INET6:
            storage.withMemoryRebound(to: sockaddr_in6.self, capacity: 1) { pointer in
                _ = inet_ntop(AF_INET6, &pointer.pointee.sin6_addr, &text, socklen_t(text.count))
            }
            return "[\(cText(text))]:\(port)"
        default:
            return "unknown"
        }
    }
}
