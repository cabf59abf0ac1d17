/// A `host:port` pair as written in config files: `localhost:19557`, `127.0.0.1:19557`, `[::1]:19557`,
/// or a bare host that takes a default port (dcrd/dcrwallet host normalisation, wallet-rpc.md §1.1).
public struct HostPort: Sendable, Hashable, CustomStringConvertible {
    /// The host without brackets (`::1`, not `[::1]`).
    public var host: String
    public var port: UInt16

    public init(host: String, port: UInt16) {
        self.host = host
        self.port = port
    }

    /// Parses `text`; a missing port becomes `defaultPort` (or fails when there is none).
    public init(parsing text: String, defaultPort: UInt16? = nil) throws {
        let trimmed = text.trimmingSpaces
        func bad(_ why: String) -> NetError { NetError(.netBadAddress, "bad address \"\(trimmed)\": \(why)") }
        guard !trimmed.isEmpty else { throw bad("empty") }
        var host: Substring
        var portText: Substring?
        if trimmed.hasPrefix("[") {
            guard let close = trimmed.firstIndex(of: "]") else { throw bad("missing ]") }
            host = trimmed[trimmed.index(after: trimmed.startIndex)..<close]
            let rest = trimmed[trimmed.index(after: close)...]
            if !rest.isEmpty {
                guard rest.hasPrefix(":") else { throw bad("junk after ]") }
                portText = rest.dropFirst()
            }
        } else if trimmed.filter({ $0 == ":" }).count > 1 {
            host = Substring(trimmed) // a bare IPv6 address without a port
        } else if let colon = trimmed.lastIndex(of: ":") {
            host = trimmed[..<colon]
            portText = trimmed[trimmed.index(after: colon)...]
        } else {
            host = Substring(trimmed)
        }
        guard !host.isEmpty else { throw bad("empty host") }
        guard !host.contains(where: { $0 == " " || $0 == "/" || $0 == "[" || $0 == "]" }) else {
            throw bad("invalid character in host")
        }
        let port: UInt16
        if let portText {
            guard let value = UInt16(portText), value > 0 else { throw bad("port must be 1-65535") }
            port = value
        } else if let defaultPort {
            port = defaultPort
        } else {
            throw bad("missing port")
        }
        self.host = String(host)
        self.port = port
    }

    /// True when the host is a literal IPv4 or IPv6 address (certificate checks then use IP SANs).
    public var isIPAddress: Bool { IPAddressText.isIPv4(host) || host.contains(":") }

    /// `host:port`, with brackets around IPv6 hosts.
    public var description: String { host.contains(":") ? "[\(host)]:\(port)" : "\(host):\(port)" }
}

enum IPAddressText {
    static func isIPv4(_ text: String) -> Bool {
        let parts = text.split(separator: ".", omittingEmptySubsequences: false)
        return parts.count == 4 && parts.allSatisfy { part in
            !part.isEmpty && part.count <= 3 && part.allSatisfy(\.isASCIIDigit) && (Int(part) ?? 256) <= 255
        }
    }
}

extension Character {
    var isASCIIDigit: Bool { isASCII && isNumber }
}

extension String {
    var trimmingSpaces: String {
        var slice = Substring(self)
        while let first = slice.first, first == " " || first == "\t" { slice = slice.dropFirst() }
        while let last = slice.last, last == " " || last == "\t" { slice = slice.dropLast() }
        return String(slice)
    }
}
