/// An IPv4 or IPv6 address as 128 bits; IPv4 is held IPv4-mapped (`::ffff:a.b.c.d`), so one
/// comparison serves both families and a dual-stack peer matches its IPv4 form.
public struct IPAddress: Sendable, Hashable, CustomStringConvertible {
    public let high: UInt64
    public let low: UInt64

    static let mappedPrefix: UInt64 = 0x0000_FFFF_0000_0000

    public init(high: UInt64, low: UInt64) {
        self.high = high
        self.low = low
    }

    /// Parses `192.0.2.1`, `2001:db8::1`, `::ffff:192.0.2.1`; nil for anything else (host names, ports, zones).
    public init?(_ text: String) {
        let bytes = Array(text.utf8)[...]
        if let v4 = IPAddressText.ipv4(bytes) {
            self.init(high: 0, low: IPAddress.mappedPrefix | UInt64(v4))
            return
        }
        guard let words = IPAddressText.ipv6(bytes) else { return nil }
        let fold = { (range: Range<Int>) in words[range].reduce(UInt64(0)) { $0 << 16 | UInt64($1) } }
        self.init(high: fold(0..<4), low: fold(4..<8))
    }

    public var isIPv4: Bool { high == 0 && low >> 32 == 0xFFFF }

    /// The canonical text (`192.0.2.1`, `2001:db8::1`).
    public var description: String {
        if isIPv4 {
            let v = UInt32(truncatingIfNeeded: low)
            return "\(v >> 24).\(v >> 16 & 0xFF).\(v >> 8 & 0xFF).\(v & 0xFF)"
        }
        let words = (0..<8).map { UInt16(truncatingIfNeeded: ($0 < 4 ? high : low) >> (48 - 16 * UInt64($0 % 4))) }
        return IPAddressText.text(words)
    }

    /// The key one client is counted under: the address for IPv4, its /64 for IPv6 (one subscriber
    /// usually holds a whole /64, so counting single IPv6 addresses would let it multiply its share).
    public static func clientKey(_ text: String) -> String {
        guard text.utf8.contains(UInt8(ascii: ":")), let address = IPAddress(text) else { return text }
        if address.isIPv4 { return address.description }
        return IPAddress(high: address.high, low: 0).description + "/64"
    }
}
