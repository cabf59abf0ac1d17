/// A standard version-0 bare multisig script, `OP_m <33-byte pubkey>… OP_n OP_CHECKMULTISIG`, with
/// compressed secp256k1 keys only (what dcrd's `MultiSigScriptV0` builds and `IsMultiSigScriptV0` accepts).
///
/// The pool's per-user redeem script is `MultisigRedeemScript.poolUser(poolPubKey:userPubKey:)`: 1-of-2 with the
/// pool's key first and the user's second, exactly as dcrstakepool asks the wallets to `createmultisig`.
public struct MultisigRedeemScript: Sendable, Hashable {
    /// Signatures needed (m).
    public let requiredSignatures: Int
    /// The n compressed public keys, in script order.
    public let publicKeys: [[UInt8]]
    /// The serialized script.
    public let bytes: [UInt8]

    /// Builds an m-of-n script. Errors (`badScript`): m < 1, m > n, n > 16, or a key that is not a 33-byte
    /// compressed encoding (0x02/0x03; uncompressed and hybrid keys are refused, as in dcrd).
    public init(requiredSignatures: Int, publicKeys: [[UInt8]]) throws {
        guard requiredSignatures >= 1 else {
            throw ChainError(.badScript, "A multisig script needs at least one required signature.")
        }
        guard requiredSignatures <= publicKeys.count else {
            throw ChainError(.badScript, "A multisig script cannot require more signatures than it has keys.")
        }
        guard publicKeys.count <= 16 else { throw ChainError(.badScript, "A multisig script has at most 16 keys.") }
        for key in publicKeys where !MultisigRedeemScript.isCompressedEncoding(key) {
            throw ChainError(.badScript, "Multisig keys must be 33-byte compressed secp256k1 public keys.")
        }
        self.requiredSignatures = requiredSignatures
        self.publicKeys = publicKeys
        var script = [Opcode.op1 + UInt8(requiredSignatures - 1)]
        for key in publicKeys { script += [Opcode.data33] + key }
        script += [Opcode.op1 + UInt8(publicKeys.count - 1), Opcode.checkMultiSig]
        bytes = script
    }

    /// dcrstakepool's 1-of-2 redeem script: pool key first, user key second.
    public static func poolUser(poolPubKey: [UInt8], userPubKey: [UInt8]) throws -> MultisigRedeemScript {
        try MultisigRedeemScript(requiredSignatures: 1, publicKeys: [poolPubKey, userPubKey])
    }

    /// dcrstakepool's 1-of-2 redeem script from the two pubkey addresses (`Dk…`), pool first. Both must be
    /// secp256k1 ECDSA pubkey addresses of `network`.
    public static func poolUser(poolAddress: String, userAddress: String, network: NetParams) throws -> MultisigRedeemScript {
        func key(_ text: String) throws -> [UInt8] {
            let address = try Address.decode(text, network: network)
            guard address.kind == .pubKey else {
                throw ChainError(.unsupportedAddress, "\(text) is not a secp256k1 pubkey address.")
            }
            return address.payload
        }
        return try poolUser(poolPubKey: key(poolAddress), userPubKey: key(userAddress))
    }

    /// Parses `script` as a standard v0 multisig script; anything else (including every near miss:
    /// uncompressed/hybrid keys, wrong counts, trailing opcodes, CHECKMULTISIGVERIFY) throws `badScript`.
    public init(parsing script: [UInt8]) throws {
        func reject() -> ChainError { ChainError(.badScript, "Not a standard multisig script.") }
        var tokens = ScriptTokenizer(script)
        guard let first = try tokens.next(), first.data == nil || first.opcode == Opcode.op0,
              let required = Opcode.smallInt(first.opcode) else { throw reject() }
        var keys: [[UInt8]] = []
        var token = try tokens.next()
        while let current = token, current.opcode == Opcode.data33, let data = current.data,
              MultisigRedeemScript.isCompressedEncoding(Array(data)) {
            keys.append(Array(data))
            token = try tokens.next()
        }
        guard let countToken = token, countToken.data == nil || countToken.opcode == Opcode.op0,
              let count = Opcode.smallInt(countToken.opcode), count == keys.count,
              let last = try tokens.next(), last.opcode == Opcode.checkMultiSig, last.data == nil,
              tokens.isAtEnd else { throw reject() }
        do {
            try self.init(requiredSignatures: required, publicKeys: keys)
        } catch {
            throw reject()
        }
    }

    /// Whether `script` is a standard v0 multisig script.
    public static func isMultisig(_ script: [UInt8]) -> Bool { (try? MultisigRedeemScript(parsing: script)) != nil }

    /// Whether `signatureScript` is push-only and its final push is a standard multisig redeem script.
    public static func isMultisigSignatureScript(_ signatureScript: [UInt8]) -> Bool {
        var tokens = ScriptTokenizer(signatureScript)
        var lastPush: ArraySlice<UInt8>?
        do {
            while let token = try tokens.next() {
                guard let data = token.data else { return false } // not push-only
                lastPush = data
            }
        } catch {
            return false
        }
        guard let redeem = lastPush else { return false }
        return isMultisig(Array(redeem))
    }

    /// hash160 of the script (what a P2SH output commits to).
    public var scriptHash: [UInt8] { Hash160.hash(bytes) }

    /// The P2SH address of this script on `network` (`Dc…`).
    public func p2shAddress(network: NetParams) throws -> Address {
        try Address(kind: .scriptHash, payload: scriptHash, network: network)
    }

    /// The P2PK (`Dk…`) address of each key on `network`, in script order (dcrd's `ExtractAddrs`).
    public func pubKeyAddresses(network: NetParams) throws -> [Address] {
        try publicKeys.map { try Address(kind: .pubKey, payload: $0, network: network) }
    }

    static func isCompressedEncoding(_ key: [UInt8]) -> Bool {
        key.count == 33 && (key[0] == 0x02 || key[0] == 0x03)
    }
}

/// Pay-to-script-hash helpers.
public enum P2SH {
    /// The P2SH address of any redeem script on `network`.
    public static func address(of script: [UInt8], network: NetParams) throws -> Address {
        try Address.scriptHash(script: script, network: network)
    }

    /// `OP_HASH160 <hash160(script)> OP_EQUAL`.
    public static func outputScript(of script: [UInt8]) -> [UInt8] {
        [Opcode.hash160, Opcode.data20] + Hash160.hash(script) + [Opcode.equal]
    }
}
