/// A BIP32 extended private key with Decred's encoding. The pool never holds private keys; this exists
/// so that tests can reproduce the reference vectors (master from seed, private derivation, neutering).
struct ExtendedPrivateKey: Sendable, Hashable {
    /// The payload with `keyData` = 0x00 ‖ 32-byte key, as serialized.
    private(set) var payload: ExtendedKeyPayload
    /// The private key as dcrd's legacy `Child` keeps it: derived keys lose their leading zero bytes.
    private(set) var key: [UInt8]

    /// The master key of `seed` (16…64 bytes): HMAC-SHA512("Bitcoin seed", seed).
    init(seed: [UInt8], network: NetParams) throws {
        guard (16...64).contains(seed.count) else {
            throw ChainError(.badDerivation, "A seed must be 16 to 64 bytes, not \(seed.count).")
        }
        let mac = HMACSHA512.authenticationCode(key: Array("Bitcoin seed".utf8), message: seed)
        let key = Array(mac[..<32])
        _ = try Secp256k1.publicKey(privateKey: key) // zero or ≥ n: unusable seed
        self.key = key
        payload = ExtendedKeyPayload(version: network.hdKeyIDs.private, depth: 0, parentFingerprint: 0, childNumber: 0,
                                     chainCode: Array(mac[32...]), keyData: [0] + key)
    }

    init(parsing text: some StringProtocol, network: NetParams) throws {
        let payload = try ExtendedKeyPayload.parse(text)
        guard payload.version == network.hdKeyIDs.private else {
            throw ChainError(.wrongNetwork, "Not an extended private key of \(network.name).")
        }
        guard payload.keyData[0] == 0 else { throw ChainError(.badExtendedKey, "Malformed private key data.") }
        key = Array(payload.keyData[1...])
        _ = try Secp256k1.publicKey(privateKey: key)
        self.payload = payload
    }

    private init(payload: ExtendedKeyPayload, key: [UInt8]) {
        self.payload = payload
        self.key = key
    }

    /// The key left-padded to 32 bytes.
    var paddedKey: [UInt8] { [UInt8](repeating: 0, count: 32 - key.count) + key }

    var publicKey: [UInt8] {
        get throws { try Secp256k1.publicKey(privateKey: paddedKey) }
    }

    func serialized() -> String { payload.serialized() }

    /// The matching extended public key of `network`.
    func neutered(network: NetParams) throws -> ExtendedPublicKey {
        var pub = payload
        pub.version = network.hdKeyIDs.public
        pub.keyData = try publicKey
        return ExtendedPublicKey(payload: pub)
    }

    /// Child `index`. `legacy` reproduces dcrd's `Child`: the derived key is kept without leading zero bytes
    /// and hardened derivation copies it left-aligned into 0x00 ‖ key ‖ zeros ‖ ser32(i). `legacy: false` is
    /// strict BIP32 (`ChildBIP32Std`).
    func child(_ index: UInt32, legacy: Bool = true) throws -> ExtendedPrivateKey {
        guard payload.depth < UInt8.max else { throw ChainError(.badDerivation, "Cannot derive beyond depth 255.") }
        let parentPublic = try publicKey
        var data: [UInt8]
        if index >= ExtendedPublicKey.hardenedOffset {
            let keyBytes = legacy ? key : paddedKey
            data = [0] + keyBytes + [UInt8](repeating: 0, count: 32 - keyBytes.count)
        } else {
            data = parentPublic
        }
        data += bigEndian(index)
        let mac = HMACSHA512.authenticationCode(key: payload.chainCode, message: data)
        let childKey = try Secp256k1.addTweak(Array(mac[..<32]), toPrivateKey: paddedKey)
        let stored = legacy ? Array(childKey.drop { $0 == 0 }) : childKey
        let childPayload = ExtendedKeyPayload(
            version: payload.version, depth: payload.depth + 1,
            parentFingerprint: ExtendedKeyPayload.fingerprint(of: parentPublic), childNumber: index,
            chainCode: Array(mac[32...]), keyData: [0] + childKey)
        return ExtendedPrivateKey(payload: childPayload, key: stored)
    }

    func derive(_ path: [UInt32], legacy: Bool = true) throws -> ExtendedPrivateKey {
        try path.reduce(self) { try $0.child($1, legacy: legacy) }
    }
}
