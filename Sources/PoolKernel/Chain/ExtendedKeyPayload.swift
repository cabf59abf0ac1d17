/// The 78-byte body shared by serialized extended keys:
/// version[4] ‖ depth[1] ‖ parent fingerprint[4] ‖ child number[4] ‖ chain code[32] ‖ key data[33],
/// base58-encoded with a 4-byte BLAKE256d checksum (82 bytes, 111–112 characters).
struct ExtendedKeyPayload: Sendable, Hashable {
    var version: UInt32
    var depth: UInt8
    var parentFingerprint: UInt32
    var childNumber: UInt32
    var chainCode: [UInt8]
    /// 0x00 ‖ 32-byte private key, or a 33-byte compressed public key.
    var keyData: [UInt8]

    /// Longest string worth decoding (82 bytes never need more than 113 base58 characters).
    static let maxStringLength = 113

    func serialized() -> String {
        var raw = [UInt8]()
        raw.reserveCapacity(78)
        raw += bigEndian(version)
        raw.append(depth)
        raw += bigEndian(parentFingerprint)
        raw += bigEndian(childNumber)
        raw += chainCode
        raw += keyData
        return Base58Check.encode(raw: raw)
    }

    /// Decodes and checks length and checksum; the version is the caller's to check.
    /// Errors: `badExtendedKey` (length), `badBase58Character`, `badChecksum`.
    static func parse(_ text: some StringProtocol) throws -> ExtendedKeyPayload {
        guard text.utf8.count <= maxStringLength else {
            throw ChainError(.badExtendedKey, "An extended key has at most \(maxStringLength) characters.")
        }
        let decoded = try Base58.decode(text)
        guard decoded.count == 82 else {
            throw ChainError(.badExtendedKey, "An extended key decodes to 82 bytes, not \(decoded.count).")
        }
        guard Base58Check.checksum(Array(decoded[..<78])) == Array(decoded[78...]) else {
            throw ChainError(.badChecksum, "The extended key's checksum does not match.")
        }
        func word(_ at: Int) -> UInt32 { decoded[at..<at + 4].reduce(0) { $0 << 8 | UInt32($1) } }
        return ExtendedKeyPayload(version: word(0), depth: decoded[4], parentFingerprint: word(5), childNumber: word(9),
                                  chainCode: Array(decoded[13..<45]), keyData: Array(decoded[45..<78]))
    }

    /// Which bundled network uses `version` (for a precise wrong-network message).
    static func network(usingVersion version: UInt32) -> NetParams? {
        NetParams.allBuiltIn.first { $0.hdKeyIDs.public == version || $0.hdKeyIDs.private == version }
    }

    /// First 4 bytes of hash160(compressed public key), big-endian.
    static func fingerprint(of publicKey: [UInt8]) -> UInt32 {
        Hash160.hash(publicKey)[0..<4].reduce(0) { $0 << 8 | UInt32($1) }
    }
}

func bigEndian(_ value: UInt32) -> [UInt8] {
    [UInt8(value >> 24), UInt8(value >> 16 & 0xFF), UInt8(value >> 8 & 0xFF), UInt8(value & 0xFF)]
}
