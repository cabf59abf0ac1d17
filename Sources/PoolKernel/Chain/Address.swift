/// A Decred version-0 address on one network: P2PKH (secp256k1 ECDSA, Ed25519, Schnorr), P2SH, or
/// P2PK (secp256k1 ECDSA, Ed25519, Schnorr: the `Dk`/`Tk`/`Sk`/`Rk` "pubkey addresses").
///
/// Decoding checks the base58check checksum, the network's address IDs (a valid address of another
/// network is `wrongNetwork`) and the payload shape (secp256k1 pubkeys must be on the curve).
public struct Address: Sendable, Hashable, CustomStringConvertible {
    /// What an address pays to.
    public enum Kind: String, Sendable, Hashable, CaseIterable {
        case pubKeyHash = "p2pkh-ecdsa-secp256k1"
        case pubKeyHashEd25519 = "p2pkh-ed25519"
        case pubKeyHashSchnorr = "p2pkh-schnorr-secp256k1"
        case scriptHash = "p2sh"
        case pubKey = "p2pk-ecdsa-secp256k1"
        case pubKeyEd25519 = "p2pk-ed25519"
        case pubKeySchnorr = "p2pk-schnorr-secp256k1"

        /// Whether the payload is a 20-byte hash160 (otherwise it is a public key).
        public var isHash: Bool {
            switch self {
            case .pubKeyHash, .pubKeyHashEd25519, .pubKeyHashSchnorr, .scriptHash: true
            case .pubKey, .pubKeyEd25519, .pubKeySchnorr: false
            }
        }
    }

    public let kind: Kind
    /// hash160 for P2PKH/P2SH; the 33-byte compressed pubkey for secp256k1 P2PK; 32 bytes for Ed25519 P2PK.
    public let payload: [UInt8]
    /// The network's `name`.
    public let networkName: String
    /// The base58check text.
    public let encoded: String

    public var description: String { encoded }

    // MARK: - Construction

    /// An address of `kind` over `payload` exactly as dcrd's raw constructors take it: a 20-byte hash160,
    /// a 33-byte compressed secp256k1 key (0x02/0x03) or a 32-byte Ed25519 key. Wrong shapes throw
    /// `badLength`/`badPublicKey`; a script version other than 0 throws `unsupportedAddress`.
    public init(kind: Kind, payload: [UInt8], network: NetParams, scriptVersion: UInt16 = 0) throws {
        guard scriptVersion == 0 else {
            throw ChainError(.unsupportedAddress, "Only script version 0 addresses exist; got \(scriptVersion).")
        }
        let normalized = try Address.normalizedPayload(kind: kind, payload)
        self.kind = kind
        self.payload = normalized
        self.networkName = network.name
        self.encoded = Base58Check.encode(version: Address.id(of: kind, in: network),
                                          payload: Address.encodedData(kind: kind, normalized))
    }

    /// P2PKH (secp256k1 ECDSA) of a compressed or uncompressed public key, hashed in compressed form
    /// when `compress` is true (what wallets do), otherwise as given.
    public static func pubKeyHash(publicKey: [UInt8], network: NetParams, compress: Bool = true) throws -> Address {
        let key = compress ? try Secp256k1.compressed(publicKey) : publicKey
        if !compress { _ = try Secp256k1.compressed(publicKey) } // still validate
        return try Address(kind: .pubKeyHash, payload: Hash160.hash(key), network: network)
    }

    /// P2SH of a redeem script.
    public static func scriptHash(script: [UInt8], network: NetParams) throws -> Address {
        try Address(kind: .scriptHash, payload: Hash160.hash(script), network: network)
    }

    /// P2PK (the `Dk…` pubkey address; secp256k1 ECDSA unless `kind` says Schnorr) of a compressed or
    /// uncompressed public key, always encoded in compressed form.
    public static func pubKey(publicKey: [UInt8], network: NetParams, kind: Kind = .pubKey) throws -> Address {
        guard kind == .pubKey || kind == .pubKeySchnorr else {
            throw ChainError(.unsupportedAddress, "pubKey(publicKey:) builds secp256k1 pubkey addresses only.")
        }
        return try Address(kind: kind, payload: Secp256k1.compressed(publicKey), network: network)
    }

    // MARK: - Decoding

    /// Decodes `text` as an address of `network`.
    /// Errors: `unsupportedAddress` (not 35/53 base58 characters, unknown ID), `badBase58Character`,
    /// `badChecksum`, `wrongNetwork` (an address ID of another bundled network), `badLength`/`badPublicKey`
    /// (payload shape).
    public static func decode(_ text: some StringProtocol, network: NetParams) throws -> Address {
        let (version, data) = try screenAndDecode(text)
        guard let kind = kind(of: version, in: network) else {
            if let other = NetParams.allBuiltIn.first(where: { kind(of: version, in: $0) != nil }), other.name != network.name {
                throw ChainError(.wrongNetwork, "The address is for \(other.name), not \(network.name).")
            }
            throw ChainError(.unsupportedAddress, "The address prefix is not a known \(network.name) address type.")
        }
        return try Address(kind: kind, data: data, network: network, encoded: String(text))
    }

    /// Decodes `text` as an address of whichever of `networks` its ID belongs to (dcrstakepool's
    /// network-agnostic decode).
    public static func decode(_ text: some StringProtocol, anyOf networks: [NetParams]) throws -> Address {
        let (version, data) = try screenAndDecode(text)
        for network in networks {
            if let kind = kind(of: version, in: network) {
                return try Address(kind: kind, data: data, network: network, encoded: String(text))
            }
        }
        throw ChainError(.unsupportedAddress, "The address prefix is not a known Decred address type.")
    }

    /// dcrd's pre-screen: 35 or 53 characters, all in the base58 alphabet.
    public static func isProbablyV0(_ text: some StringProtocol) -> Bool {
        let utf8 = text.utf8
        guard utf8.count == 35 || utf8.count == 53 else { return false }
        return utf8.allSatisfy { Base58.digitValues[Int($0)] != 0xFF }
    }

    private static func screenAndDecode(_ text: some StringProtocol) throws -> (UInt16, [UInt8]) {
        let count = text.utf8.count
        guard count == 35 || count == 53 else {
            throw ChainError(.unsupportedAddress, "A Decred address has 35 or 53 characters, not \(count).")
        }
        return try Base58Check.decode(text)
    }

    private init(kind: Kind, data: [UInt8], network: NetParams, encoded: String) throws {
        var refined = kind
        self.payload = try Address.payload(kind: &refined, encodedData: data)
        self.kind = refined
        self.networkName = network.name
        self.encoded = encoded
    }

    // MARK: - Script

    /// The version-0 output script paying to this address.
    public var paymentScript: [UInt8] {
        switch kind {
        case .pubKeyHash: [0x76, 0xA9, 0x14] + payload + [0x88, 0xAC]
        case .pubKeyHashEd25519: [0x76, 0xA9, 0x14] + payload + [0x88, 0x51, 0xBE]
        case .pubKeyHashSchnorr: [0x76, 0xA9, 0x14] + payload + [0x88, 0x52, 0xBE]
        case .scriptHash: [0xA9, 0x14] + payload + [0x87]
        case .pubKey: [0x21] + payload + [0xAC]
        case .pubKeyEd25519: [0x20] + payload + [0x51, 0xBE]
        case .pubKeySchnorr: [0x21] + payload + [0x52, 0xBE]
        }
    }

    // MARK: - Encoding details

    static func id(of kind: Kind, in network: NetParams) -> UInt16 {
        let ids = network.addressIDs
        switch kind {
        case .pubKeyHash: return ids.pubKeyHash
        case .pubKeyHashEd25519: return ids.pubKeyHashEd25519
        case .pubKeyHashSchnorr: return ids.pubKeyHashSchnorr
        case .scriptHash: return ids.scriptHash
        case .pubKey, .pubKeyEd25519, .pubKeySchnorr: return ids.pubKey
        }
    }

    /// The kind selected by an address ID; P2PK kinds share one ID, so `.pubKey` stands for all three
    /// until the payload's type byte is read.
    static func kind(of id: UInt16, in network: NetParams) -> Kind? {
        let ids = network.addressIDs
        switch id {
        case ids.pubKeyHash: return .pubKeyHash
        case ids.pubKeyHashEd25519: return .pubKeyHashEd25519
        case ids.pubKeyHashSchnorr: return .pubKeyHashSchnorr
        case ids.scriptHash: return .scriptHash
        case ids.pubKey: return .pubKey
        default: return nil
        }
    }

    /// Signature-suite type byte of P2PK data (bit 7 = odd Y for secp256k1).
    private static func suite(of kind: Kind) -> UInt8 {
        switch kind {
        case .pubKeyEd25519: 1
        case .pubKeySchnorr: 2
        default: 0
        }
    }

    private static func normalizedPayload(kind: Kind, _ payload: [UInt8]) throws -> [UInt8] {
        switch kind {
        case .pubKeyHash, .pubKeyHashEd25519, .pubKeyHashSchnorr, .scriptHash:
            guard payload.count == 20 else { throw ChainError(.badLength, "A hash160 must be 20 bytes, not \(payload.count).") }
            return payload
        case .pubKey, .pubKeySchnorr:
            guard payload.count == 33 else {
                throw ChainError(.badPublicKey, "A pubkey address takes a 33-byte compressed public key.")
            }
            return try Secp256k1.compressed(payload)
        case .pubKeyEd25519:
            guard payload.count == 32 else { throw ChainError(.badPublicKey, "An Ed25519 public key must be 32 bytes.") }
            return payload
        }
    }

    private static func encodedData(kind: Kind, _ payload: [UInt8]) -> [UInt8] {
        switch kind {
        case .pubKey, .pubKeySchnorr:
            // type byte with the odd-Y flag, then X.
            [suite(of: kind) | (payload[0] == 0x03 ? 0x80 : 0)] + payload[1...]
        case .pubKeyEd25519: [suite(of: kind)] + payload
        default: payload
        }
    }

    private static func payload(kind: inout Kind, encodedData data: [UInt8]) throws -> [UInt8] {
        if kind.isHash {
            guard data.count == 20 else { throw ChainError(.badLength, "The address data must be a 20-byte hash.") }
            return data
        }
        guard data.count == 33 else { throw ChainError(.badLength, "Pubkey address data must be 33 bytes.") }
        let typeByte = data[0]
        switch typeByte & 0x7F {
        case 0, 2:
            kind = typeByte & 0x7F == 0 ? .pubKey : .pubKeySchnorr
            let key = [typeByte & 0x80 != 0 ? 0x03 : 0x02] + data[1...]
            guard Secp256k1.isValidPublicKey(key) else {
                throw ChainError(.badPublicKey, "The address holds a public key that is not on secp256k1.")
            }
            return key
        case 1:
            guard typeByte == 1 else { throw ChainError(.badPublicKey, "An Ed25519 pubkey address has no odd-Y flag.") }
            kind = .pubKeyEd25519
            return Array(data[1...])
        default:
            throw ChainError(.unsupportedAddress, "Unknown pubkey address signature type \(typeByte & 0x7F).")
        }
    }
}
