import Foundation
import PoolKernel

/// Who the client is: the peer, or — when the peer is a trusted proxy and `realipheader` is set — the
/// rightmost address in that header that is not itself a trusted proxy.
///
/// Each proxy appends the address it received the request from, so only the right end of the list is
/// written by proxies we trust; anything left of the first untrusted hop came from the client and may
/// be forged.
struct RealIPResolver: Sendable {
    let header: String
    let trusted: IPRangeSet
    private let isForwardedSyntax: Bool

    /// Header names whose presence from a trusted proxy means it is forwarding a client address.
    static let forwardingHeaders = ["X-Forwarded-For", "X-Real-IP", "Forwarded"]

    init(header: String, trustedProxies: [String]) {
        self.header = header
        self.trusted = IPRangeSet(parsing: trustedProxies)
        isForwardedSyntax = header.caseInsensitiveEquals("Forwarded")
    }

    /// The client IP for a request from `peer` (`peerTrusted`: `isTrusted(peer)`, computed once per
    /// connection). Every line of the header counts, in order, each split at commas; walking from the
    /// right, trusted proxies are skipped and the first other address is the client (the leftmost when
    /// all are trusted). An absent header or a hop that is not an address gives an empty string —
    /// never the proxy's own address, which may be an admin IP.
    func clientIP(peer: String, peerTrusted: Bool, headers: HTTPHeaders) -> String {
        guard !header.isEmpty, peerTrusted else { return peer }
        var hops: [Substring] = []
        for field in headers.fields where field.name.caseInsensitiveEquals(header) {
            hops += field.value.split(separator: ",")
        }
        var leftmost = ""
        for hop in hops.reversed() {
            guard let address = address(in: hop) else { return "" }
            if !trusted.contains(address) { return address.description }
            leftmost = address.description
        }
        return leftmost
    }

    /// Unix-socket peers are local proxies: always trusted.
    func isTrusted(_ peer: String) -> Bool { peer == "unix" || trusted.contains(peer) }

    /// Whether a request carries a forwarding header (checked only while the operator has not been warned).
    static func hasForwardingHeader(_ headers: HTTPHeaders) -> Bool {
        headers.fields.contains { field in forwardingHeaders.contains { field.name.caseInsensitiveEquals($0) } }
    }

    /// The address of one hop: `192.0.2.1`, `192.0.2.1:80`, `[2001:db8::1]:80`, or for `Forwarded`
    /// (RFC 7239) the `for=` parameter. Nil for anything else (`unknown`, obfuscated names, garbage).
    private func address(in hop: Substring) -> IPAddress? {
        var text = hop.trimmingCharacters(in: .whitespaces)
        if isForwardedSyntax {
            guard let parameter = text.split(separator: ";").first(where: {
                $0.trimmingCharacters(in: .whitespaces).lowercased().hasPrefix("for=")
            }) else { return nil }
            text = String(parameter.trimmingCharacters(in: .whitespaces).dropFirst(4))
                .trimmingCharacters(in: CharacterSet(charactersIn: "\""))
        }
        return IPAddress(RealIPResolver.stripPort(text))
    }

    static func stripPort(_ text: String) -> String {
        if text.hasPrefix("["), let close = text.firstIndex(of: "]") {
            return String(text[text.index(after: text.startIndex)..<close])
        }
        if text.filter({ $0 == ":" }).count == 1, let colon = text.firstIndex(of: ":") { return String(text[..<colon]) }
        return text
    }

    /// The canonical text form of an IPv4/IPv6 address, or nil when `text` is not one.
    static func normalized(_ text: String) -> String? { IPAddress(text)?.description }
}
