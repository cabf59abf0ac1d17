import Foundation

/// An address or CIDR range as `adminips` and `trustedproxies` accept them: `192.0.2.10`,
/// `10.0.0.0/8`, `::1`, `2001:db8::/32`. A bare address is a range of one.
public struct IPRange: Sendable, Hashable, CustomStringConvertible {
    /// The first address of the range (host bits cleared).
    public let network: IPAddress
    /// Prefix length in the 128-bit space (an IPv4 `/n` is `96 + n`).
    let bits: Int
    public let description: String

    /// Parses one entry; nil when it is not an address, or the prefix length is not a number within the family's size.
    public init?(_ text: String) {
        let trimmed = text.trimmingCharacters(in: .whitespaces)
        let parts = trimmed.split(separator: "/", maxSplits: 1, omittingEmptySubsequences: false)
        guard let address = IPAddress(String(parts[0])) else { return nil }
        let familyBits = address.isIPv4 && !parts[0].contains(":") ? 32 : 128
        var prefix = familyBits
        if parts.count == 2 {
            guard parts[1].allSatisfy(\.isASCII), let value = Int(parts[1]), (0...familyBits).contains(value) else { return nil }
            prefix = value
        }
        bits = prefix + (128 - familyBits)
        network = IPRange.masked(address, bits: bits)
        description = trimmed
    }

    public func contains(_ address: IPAddress) -> Bool { IPRange.masked(address, bits: bits) == network }

    /// Whether `text` is an address inside the range (false for anything that is not an address).
    public func contains(_ text: String) -> Bool {
        guard let address = IPAddress(text) else { return false }
        return contains(address)
    }

    /// True when the range is exactly one address.
    public var isSingleAddress: Bool { bits == 128 }

    static func masked(_ address: IPAddress, bits: Int) -> IPAddress {
        let highMask: UInt64 = bits >= 64 ? .max : (bits == 0 ? 0 : .max << UInt64(64 - bits))
        let lowMask: UInt64 = bits <= 64 ? 0 : (bits == 128 ? .max : .max << UInt64(128 - bits))
        return IPAddress(high: address.high & highMask, low: address.low & lowMask)
    }
}

/// A list of ranges with a fast path for the common case of single addresses.
public struct IPRangeSet: Sendable {
    let addresses: Set<IPAddress>
    let ranges: [IPRange]

    public init(_ entries: [IPRange]) {
        addresses = Set(entries.filter(\.isSingleAddress).map(\.network))
        ranges = entries.filter { !$0.isSingleAddress }
    }

    /// Unparseable entries are ignored (the configuration rejects them at load).
    public init(parsing entries: [String]) { self.init(entries.compactMap(IPRange.init)) }

    public var isEmpty: Bool { addresses.isEmpty && ranges.isEmpty }

    public func contains(_ address: IPAddress) -> Bool {
        addresses.contains(address) || ranges.contains { $0.contains(address) }
    }

    public func contains(_ text: String) -> Bool {
        guard let address = IPAddress(text) else { return false }
        return contains(address)
    }
}
