/// The chain work of an address submission: checking the user's address and deriving the pool's addresses for a
/// user id. `ChainRegistrationKeys` is the real one (xpubs from `votingwalletextpub` / `coldwalletextpub`);
/// tests may substitute their own.
public protocol RegistrationKeyDeriving: Sendable {
    /// Checks a submitted pubkey address (webapp.md §6.1). Throws the `RegistrationError` address refusals
    /// (`UserPubKeyAddress.validate`'s).
    func validateUserAddress(_ text: String) throws
    /// The user's ticket address: `votingwalletextpub`/0/`userId` as P2PKH.
    func ticketAddress(userId: UserId) throws -> String
    /// The user's fee address: `coldwalletextpub`/0/`userId` as P2PKH.
    func feeAddress(userId: UserId) throws -> String
    /// The pubkey address of a 33-byte compressed public key (recovers a pending submission from its script).
    func pubKeyAddress(compressedKey: [UInt8]) throws -> String
    /// The redeem script and P2SH address the wallets must return for these keys, or nil to trust the wallets.
    func expectedMultisig(poolPubKeyAddress: String, userPubKeyAddress: String) throws -> MultisigScript?
}

/// The 1-of-2 bare multisig layout dcrstakepool registers: `OP_1 <33-byte pool key> <33-byte user key> OP_2
/// OP_CHECKMULTISIG` (webapp.md §6.4).
enum OneOfTwoMultisig {
    static func script(poolKey: [UInt8], userKey: [UInt8]) -> [UInt8] {
        [0x51, 0x21] + poolKey + [0x21] + userKey + [0x52, 0xae]
    }

    /// The two keys of a script in that layout, or nil.
    static func keys(inScriptHex hex: String) -> (pool: [UInt8], user: [UInt8])? {
        guard let bytes = bytes(fromHex: hex), bytes.count == 71, bytes[0] == 0x51, bytes[1] == 0x21,
              bytes[35] == 0x21, bytes[69] == 0x52, bytes[70] == 0xae
        else { return nil }
        return (Array(bytes[2..<35]), Array(bytes[36..<69]))
    }

    static func bytes(fromHex hex: String) -> [UInt8]? {
        let utf8 = Array(hex.utf8)
        guard utf8.count % 2 == 0 else { return nil }
        var out: [UInt8] = []
        out.reserveCapacity(utf8.count / 2)
        var index = 0
        while index < utf8.count {
            guard let high = nibble(utf8[index]), let low = nibble(utf8[index + 1]) else { return nil }
            out.append(high << 4 | low)
            index += 2
        }
        return out
    }

    static func hex(_ bytes: [UInt8]) -> String {
        let digits = Array("0123456789abcdef".utf8)
        var out: [UInt8] = []
        out.reserveCapacity(bytes.count * 2)
        for byte in bytes {
            out.append(digits[Int(byte >> 4)])
            out.append(digits[Int(byte & 0x0f)])
        }
        return String(decoding: out, as: UTF8.self)
    }

    private static func nibble(_ char: UInt8) -> UInt8? {
        switch char {
        case 0x30...0x39: char - 0x30
        case 0x61...0x66: char - 0x61 + 10
        case 0x41...0x46: char - 0x41 + 10
        default: nil
        }
    }
}
