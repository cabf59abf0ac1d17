/// Reads fields of a serialized Decred block header (180 bytes; wallet-rpc.md §2.18).
public enum BlockHeaderBytes {
    public static let size = 180
    public static let heightOffset = 128

    /// The height (little-endian uint32 at offset 128) of a header given as hex; nil if not 180 bytes of hex.
    public static func height(fromHex hex: String) -> UInt32? {
        guard hex.utf8.count == size * 2, let bytes = try? Hex.decode(hex) else { return nil }
        return (0..<4).reduce(UInt32(0)) { value, index in value | UInt32(bytes[heightOffset + index]) << (8 * index) }
    }
}
