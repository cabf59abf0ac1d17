import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// Who the client is: the peer, or the `realipheader` value when the peer is a trusted proxy.
struct RealIPResolver: Sendable {
    let header: String
    let trusted: Set<String>

    init(header: String, trustedProxies: [String]) {
        self.header = header
        self.trusted = Set(trustedProxies.compactMap { RealIPResolver.normalized($0) })
    }

    /// The client IP for a request from `peer`. With `realipheader` set and a trusted peer, the
    /// header's last comma-separated entry with any `:port` removed; an absent or non-IP value gives
    /// an empty string (never the proxy's own address, which may be an admin IP).
    func clientIP(peer: String, headers: HTTPHeaders) -> String {
        guard !header.isEmpty, isTrusted(peer) else { return peer }
        guard let raw = headers[header] else { return "" }
        let last = raw.split(separator: ",").last.map { $0.trimmingCharacters(in: .whitespaces) } ?? ""
        return RealIPResolver.normalized(RealIPResolver.stripPort(last)) ?? ""
    }

    func isTrusted(_ peer: String) -> Bool { peer == "unix" || trusted.contains(peer) }

    static func stripPort(_ text: String) -> String {
        if text.hasPrefix("["), let close = text.firstIndex(of: "]") {
            return String(text[text.index(after: text.startIndex)..<close])
        }
        if text.filter({ $0 == ":" }).count == 1, let colon = text.firstIndex(of: ":") { return String(text[..<colon]) }
        return text
    }

    /// The canonical text form of an IPv4/IPv6 address, or nil when `text` is not one.
    static func normalized(_ text: String) -> String? {
        var v4 = in_addr()
        if inet_pton(AF_INET, text, &v4) == 1 {
            var out = [CChar](repeating: 0, count: Int(INET_ADDRSTRLEN))
            inet_ntop(AF_INET, &v4, &out, socklen_t(out.count))
            return String(nulTerminated: out)
        }
        var v6 = in6_addr()
        if inet_pton(AF_INET6, text, &v6) == 1 {
            var out = [CChar](repeating: 0, count: Int(INET6_ADDRSTRLEN))
            inet_ntop(AF_INET6, &v6, &out, socklen_t(out.count))
            return String(nulTerminated: out)
        }
        return nil
    }
}

