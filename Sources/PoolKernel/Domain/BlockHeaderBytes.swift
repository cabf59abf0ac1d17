/// Reads fields of a serialized Decred block header (180 bytes; wallet-rpc.md §2.18).
public enum BlockHeaderBytes {
    public static let size = 180
    public static let heightOffset = 128

    /// The height (little-endian uint32 at offset 128) of a header given as hex; nil if not 180 bytes of hex.
    public static func height(fromHex hex: String) -> UInt32? {
        let utf8 = Array(hex.utf8)
        guard utf8.count == size * 2 else { return nil }
        var value: UInt32 = 0
        for index in 0..<4 {
            let position = (heightOffset + index) * 2
            guard let high = nibble(utf8[position]), let low = nibble(utf8[position + 1]) else { return nil }
            value |= UInt32(high << 4 | low) << (8 * UInt32(index))
        }
        // The rest must be hex too, or the header is malformed.
        guard utf8.allSatisfy({ nibble($0) != nil }) else { return nil }
        return value
    }

    private static func nibble(_ c: UInt8) -> UInt8? {
        switch c {
        case UInt8(ascii: "0")...UInt8(ascii: "9"): c - UInt8(ascii: "0")
        case UInt8(ascii: "a")...UInt8(ascii: "f"): c - UInt8(ascii: "a") + 10
        case UInt8(ascii: "A")...UInt8(ascii: "F"): c - UInt8(ascii: "A") + 10
        default: nil
        }
    }
}
