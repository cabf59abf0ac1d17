/// Decred base58check: base58(version[2] ‖ payload ‖ checksum[4]) where checksum is the first 4 bytes of
/// BLAKE256(BLAKE256(version ‖ payload)) (not Bitcoin's double SHA-256).
public enum Base58Check {
    /// Encodes a 2-byte version (big-endian, e.g. 0x073f for mainnet P2PKH) and a payload.
    public static func encode(version: UInt16, payload: [UInt8]) -> String {
        encode(raw: [UInt8(version >> 8), UInt8(version & 0xFF)] + payload)
    }

    /// Encodes `raw` followed by its 4-byte checksum (the version is part of `raw`).
    public static func encode(raw: [UInt8]) -> String { Base58.encode(raw + checksum(raw)) }

    /// Splits base58check text into version and payload after checking the checksum.
    /// Errors: `badBase58Character`, `badLength` (fewer than 6 bytes), `badChecksum`.
    public static func decode(_ text: some StringProtocol) throws -> (version: UInt16, payload: [UInt8]) {
        let raw = try decodeRaw(text)
        guard raw.count >= 2 else { throw ChainError(.badLength, "Base58check data is too short to hold a version.") }
        return (UInt16(raw[0]) << 8 | UInt16(raw[1]), Array(raw[2...]))
    }

    /// The checked bytes (everything but the checksum). Fewer than 6 decoded bytes throws `badLength`.
    public static func decodeRaw(_ text: some StringProtocol) throws -> [UInt8] {
        var decoded = try Base58.decode(text)
        guard decoded.count >= 6 else {
            throw ChainError(.badLength, "Base58check data must be at least 6 bytes (version and checksum).")
        }
        let body = decoded.count - 4
        let ok = decoded.withUnsafeMutableBytes { raw -> Bool in
            var digest = (UInt64(0), UInt64(0), UInt64(0), UInt64(0))
            return withUnsafeMutableBytes(of: &digest) { d in
                checksum(UnsafeRawBufferPointer(rebasing: raw[..<body]), into: d.baseAddress!)
                return d.load(as: UInt32.self) == raw.loadUnaligned(fromByteOffset: body, as: UInt32.self)
            }
        }
        guard ok else { throw ChainError(.badChecksum, "Base58check checksum does not match.") }
        decoded.removeLast(4)
        return decoded
    }

    /// The 4-byte checksum of `bytes`.
    public static func checksum(_ bytes: [UInt8]) -> [UInt8] {
        var digest = [UInt8](repeating: 0, count: 32)
        bytes.withUnsafeBytes { b in digest.withUnsafeMutableBytes { checksum(b, into: $0.baseAddress!) } }
        return Array(digest[..<4])
    }

    /// Writes BLAKE256(BLAKE256(bytes)) (32 bytes) to `out` without allocating.
    static func checksum(_ bytes: UnsafeRawBufferPointer, into out: UnsafeMutableRawPointer) {
        BLAKE256.hash(bytes, into: out)
        BLAKE256.hash(UnsafeRawBufferPointer(start: out, count: 32), into: out)
    }
}
