import PoolKernel

/// The handful of output scripts the simulated stake transactions use, their construction and
/// classification (as dcrd's `decoderawtransaction` reports them, wallet-rpc.md §2.17).
enum SimnetScript {
    static let opReturn = StakeScript.opReturn
    static let opDup = StakeScript.opDup
    static let opEqual = StakeScript.opEqual
    static let opEqualVerify = StakeScript.opEqualVerify
    static let opHash160 = StakeScript.opHash160
    static let opCheckSig = StakeScript.opCheckSig
    static let opCheckMultisig: UInt8 = 0xAE
    static let opSStx = StakeScript.opSStx
    static let opSSGen = StakeScript.opSSGen
    static let opSSRtx = StakeScript.opSSRtx
    static let opSStxChange = StakeScript.opSStxChange
    static let op1: UInt8 = 0x51
    static let op2: UInt8 = 0x52

    /// `OP_HASH160 <20> OP_EQUAL` or `OP_DUP OP_HASH160 <20> OP_EQUALVERIFY OP_CHECKSIG`.
    static func payTo(_ address: SimnetAddress) -> [UInt8] { StakeScript.payTo(address.destination) }

    /// A stake-tagged payment (`OP_SSTX`, `OP_SSGEN`, `OP_SSRTX`, `OP_SSTXCHANGE` + pay-to script).
    static func tagged(_ tag: UInt8, _ address: SimnetAddress) -> [UInt8] { StakeScript.tagged(tag, address.destination) }

    /// A ticket commitment with dcrwallet's default fee limits.
    static func commitment(_ address: SimnetAddress, amount: Int64) -> [UInt8] {
        StakeScript.commitment(.init(destination: address.destination, amount: amount))
    }

    /// `OP_RETURN <push data>`.
    static func nullData(_ data: [UInt8]) -> [UInt8] { StakeScript.nullData(data) }

    /// `OP_1 <pk1> <pk2> OP_2 OP_CHECKMULTISIG` for two 33-byte compressed keys.
    static func oneOfTwoMultisig(_ first: [UInt8], _ second: [UInt8]) -> [UInt8] {
        [op1, 0x21] + first + [0x21] + second + [op2, opCheckMultisig]
    }

    /// The data of a commitment output, if `script` is one.
    static func parseCommitment(_ script: [UInt8]) -> (address: SimnetAddress, amount: Int64)? {
        StakeScript.parseCommitment(script).map { (SimnetAddress($0.destination), $0.amount) }
    }

    /// The address of a plain or stake-tagged P2PKH/P2SH script.
    static func paymentAddress(_ script: [UInt8]) -> SimnetAddress? {
        StakeScript.destination(of: script).map { SimnetAddress($0.destination) }
    }

    /// dcrd's script class name and the addresses it pays, for `decoderawtransaction`.
    static func classify(_ script: [UInt8]) -> (type: String, addresses: [SimnetAddress], reqSigs: Int32) {
        let (kind, destinations) = StakeScript.classify(script)
        let paying: Set<StakeScriptClass> = [.commitment, .nullData, .nonStandard]
        return (kind.rawValue, destinations.map(SimnetAddress.init), paying.contains(kind) ? 0 : 1)
    }

    /// A readable disassembly (opcode names, data pushes as hex).
    static func disassemble(_ script: [UInt8]) -> String {
        var parts = [String]()
        var index = 0
        while index < script.count {
            let op = script[index]
            index += 1
            if op >= 0x01 && op <= 0x4B {
                let end = min(script.count, index + Int(op))
                parts.append(HexCoding.encode(script[index..<end]))
                index = end
                continue
            }
            parts.append(opcodeNames[op] ?? "OP_UNKNOWN\(op)")
        }
        return parts.joined(separator: " ")
    }

    private static let opcodeNames: [UInt8: String] = [
        0x00: "0", opReturn: "OP_RETURN", opDup: "OP_DUP", opEqual: "OP_EQUAL", opEqualVerify: "OP_EQUALVERIFY",
        opHash160: "OP_HASH160", opCheckSig: "OP_CHECKSIG", opCheckMultisig: "OP_CHECKMULTISIG", opSStx: "OP_SSTX",
        opSSGen: "OP_SSGEN", opSSRtx: "OP_SSRTX", opSStxChange: "OP_SSTXCHANGE", op1: "1", op2: "2",
    ]
}

extension SimnetAddress {
    /// What the address pays to, for the kernel's script builders.
    var destination: ScriptDestination { ScriptDestination(isScriptHash: kind == .scriptHash, hash160: hash160) }

    init(_ destination: ScriptDestination) {
        self.init(kind: destination.isScriptHash ? .scriptHash : .pubKeyHash, payload: destination.hash160)
    }
}
