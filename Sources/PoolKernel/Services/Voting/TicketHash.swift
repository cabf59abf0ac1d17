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

    /// The all-zero hash (`spentby` of an unspent ticket).
    public static let zero = TicketHash(w0: 0, w1: 0, w2: 0, w3: 0)

    /// Parses 64 hex characters (either case); nil for anything else.
    public init?(hex: String) {
        var text = hex
        guard let parsed = text.withUTF8({ TicketHash(hexBytes: $0) }) else { return nil }
        self = parsed
    }

    /// Parses 64 hex characters (either case) straight from a message's bytes; nil for anything else.
    public init?(hexBytes bytes: UnsafeBufferPointer<UInt8>) {
        guard bytes.count == 64, let base = bytes.baseAddress,
              let w0 = Self.word(base), let w1 = Self.word(base + 16), let w2 = Self.word(base + 32), let w3 = Self.word(base + 48)
        else { return nil }
        self.init(w0: w0, w1: w1, w2: w2, w3: w3)
    }

    /// Sixteen hex characters as one word; nil on any other character.
    private static func word(_ chars: UnsafePointer<UInt8>) -> UInt64? {
        let raw = UnsafeRawPointer(chars)
        guard let high = half(UInt64(littleEndian: raw.loadUnaligned(as: UInt64.self))),
              let low = half(UInt64(littleEndian: raw.loadUnaligned(fromByteOffset: 8, as: UInt64.self))) else { return nil }
        return UInt64(high) << 32 | UInt64(low)
    }

    private static let ones: UInt64 = 0x0101_0101_0101_0101
    private static let highs: UInt64 = 0x8080_8080_8080_8080

    /// Eight hex characters (loaded little-endian: the first in the lowest byte) as 32 bits, all eight checked
    /// and converted at once — a page of 10,000 tickets parses 1.3 million of them.
    private static func half(_ chars: UInt64) -> UInt32? {
        // Per byte: high bit set when the byte is in [low, high] (bytes below 0x80, so no carry crosses a byte).
        func within(_ x: UInt64, _ low: UInt64, _ high: UInt64) -> UInt64 {
            (x &+ ones &* (0x80 - low)) & ~(x &+ ones &* (0x7F - high)) & highs
        }
        let letters = chars | ones &* 0x20 // either case
        let hex = within(chars, 0x30, 0x39) | within(letters, 0x61, 0x66)
        guard chars & highs == 0, hex == highs else { return nil }
        // '0'–'9' → 0–9 by their low nibble; 'a'–'f' / 'A'–'F' (bit 6 set) → 1–6 + 9.
        var nibbles = (chars & (ones &* 0x0F)) &+ ((chars >> 6) & ones) &* 9
        // Bytes n0 n1 … n7 (n0 first) → 16-bit lanes n0<<4|n1 …, then the four lanes' bytes in order.
        nibbles = (nibbles & 0x000F_000F_000F_000F) << 4 | (nibbles & 0x0F00_0F00_0F00_0F00) >> 8
        let b0 = UInt32(truncatingIfNeeded: nibbles), b1 = UInt32(truncatingIfNeeded: nibbles >> 16)
        let b2 = UInt32(truncatingIfNeeded: nibbles >> 32), b3 = UInt32(truncatingIfNeeded: nibbles >> 48)
        return (b0 & 0xFF) << 24 | (b1 & 0xFF) << 16 | (b2 & 0xFF) << 8 | (b3 & 0xFF)
    }

    /// The 64-character lower-case hex form.
    public var hex: String {
        String(unsafeUninitializedCapacity: 64) { buffer in
            writeHex(to: buffer.baseAddress!)
            return 64
        }
    }

    /// Appends the 64 lower-case hex characters to `bytes` (pages and replies write hashes without a `String`).
    public func appendHex(to bytes: inout [UInt8]) {
        withUnsafeTemporaryAllocation(of: UInt8.self, capacity: 64) { buffer in
            writeHex(to: buffer.baseAddress!)
            bytes.append(contentsOf: UnsafeBufferPointer(buffer))
        }
    }

    private func writeHex(to out: UnsafeMutablePointer<UInt8>) {
        Self.writeWord(w0, to: out)
        Self.writeWord(w1, to: out + 16)
        Self.writeWord(w2, to: out + 32)
        Self.writeWord(w3, to: out + 48)
    }

    private static func writeWord(_ word: UInt64, to out: UnsafeMutablePointer<UInt8>) {
        let raw = UnsafeMutableRawPointer(out)
        raw.storeBytes(of: hexText(UInt32(truncatingIfNeeded: word >> 32)).littleEndian, as: UInt64.self)
        raw.storeBytes(of: hexText(UInt32(truncatingIfNeeded: word)).littleEndian, toByteOffset: 8, as: UInt64.self)
    }

    /// 32 bits as eight lower-case hex characters, the most significant first (stored little-endian).
    private static func hexText(_ value: UInt32) -> UInt64 {
        // Spread the nibbles one per byte (lowest nibble in the lowest byte), then reverse the bytes.
        var x = UInt64(value)
        x = (x | x << 16) & 0x0000_FFFF_0000_FFFF
        x = (x | x << 8) & 0x00FF_00FF_00FF_00FF
        x = (x | x << 4) & 0x0F0F_0F0F_0F0F_0F0F
        x = x.byteSwapped
        // 0–9 → '0'–'9'; 10–15 (which carry into bit 4 when 6 is added) → 'a'–'f'.
        let letters = ((x &+ ones &* 6) >> 4) & ones
        return x &+ ones &* 0x30 &+ letters &* 0x27
    }

    public var description: String { hex }

    public static func < (lhs: TicketHash, rhs: TicketHash) -> Bool {
        (lhs.w0, lhs.w1, lhs.w2, lhs.w3) < (rhs.w0, rhs.w1, rhs.w2, rhs.w3)
    }
}
