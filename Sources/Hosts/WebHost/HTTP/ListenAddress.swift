/// Where a server listens: dcrstakepool's `listen` syntax.
///
/// A value containing `:` is TCP `host:port` (`:8000` = all interfaces, `[::1]:8000`, `127.0.0.1:0`
/// for an ephemeral port); a value starting with `.` or `/` is a Unix socket path.
public enum ListenAddress: Sendable, Equatable, CustomStringConvertible {
    case tcp(host: String, port: Int)
    case unix(path: String)

    /// Parses the `listen` option. Errors read as dcrstakepool's: `error while parsing bind arg <v>`.
    public init(parsing text: String) throws(WebError) {
        if text.contains(":") {
            guard let colon = text.lastIndex(of: ":") else { throw WebError(.badListenAddress, "error while parsing bind arg \(text)") }
            var host = String(text[..<colon])
            let portText = text[text.index(after: colon)...]
            if host.hasPrefix("[") && host.hasSuffix("]") { host = String(host.dropFirst().dropLast()) }
            guard let port = Int(portText), (0...65535).contains(port), !host.contains("[") else {
                throw WebError(.badListenAddress, "error while parsing bind arg \(text)")
            }
            self = .tcp(host: host, port: port)
        } else if text.hasPrefix(".") || text.hasPrefix("/") {
            self = .unix(path: text)
        } else {
            throw WebError(.badListenAddress, "error while parsing bind arg \(text)")
        }
    }

    public var description: String {
        switch self {
        case .tcp(let host, let port): host.contains(":") ? "[\(host)]:\(port)" : "\(host):\(port)"
        case .unix(let path): path
        }
    }

    /// The TCP port (after binding: the real one), nil for Unix sockets.
    public var port: Int? {
        if case .tcp(_, let port) = self { return port }
        return nil
    }
}
