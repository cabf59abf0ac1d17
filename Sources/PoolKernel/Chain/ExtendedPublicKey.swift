/// A BIP32 extended public key with Decred's encoding (`dpub`/`tpub`/`spub`/`rpub`, BLAKE256d checksum,
/// RIPEMD160(BLAKE256) fingerprints): parse, derive non-hardened children, serialize, and turn into
/// addresses. This is how the pool derives each user's ticket and fee addresses (child 0, then user id).
public struct ExtendedPublicKey: Sendable, Hashable, CustomStringConvertible {
    /// Index of the first hardened child; public keys can only derive indices below it.
    public static let hardenedOffset: UInt32 = 0x8000_0000

    let payload: ExtendedKeyPayload
    /// The key uncompressed (65 bytes) when known, so deriving children skips the square root that parsing
    /// a compressed key costs. A cache only: equality and hashing use `payload`.
    private let uncompressedKey: [UInt8]?

    /// The 33-byte compressed secp256k1 public key.
    public var publicKey: [UInt8] { payload.keyData }
    public var chainCode: [UInt8] { payload.chainCode }
    public var depth: UInt8 { payload.depth }
    public var parentFingerprint: UInt32 { payload.parentFingerprint }
    public var childNumber: UInt32 { payload.childNumber }
    /// The 4-byte version (the network's `hdKeyIDs.public`).
    public var version: UInt32 { payload.version }

    /// Parses a serialized extended public key of `network`.
    /// Errors: `badExtendedKey` (length, or a private key given), `badBase58Character`, `badChecksum`,
    /// `wrongNetwork` (version of another or no known network), `badPublicKey` (key not on the curve).
    public init(parsing text: some StringProtocol, network: NetParams) throws {
        let payload = try ExtendedKeyPayload.parse(text)
        guard payload.version == network.hdKeyIDs.public else {
            if payload.version == network.hdKeyIDs.private {
                throw ChainError(.badExtendedKey, "This is an extended private key; give the extended public key.")
            }
            if let other = ExtendedKeyPayload.network(usingVersion: payload.version), other.name != network.name {
                throw ChainError(.wrongNetwork, "The extended key is for \(other.name), not \(network.name).")
            }
            throw ChainError(.wrongNetwork, "The extended key's version is not \(network.name)'s extended public key version.")
        }
        // Decompressing the key both validates it and gives the form child derivation starts from.
        guard payload.keyData.count == 33, payload.keyData[0] == 0x02 || payload.keyData[0] == 0x03,
              let uncompressed = try? Secp256k1.uncompressed(payload.keyData) else {
            throw ChainError(.badPublicKey, "The extended key's public key is not a point on secp256k1.")
        }
        self.payload = payload
        self.uncompressedKey = uncompressed
    }

    init(payload: ExtendedKeyPayload, uncompressedKey: [UInt8]? = nil) {
        self.payload = payload
        self.uncompressedKey = uncompressedKey
    }

    public static func == (lhs: ExtendedPublicKey, rhs: ExtendedPublicKey) -> Bool { lhs.payload == rhs.payload }

    public func hash(into hasher: inout Hasher) { hasher.combine(payload) }

    /// The serialized key (`dpub…`).
    public func serialized() -> String { payload.serialized() }

    public var description: String { serialized() }

    /// The key's own fingerprint (what its children carry as parent fingerprint).
    public var fingerprint: UInt32 { ExtendedKeyPayload.fingerprint(of: publicKey) }

    /// Child `index` (non-hardened, CKDpub). Errors: `badDerivation` for a hardened index, depth 255, or
    /// the rare invalid child (the caller should use the next index).
    public func child(_ index: UInt32) throws -> ExtendedPublicKey {
        guard index < Self.hardenedOffset else {
            throw ChainError(.badDerivation, "Cannot derive a hardened child from a public key.")
        }
        guard depth < UInt8.max else { throw ChainError(.badDerivation, "Cannot derive beyond depth 255.") }
        let mac = HMACSHA512.authenticationCode(key: chainCode, message: publicKey + bigEndian(index))
        let childKey = try Secp256k1.addTweak(Array(mac[..<32]), toPublicKey: uncompressedKey ?? publicKey)
        return ExtendedPublicKey(payload: ExtendedKeyPayload(
            version: version, depth: depth + 1, parentFingerprint: fingerprint, childNumber: index,
            chainCode: Array(mac[32...]), keyData: childKey.compressed), uncompressedKey: childKey.uncompressed)
    }

    /// Follows `path` of non-hardened indices.
    public func derive(_ path: [UInt32]) throws -> ExtendedPublicKey {
        try path.reduce(self) { try $0.child($1) }
    }

    /// The P2PKH (secp256k1 ECDSA) address of this key on `network` (`Ds…`).
    public func p2pkhAddress(network: NetParams) throws -> Address {
        try Address(kind: .pubKeyHash, payload: Hash160.hash(publicKey), network: network)
    }

    /// The pubkey address of this key on `network` (`Dk…`).
    public func pubKeyAddress(network: NetParams) throws -> Address {
        try Address(kind: .pubKey, payload: publicKey, network: network)
    }
}
