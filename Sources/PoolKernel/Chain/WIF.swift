/// A Decred WIF private key (dcrd `dcrutil.WIF`): base58(netID[2] ‖ signature type[1] ‖ key[32] ‖ checksum[4])
/// with the checksum the first 4 bytes of a *single* BLAKE-256 (addresses use a double one). There is no
/// compressed flag: secp256k1 public keys of a WIF are always the 33-byte compressed form.
///
/// vspd's `payfee` takes the ticket's voting key in this form.
public struct WIF: Sendable, Hashable {
    public enum SignatureType: UInt8, Sendable, CaseIterable {
        case ecdsaSecp256k1 = 0
        /// The 32 bytes are a big-endian scalar below the group order L (not an RFC 8032 seed).
        case ed25519 = 1
        case schnorrSecp256k1 = 2
    }

    public let signatureType: SignatureType
    public let privateKey: [UInt8]
    public let networkName: String
    /// The base58 text.
    public let encoded: String

    /// dcrd refuses longer strings before decoding.
    static let maximumLength = 54
    static let decodedLength = 39
    /// The Ed25519 group order L, big-endian.
    static let ed25519Order: [UInt8] = Array(hex: "1000000000000000000000000000000014def9dea2f79cd65812631a5cf5d3ed")

    /// A WIF of `privateKey` (32 bytes) on `network`. An Ed25519 scalar not below L throws `badPrivateKey`.
    public init(privateKey: [UInt8], signatureType: SignatureType = .ecdsaSecp256k1, network: NetParams) throws {
        guard privateKey.count == 32 else { throw ChainError(.badPrivateKey, "A private key must be 32 bytes.") }
        try Self.checkScalar(privateKey, signatureType)
        let id = network.addressIDs.privateKey
        let body = [UInt8(id >> 8), UInt8(id & 0xFF), signatureType.rawValue] + privateKey
        self.signatureType = signatureType
        self.privateKey = privateKey
        self.networkName = network.name
        self.encoded = Base58.encode(body + Self.checksum(body))
    }

    /// Decodes `text` for `network`, with dcrd's checks in dcrd's order.
    /// Errors: `badWIF` (longer than 54 characters, not 39 bytes), `badBase58Character`, `badChecksum`,
    /// `wrongNetwork` (another network's key ID), `unsupportedAddress` (unknown signature type),
    /// `badPrivateKey` (Ed25519 scalar ≥ L).
    public static func decode(_ text: String, network: NetParams) throws -> WIF {
        guard text.utf8.count <= maximumLength else {
            throw ChainError(.badWIF, "A WIF private key has at most \(maximumLength) characters.")
        }
        let raw = try Base58.decode(text)
        guard raw.count == decodedLength else { throw ChainError(.badWIF, "A WIF private key decodes to 39 bytes, not \(raw.count).") }
        let body = Array(raw[..<35])
        guard checksum(body) == Array(raw[35...]) else { throw ChainError(.badChecksum, "The WIF checksum does not match.") }
        let id = UInt16(raw[0]) << 8 | UInt16(raw[1])
        guard id == network.addressIDs.privateKey else {
            let owner = NetParams.allBuiltIn.first { $0.addressIDs.privateKey == id }
            let message = owner.map { "The private key is for \($0.name), not \(network.name)." } ?? "The private key is not for \(network.name)."
            throw ChainError(.wrongNetwork, message)
        }
        guard let type = SignatureType(rawValue: raw[2]) else {
            throw ChainError(.unsupportedAddress, "Unknown WIF signature type \(raw[2]).")
        }
        let key = Array(raw[3..<35])
        try checkScalar(key, type)
        return WIF(signatureType: type, privateKey: key, networkName: network.name, encoded: text)
    }

    private init(signatureType: SignatureType, privateKey: [UInt8], networkName: String, encoded: String) {
        self.signatureType = signatureType
        self.privateKey = privateKey
        self.networkName = networkName
        self.encoded = encoded
    }

    /// The public key in its signature type's form (dcrd `WIF.PubKey`): the 33-byte compressed secp256k1 key for
    /// ECDSA and Schnorr, the 32-byte Ed25519 key (scalar·B) for Ed25519. A zero or ≥ n secp256k1 key throws
    /// `badPrivateKey`.
    public func publicKey() throws -> [UInt8] {
        switch signatureType {
        case .ecdsaSecp256k1, .schnorrSecp256k1: try Secp256k1.publicKey(privateKey: privateKey)
        case .ed25519: try Ed25519Point.publicKey(scalar: privateKey)
        }
    }

    private static func checkScalar(_ key: [UInt8], _ type: SignatureType) throws {
        if type == .ed25519, Secp256k1Constants.compare(key, ed25519Order) >= 0 {
            throw ChainError(.badPrivateKey, "The Ed25519 private key is not below the group order.")
        }
    }

    private static func checksum(_ body: [UInt8]) -> [UInt8] { Array(BLAKE256.hash(body).prefix(4)) }
}

extension WIF: CustomStringConvertible {
    /// Never the key itself: a WIF must not reach logs by accident.
    public var description: String { "WIF(\(signatureType), \(networkName))" }
}
