#if canImport(Glibc)
import Glibc
#endif

/// Thin wrappers over the POSIX socket calls the server uses. Everything here is non-blocking.
enum SocketIO {
    /// Creates, binds and listens; returns the descriptor and the address actually bound.
    static func listen(on address: ListenAddress, backlog: Int32 = 1024) throws(WebError) -> (Int32, ListenAddress) {
        switch address {
        case .unix(let path):
            return try listenUnix(path: path, backlog: backlog)
        case .tcp(let host, let port):
            return try listenTCP(host: host, port: port, backlog: backlog)
        }
    }

    private static func listenTCP(host: String, port: Int, backlog: Int32) throws(WebError) -> (Int32, ListenAddress) {
        var hints = addrinfo()
        hints.ai_flags = AI_PASSIVE | AI_NUMERICSERV
        hints.ai_family = AF_UNSPEC
        hints.ai_socktype = Int32(SOCK_STREAM.rawValue)
        var list: UnsafeMutablePointer<addrinfo>?
        // An empty host means every interface: prefer the dual-stack IPv6 wildcard, as Go does.
        let rc = getaddrinfo(host.isEmpty ? nil : host, String(port), &hints, &list)
        guard rc == 0, let first = list else {
            throw WebError(.bindFailed, "could not bind \(host):\(port): \(String(cString: gai_strerror(rc)))")
        }
        defer { freeaddrinfo(list) }
        var candidates: [UnsafeMutablePointer<addrinfo>] = []
        var cursor: UnsafeMutablePointer<addrinfo>? = first
        while let entry = cursor { candidates.append(entry); cursor = entry.pointee.ai_next }
        if host.isEmpty { candidates.sort { a, _ in a.pointee.ai_family == AF_INET6 } }
        var lastError = "no address"
        for entry in candidates {
            let fd = socket(entry.pointee.ai_family, Int32(SOCK_STREAM.rawValue) | Int32(SOCK_NONBLOCK.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0)
            if fd < 0 { lastError = errnoText(); continue }
            var one: Int32 = 1
            setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, socklen_t(MemoryLayout<Int32>.size))
            if entry.pointee.ai_family == AF_INET6 && host.isEmpty {
                var zero: Int32 = 0
                setsockopt(fd, Int32(IPPROTO_IPV6), IPV6_V6ONLY, &zero, socklen_t(MemoryLayout<Int32>.size))
            }
            if bind(fd, entry.pointee.ai_addr, entry.pointee.ai_addrlen) != 0 || Glibc.listen(fd, backlog) != 0 {
                lastError = errnoText()
                close(fd)
                continue
            }
            let boundPort = localPort(fd) ?? port
            return (fd, .tcp(host: host, port: boundPort))
        }
        throw WebError(.bindFailed, "could not bind \(ListenAddress.tcp(host: host, port: port)): \(lastError)")
    }

    private static func listenUnix(path: String, backlog: Int32) throws(WebError) -> (Int32, ListenAddress) {
        var address = sockaddr_un()
        address.sun_family = sa_family_t(AF_UNIX)
        let capacity = MemoryLayout.size(ofValue: address.sun_path)
        guard path.utf8.count < capacity else { throw WebError(.bindFailed, "could not bind \(path): path too long") }
        withUnsafeMutableBytes(of: &address.sun_path) { raw in
            for (index, byte) in path.utf8.enumerated() { raw[index] = byte }
        }
        // A stale socket file from an earlier run would make bind fail; remove only sockets.
        var info = stat()
        if lstat(path, &info) == 0 && (info.st_mode & S_IFMT) == S_IFSOCK { unlink(path) }
        let fd = socket(AF_UNIX, Int32(SOCK_STREAM.rawValue) | Int32(SOCK_NONBLOCK.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0)
        guard fd >= 0 else { throw WebError(.bindFailed, "could not bind \(path): \(errnoText())") }
        let bound = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, socklen_t(MemoryLayout<sockaddr_un>.size)) }
        }
        guard bound == 0, Glibc.listen(fd, backlog) == 0 else {
            let text = errnoText()
            close(fd)
            throw WebError(.bindFailed, "could not bind \(path): \(text)")
        }
        return (fd, .unix(path: path))
    }

    static func localPort(_ fd: Int32) -> Int? {
        var storage = sockaddr_storage()
        var length = socklen_t(MemoryLayout<sockaddr_storage>.size)
        let rc = withUnsafeMutablePointer(to: &storage) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(fd, $0, &length) }
        }
        guard rc == 0 else { return nil }
        return hostAndPort(storage).1
    }

    /// The numeric host and port of a socket address (`unix` and 0 for Unix sockets).
    static func hostAndPort(_ storage: sockaddr_storage) -> (String, Int) {
        var storage = storage
        switch Int32(storage.ss_family) {
        case AF_INET:
            return withUnsafePointer(to: &storage) {
                $0.withMemoryRebound(to: sockaddr_in.self, capacity: 1) { pointer in
                    var addr = pointer.pointee.sin_addr
                    var text = [CChar](repeating: 0, count: Int(INET_ADDRSTRLEN))
                    inet_ntop(AF_INET, &addr, &text, socklen_t(text.count))
                    return (String(nulTerminated: text), Int(UInt16(bigEndian: pointer.pointee.sin_port)))
                }
            }
        case AF_INET6:
            return withUnsafePointer(to: &storage) {
                $0.withMemoryRebound(to: sockaddr_in6.self, capacity: 1) { pointer in
                    var addr = pointer.pointee.sin6_addr
                    var text = [CChar](repeating: 0, count: Int(INET6_ADDRSTRLEN))
                    inet_ntop(AF_INET6, &addr, &text, socklen_t(text.count))
                    var host = String(nulTerminated: text)
                    // Dual-stack sockets report IPv4 peers as ::ffff:a.b.c.d; show them as IPv4.
                    if host.hasPrefix("::ffff:") && host.contains(".") { host.removeFirst(7) }
                    return (host, Int(UInt16(bigEndian: pointer.pointee.sin6_port)))
                }
            }
        case AF_UNIX:
            return ("unix", 0)
        default:
            return ("", 0)
        }
    }

    static func errnoText(_ code: Int32 = errno) -> String { String(cString: strerror(code)) }
}

extension String {
    /// Decodes a NUL-terminated C buffer (the non-deprecated way to say `String(cString:)` for arrays).
    init(nulTerminated buffer: [CChar]) {
        let bytes = buffer.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }
        self = String(decoding: bytes, as: UTF8.self)
    }
}
