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

    /// Sixteen hex characters as one word; nil on any other character. Branch-free per character: hash digits
    /// are random, so a branch on digit-or-letter would mispredict a third of the time (20,000 hashes a page).
    private static func word(_ chars: UnsafePointer<UInt8>) -> UInt64? {
        var word: UInt64 = 0
        var valid: UInt8 = 1
        for index in 0..<16 {
            let char = chars[index]
            let digit = char &- UInt8(ascii: "0")
            let letter = (char | 0x20) &- UInt8(ascii: "a") // either case
            let isDigit: UInt8 = digit < 10 ? 1 : 0
            let isLetter: UInt8 = letter < 6 ? 1 : 0
            valid &= isDigit | isLetter
            word = word << 4 | UInt64(isDigit == 1 ? digit : letter &+ 10)
        }
        return valid == 1 ? word : nil
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
        var rest = word
        for index in stride(from: 15, through: 0, by: -1) {
            let nibble = UInt8(truncatingIfNeeded: rest & 0xF)
            out[index] = nibble &+ (nibble < 10 ? UInt8(ascii: "0") : UInt8(ascii: "a") &- 10)
            rest >>= 4
        }
    }

    public var description: String { hex }

    public static func < (lhs: TicketHash, rhs: TicketHash) -> Bool {
        (lhs.w0, lhs.w1, lhs.w2, lhs.w3) < (rhs.w0, rhs.w1, rhs.w2, rhs.w3)
    }
}
