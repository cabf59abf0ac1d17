/// A 32-byte transaction hash held as four words instead of a 64-character string, so a million of them fit
/// in a few tens of megabytes and hash/compare without touching the heap.
///
/// The words hold the bytes in display (hex-string) order; `hex` gives back the exact lower-case string.
public struct TicketHash: Hashable, Sendable, Comparable, CustomStringConvertible {
    public let w0: UInt64
    public let w1: UInt64
    public let w2: UInt64
    public let w3: UInt64

    public init(w0: UInt64, w1: UInt64, w2: UInt64, w3: UInt64) {
        self.w0 = w0
        self.w1 = w1
        self.w2 = w2
        self.w3 = w3
    }

    /// Parses 64 hex characters (either case); nil for anything else.
    public init?(hex: String) {
        var text = hex
        let parsed = text.withUTF8 { TicketHash.parse($0) }
        guard let parsed else { return nil }
        self = parsed
    }

    private static func parse(_ bytes: UnsafeBufferPointer<UInt8>) -> TicketHash? {
        guard bytes.count == 64 else { return nil }
        var w0: UInt64 = 0, w1: UInt64 = 0, w2: UInt64 = 0, w3: UInt64 = 0
        for index in 0..<64 {
            let char = bytes[index]
            let nibble: UInt8
            switch char {
            case UInt8(ascii: "0")...UInt8(ascii: "9"): nibble = char &- UInt8(ascii: "0")
            case UInt8(ascii: "a")...UInt8(ascii: "f"): nibble = char &- UInt8(ascii: "a") &+ 10
            case UInt8(ascii: "A")...UInt8(ascii: "F"): nibble = char &- UInt8(ascii: "A") &+ 10
            default: return nil
            }
            switch index >> 4 {
            case 0: w0 = w0 << 4 | UInt64(nibble)
            case 1: w1 = w1 << 4 | UInt64(nibble)
            case 2: w2 = w2 << 4 | UInt64(nibble)
            default: w3 = w3 << 4 | UInt64(nibble)
            }
        }
        return TicketHash(w0: w0, w1: w1, w2: w2, w3: w3)
    }

    /// The 64-character lower-case hex form.
    public var hex: String {
        var out = [UInt8]()
        out.reserveCapacity(64)
        for word in [w0, w1, w2, w3] {
            for shift in stride(from: 60, through: 0, by: -4) {
                let nibble = UInt8((word >> UInt64(shift)) & 0xF)
                out.append(nibble < 10 ? UInt8(ascii: "0") + nibble : UInt8(ascii: "a") + nibble - 10)
            }
        }
        return String(decoding: out, as: UTF8.self)
    }

    public var description: String { hex }

    public static func < (lhs: TicketHash, rhs: TicketHash) -> Bool {
        (lhs.w0, lhs.w1, lhs.w2, lhs.w3) < (rhs.w0, rhs.w1, rhs.w2, rhs.w3)
    }
}
