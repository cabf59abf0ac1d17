/// What a P2PKH or P2SH output pays to, without a network (addresses add the network's prefix).
public struct ScriptDestination: Sendable, Hashable {
    public var isScriptHash: Bool
    /// RIPEMD160(BLAKE256(key or script)), 20 bytes.
    public var hash160: [UInt8]

    public init(isScriptHash: Bool, hash160: [UInt8]) {
        self.isScriptHash = isScriptHash
        self.hash160 = hash160
    }

    /// The destination of a P2PKH, P2SH or pubkey address (a pubkey address pays to its key's hash).
    public init(_ address: Address) {
        isScriptHash = address.kind == .scriptHash
        hash160 = address.kind == .pubKey ? Hash160.hash(address.payload) : address.payload
    }

    /// The address on `network` (`Ss…`/`Ds…` style).
    public func address(network: NetParams) throws -> Address {
        try Address(kind: isScriptHash ? .scriptHash : .pubKeyHash, payload: hash160, network: network)
    }
}

/// dcrd's class names for the output scripts of stake transactions (what `decoderawtransaction` reports as
/// `scriptPubKey.type`).
public enum StakeScriptClass: String, Sendable, CaseIterable {
    case pubKeyHash = "pubkeyhash"
    case scriptHash = "scripthash"
    /// A ticket's voting-rights output: `OP_SSTX` + P2PKH/P2SH.
    case stakeSubmission = "stakesubmission"
    /// A vote's reward payment: `OP_SSGEN` + P2PKH/P2SH.
    case stakeGen = "stakegen"
    /// A revocation's refund: `OP_SSRTX` + P2PKH/P2SH.
    case stakeRevoke = "stakerevoke"
    /// A ticket's change: `OP_SSTXCHANGE` + P2PKH/P2SH.
    case stakeChange = "sstxchange"
    /// A ticket's commitment: `OP_RETURN` + 30 bytes (hash160, amount with the P2SH flag, fee limits).
    case commitment = "sstxcommitment"
    case nullData = "nulldata"
    case nonStandard = "nonstandard"
}

/// The output scripts of tickets, votes and revocations (dcrd's txscript stake forms): construction,
/// classification and the data votes carry. Byte layouts only; nothing here touches the network.
public enum StakeScript {
    public static let opPushData1: UInt8 = 0x4C
    public static let opReturn: UInt8 = 0x6A
    public static let opDup: UInt8 = 0x76
    public static let opEqual: UInt8 = 0x87
    public static let opEqualVerify: UInt8 = 0x88
    public static let opHash160: UInt8 = 0xA9
    public static let opCheckSig: UInt8 = 0xAC
    public static let opSStx: UInt8 = 0xBA
    public static let opSSGen: UInt8 = 0xBB
    public static let opSSRtx: UInt8 = 0xBC
    public static let opSStxChange: UInt8 = 0xBD
    /// The stake tags, in opcode order.
    public static let stakeTags: [UInt8] = [opSStx, opSSGen, opSSRtx, opSStxChange]
    /// The top bit of a commitment's amount marks a P2SH destination.
    static let commitmentScriptHashFlag: UInt64 = 1 << 63

    /// A commitment output's content.
    public struct Commitment: Sendable, Equatable {
        public var destination: ScriptDestination
        /// Atoms committed (the P2SH flag removed).
        public var amount: Int64
        /// dcrwallet's fee limits field (little-endian on the wire).
        public var feeLimits: UInt16
        public init(destination: ScriptDestination, amount: Int64, feeLimits: UInt16 = 0x5800) {
            self.destination = destination
            self.amount = amount
            self.feeLimits = feeLimits
        }
    }

    /// `OP_DUP OP_HASH160 <20> OP_EQUALVERIFY OP_CHECKSIG` or `OP_HASH160 <20> OP_EQUAL`.
    public static func payTo(_ destination: ScriptDestination) -> [UInt8] {
        if destination.isScriptHash { return [opHash160, 0x14] + destination.hash160 + [opEqual] }
        return [opDup, opHash160, 0x14] + destination.hash160 + [opEqualVerify, opCheckSig]
    }

    /// A stake-tagged payment: one of `stakeTags` followed by `payTo(destination)`.
    public static func tagged(_ tag: UInt8, _ destination: ScriptDestination) -> [UInt8] { [tag] + payTo(destination) }

    /// `OP_RETURN <30 bytes>`: hash160, amount (little-endian, top bit = P2SH), fee limits (little-endian).
    public static func commitment(_ commitment: Commitment) -> [UInt8] {
        var script: [UInt8] = [opReturn, 30] + commitment.destination.hash160
        var amount = UInt64(commitment.amount)
        if commitment.destination.isScriptHash { amount |= commitmentScriptHashFlag }
        script += littleEndian(amount, bytes: 8) + littleEndian(UInt64(commitment.feeLimits), bytes: 2)
        return script
    }

    /// `OP_RETURN <push>`: a direct push up to 75 bytes, `OP_PUSHDATA1` up to 255. Longer data is a programmer
    /// error (dcrd's null-data limit is 256 bytes; callers validate user data first).
    public static func nullData(_ data: [UInt8]) -> [UInt8] {
        precondition(data.count <= 255, "null data is at most 255 bytes")
        return data.count <= 75 ? [opReturn, UInt8(data.count)] + data : [opReturn, opPushData1, UInt8(data.count)] + data
    }

    /// The commitment in `script`, or nil when it is not exactly a commitment output.
    public static func parseCommitment(_ script: [UInt8]) -> Commitment? {
        guard script.count == 32, script[0] == opReturn, script[1] == 30 else { return nil }
        let raw = readLittleEndian(script[22..<30])
        let amount = raw & ~commitmentScriptHashFlag
        guard amount <= UInt64(Int64.max) else { return nil }
        return Commitment(destination: ScriptDestination(isScriptHash: raw & commitmentScriptHashFlag != 0,
                                                         hash160: Array(script[2..<22])),
                          amount: Int64(amount), feeLimits: UInt16(readLittleEndian(script[30..<32])))
    }

    /// The stake tag (if any) and destination of a plain or stake-tagged P2PKH/P2SH script.
    public static func destination(of script: [UInt8]) -> (tag: UInt8?, destination: ScriptDestination)? {
        var body = script[...]
        var tag: UInt8?
        if let first = body.first, stakeTags.contains(first) {
            tag = first
            body = body.dropFirst()
        }
        let bytes = Array(body)
        if bytes.count == 23, bytes[0] == opHash160, bytes[1] == 0x14, bytes[22] == opEqual {
            return (tag, ScriptDestination(isScriptHash: true, hash160: Array(bytes[2..<22])))
        }
        if bytes.count == 25, bytes[0] == opDup, bytes[1] == opHash160, bytes[2] == 0x14, bytes[23] == opEqualVerify,
           bytes[24] == opCheckSig {
            return (tag, ScriptDestination(isScriptHash: false, hash160: Array(bytes[3..<23])))
        }
        return nil
    }

    /// dcrd's class of `script` and the destinations it pays (one for every class that pays).
    public static func classify(_ script: [UInt8]) -> (kind: StakeScriptClass, destinations: [ScriptDestination]) {
        if let commitment = parseCommitment(script) { return (.commitment, [commitment.destination]) }
        if let (tag, destination) = destination(of: script) {
            switch tag {
            case opSStx?: return (.stakeSubmission, [destination])
            case opSSGen?: return (.stakeGen, [destination])
            case opSSRtx?: return (.stakeRevoke, [destination])
            case opSStxChange?: return (.stakeChange, [destination])
            default: return (destination.isScriptHash ? .scriptHash : .pubKeyHash, [destination])
            }
        }
        if isNullData(script) { return (.nullData, []) }
        return (.nonStandard, [])
    }

    // MARK: - Votes

    /// A vote's first output, `OP_RETURN <36 bytes: block hash (internal order), height (little-endian)>`.
    public static func voteBlockReference(hash: [UInt8], height: UInt32) -> [UInt8] {
        precondition(hash.count == 32, "a block hash is 32 bytes")
        return nullData(hash + littleEndian(UInt64(height), bytes: 4))
    }

    /// The block a vote votes on, from its first output; nil when the script is not that shape.
    public static func parseVoteBlockReference(_ script: [UInt8]) -> (hash: [UInt8], height: UInt32)? {
        guard script.count == 38, script[0] == opReturn, script[1] == 36 else { return nil }
        return (Array(script[2..<34]), UInt32(readLittleEndian(script[34..<38])))
    }

    /// A vote's second output, `OP_RETURN <vote bits (little-endian) ‖ extended vote bits>` (extended bits are
    /// at most 73 bytes, as dcrwallet enforces).
    public static func voteBits(_ bits: UInt16, extended: [UInt8]) -> [UInt8] {
        nullData(littleEndian(UInt64(bits), bytes: 2) + extended)
    }

    /// The vote bits and extended vote bits of a vote's second output; nil when the script is not that shape.
    public static func parseVoteBits(_ script: [UInt8]) -> (bits: UInt16, extended: [UInt8])? {
        guard script.count >= 4, script[0] == opReturn, Int(script[1]) == script.count - 2, script[1] <= 75 else {
            return nil
        }
        return (UInt16(readLittleEndian(script[2..<4])), Array(script[4...]))
    }

    // MARK: - Helpers

    private static func isNullData(_ script: [UInt8]) -> Bool {
        guard script.first == opReturn else { return false }
        if script.count == 1 { return true }
        let push = Int(script[1])
        if push == Int(opPushData1) { return script.count >= 3 && script.count == 3 + Int(script[2]) }
        return push <= 75 && script.count == 2 + push
    }

    private static func littleEndian(_ value: UInt64, bytes: Int) -> [UInt8] {
        (0..<bytes).map { UInt8(truncatingIfNeeded: value >> (8 * UInt64($0))) }
    }

    private static func readLittleEndian(_ bytes: ArraySlice<UInt8>) -> UInt64 {
        bytes.reversed().reduce(0) { $0 << 8 | UInt64($1) }
    }
}
