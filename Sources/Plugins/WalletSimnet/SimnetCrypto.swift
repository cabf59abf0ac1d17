import PoolKernel

/// Hashing and address encoding used by the simulation (the kernel's chain primitives, simnet IDs).
enum SimnetCrypto {
    /// BLAKE-256 of `bytes`.
    static func blake256(_ bytes: [UInt8]) -> [UInt8] { BLAKE256.hash(bytes) }

    /// RIPEMD-160(BLAKE-256(bytes)).
    static func hash160(_ bytes: [UInt8]) -> [UInt8] { Hash160.hash(bytes) }

    /// A transaction or block hash.
    static func hash(_ bytes: [UInt8]) -> SimHash {
        SimHash(bytes: blake256(bytes)) ?? .zero
    }
}

/// A decoded simnet address: its kind and payload (hash160, or the 33-byte compressed public key).
struct SimnetAddress: Hashable, Sendable {
    enum Kind: Sendable { case pubKeyHash, scriptHash, pubKey }
    var kind: Kind
    var payload: [UInt8]

    /// The hash160 the address pays to (for a pubkey address: hash160 of the key).
    var hash160: [UInt8] { kind == .pubKey ? SimnetCrypto.hash160(payload) : payload }
}

/// Address strings of the simulated network (base58check with its address IDs: simnet's, or a fork's).
struct SimnetAddressCodec: Sendable {
    let network: NetParams

    /// The encoded address; "" if the payload has the wrong shape (never for addresses the simulation builds).
    func encode(_ address: SimnetAddress) -> String {
        let kind: Address.Kind
        switch address.kind {
        case .pubKeyHash: kind = .pubKeyHash
        case .scriptHash: kind = .scriptHash
        case .pubKey: kind = .pubKey
        }
        return (try? Address(kind: kind, payload: address.payload, network: network))?.encoded ?? ""
    }

    /// Decodes a P2PKH, P2SH or secp256k1 P2PK address; nil for anything else.
    func decode(_ string: String) -> SimnetAddress? {
        guard let address = try? Address.decode(string, network: network) else { return nil }
        switch address.kind {
        case .pubKeyHash: return SimnetAddress(kind: .pubKeyHash, payload: address.payload)
        case .scriptHash: return SimnetAddress(kind: .scriptHash, payload: address.payload)
        case .pubKey: return SimnetAddress(kind: .pubKey, payload: address.payload)
        default: return nil
        }
    }
}

/// The pool's keys, all public and all derived from the simulation seed: the voting wallets' account key
/// (`votingwalletextpub`; ticket address of user i = /0/i) and the cold fee wallet's key
/// (`coldwalletextpub`; fee address of user i = /0/i). Child derivation is real BIP32 (CKDpub); the roots
/// are built from the seed's chain codes over fixed public points, since the simulation never signs.
struct SimnetKeyring: Sendable {
    let addresses: SimnetAddressCodec
    let voting: ExtendedPublicKey
    let cold: ExtendedPublicKey
    private let votingBranch: ExtendedPublicKey
    private let coldBranch: ExtendedPublicKey

    /// secp256k1 generator G and 2G, compressed: valid public points for the two roots.
    private static let votingRootPoint = "0279be667ef9dcbbac55a06295ce870b07029bfcdb2dce28d959f2815b16f81798"
    private static let coldRootPoint = "02c6047f9441ed7d6d3045406e95c07cd85c778e4b8cef3ca7abac09b95c709ee5"

    init(seed: UInt64, network: NetParams) {
        let addresses = SimnetAddressCodec(network: network)
        self.addresses = addresses
        func root(_ label: String, _ point: String) -> ExtendedPublicKey {
            var material = WireWriter()
            material.u64(seed)
            material.raw(Array(label.utf8))
            var raw = [UInt8]()
            let version = network.hdKeyIDs.public
            raw += [UInt8(version >> 24 & 0xFF), UInt8(version >> 16 & 0xFF), UInt8(version >> 8 & 0xFF), UInt8(version & 0xFF)]
            raw += [UInt8](repeating: 0, count: 9)  // depth 0, parent fingerprint 0, child number 0
            raw += SimnetCrypto.blake256(material.bytes)
            raw += HexCoding.decode(point) ?? []
            do {
                return try ExtendedPublicKey(parsing: Base58Check.encode(raw: raw), network: network)
            } catch {
                preconditionFailure("simnet root key is malformed: \(error)")  // fixed points: a programmer bug
            }
        }
        voting = root("voting", Self.votingRootPoint)
        cold = root("cold", Self.coldRootPoint)
        votingBranch = Self.child(voting, 0)
        coldBranch = Self.child(cold, 0)
    }

    /// Child `index`, or the next valid one for the astronomically rare invalid child (as wallets do).
    private static func child(_ key: ExtendedPublicKey, _ index: UInt32) -> ExtendedPublicKey {
        var candidate = index
        while true {
            if let child = try? key.child(candidate) { return child }
            candidate += 1
        }
    }

    /// The compressed public key of voting child `/0/index`.
    func votingPublicKey(index: Int) -> [UInt8] { Self.child(votingBranch, UInt32(index)).publicKey }

    /// The P2PKH ticket address of voting child `/0/index`.
    func ticketAddress(index: Int) -> String {
        addresses.encode(SimnetAddress(kind: .pubKeyHash, payload: SimnetCrypto.hash160(votingPublicKey(index: index))))
    }

    /// The P2PKH fee address of cold-wallet child `/0/index`.
    func feeAddress(index: Int) -> String {
        let key = Self.child(coldBranch, UInt32(index)).publicKey
        return addresses.encode(SimnetAddress(kind: .pubKeyHash, payload: SimnetCrypto.hash160(key)))
    }

    /// The voting account's extended public key (`spub…`).
    var votingExtendedPublicKey: String { voting.serialized() }
    /// The cold wallet's extended public key (`spub…`).
    var coldExtendedPublicKey: String { cold.serialized() }
}
