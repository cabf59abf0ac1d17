/// Hashing and address encoding used by the simulation.
///
/// TEMPORARY placeholders until the chain primitives (BLAKE-256, RIPEMD-160, base58check, HD keys) land on
/// main; every caller goes through this one file so the switch is local.
enum SimnetCrypto {
    /// BLAKE-256 of `bytes` (placeholder: a 256-bit FNV/SplitMix mix).
    static func blake256(_ bytes: [UInt8]) -> [UInt8] {
        var lanes: [UInt64] = [0xCBF2_9CE4_8422_2325, 0x1000_0000_01B3, 0x9E37_79B9_7F4A_7C15, 0xBF58_476D_1CE4_E5B9]
        for (index, byte) in bytes.enumerated() {
            let lane = index & 3
            lanes[lane] = (lanes[lane] ^ UInt64(byte)) &* 0x1000_0000_01B3
        }
        var out = [UInt8]()
        for (index, var lane) in lanes.enumerated() {
            lane ^= UInt64(bytes.count) &+ UInt64(index)
            lane = (lane ^ (lane >> 30)) &* 0xBF58_476D_1CE4_E5B9
            lane = (lane ^ (lane >> 27)) &* 0x94D0_49BB_1331_11EB
            lane ^= lane >> 31
            for shift in stride(from: 0, to: 64, by: 8) { out.append(UInt8(truncatingIfNeeded: lane >> UInt64(shift))) }
        }
        return out
    }

    /// RIPEMD-160(BLAKE-256(bytes)) (placeholder: first 20 bytes of a double hash).
    static func hash160(_ bytes: [UInt8]) -> [UInt8] { Array(blake256(blake256(bytes)).prefix(20)) }

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

/// Address strings (placeholder form `Ss<hex>`, `Sc<hex>`, `Sk<hex>` until base58check lands).
enum SimnetAddressCodec {
    static func encode(_ address: SimnetAddress) -> String {
        let prefix: String
        switch address.kind {
        case .pubKeyHash: prefix = "Ss"
        case .scriptHash: prefix = "Sc"
        case .pubKey: prefix = "Sk"
        }
        return prefix + HexCoding.encode(address.payload)
    }

    static func decode(_ string: String) -> SimnetAddress? {
        guard string.count > 2, let payload = HexCoding.decode(String(string.dropFirst(2))) else { return nil }
        switch string.prefix(2) {
        case "Ss" where payload.count == 20: return SimnetAddress(kind: .pubKeyHash, payload: payload)
        case "Sc" where payload.count == 20: return SimnetAddress(kind: .scriptHash, payload: payload)
        case "Sk" where payload.count == 33 && (payload[0] == 2 || payload[0] == 3):
            return SimnetAddress(kind: .pubKey, payload: payload)
        default: return nil
        }
    }
}

/// The keys of the pool's shared wallet seed (voting keys) and of its cold fee wallet.
struct SimnetKeyring: Sendable {
    let seed: UInt64

    /// The compressed public key of voting child `/0/index` (placeholder: hash-derived bytes).
    func votingPublicKey(index: Int) -> [UInt8] {
        var material = WireWriter()
        material.u64(seed); material.raw(Array("voting".utf8)); material.u32(UInt32(index))
        let digest = SimnetCrypto.blake256(material.bytes)
        return [2 + (digest[0] & 1)] + digest
    }

    /// The P2PKH ticket address of voting child `/0/index`.
    func ticketAddress(index: Int) -> String {
        SimnetAddressCodec.encode(SimnetAddress(kind: .pubKeyHash, payload: SimnetCrypto.hash160(votingPublicKey(index: index))))
    }

    /// The P2PKH fee address of cold-wallet child `/0/index`.
    func feeAddress(index: Int) -> String {
        var material = WireWriter()
        material.u64(seed); material.raw(Array("cold".utf8)); material.u32(UInt32(index))
        let digest = SimnetCrypto.blake256(material.bytes)
        return SimnetAddressCodec.encode(SimnetAddress(kind: .pubKeyHash, payload: SimnetCrypto.hash160([2 + (digest[0] & 1)] + digest)))
    }

    /// The voting account's extended public key (placeholder string).
    var votingExtendedPublicKey: String { "spubVOTING\(seed)" }
    /// The cold wallet's extended public key (placeholder string).
    var coldExtendedPublicKey: String { "spubCOLD\(seed)" }
}
