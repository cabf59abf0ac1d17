/// The handful of output scripts the simulated stake transactions use, their construction and
/// classification (as dcrd's `decoderawtransaction` reports them, wallet-rpc.md §2.17).
enum SimnetScript {
    static let opReturn: UInt8 = 0x6A
    static let opDup: UInt8 = 0x76
    static let opEqual: UInt8 = 0x87
    static let opEqualVerify: UInt8 = 0x88
    static let opHash160: UInt8 = 0xA9
    static let opCheckSig: UInt8 = 0xAC
    static let opCheckMultisig: UInt8 = 0xAE
    static let opSStx: UInt8 = 0xBA
    static let opSSGen: UInt8 = 0xBB
    static let opSSRtx: UInt8 = 0xBC
    static let opSStxChange: UInt8 = 0xBD
    static let op1: UInt8 = 0x51
    static let op2: UInt8 = 0x52

    /// `OP_HASH160 <20> OP_EQUAL` or `OP_DUP OP_HASH160 <20> OP_EQUALVERIFY OP_CHECKSIG`.
    static func payTo(_ address: SimnetAddress) -> [UInt8] {
        let hash = address.hash160
        if address.kind == .scriptHash { return [opHash160, 0x14] + hash + [opEqual] }
        return [opDup, opHash160, 0x14] + hash + [opEqualVerify, opCheckSig]
    }

    /// A stake-tagged payment (`OP_SSTX`, `OP_SSGEN`, `OP_SSRTX`, `OP_SSTXCHANGE` + pay-to script).
    static func tagged(_ tag: UInt8, _ address: SimnetAddress) -> [UInt8] { [tag] + payTo(address) }

    /// A ticket commitment: `OP_RETURN <30 bytes: hash160, amount|P2SH flag, fee limits>`.
    static func commitment(_ address: SimnetAddress, amount: Int64) -> [UInt8] {
        var writer = WireWriter(capacity: 32)
        writer.u8(opReturn); writer.u8(30)
        writer.raw(address.hash160)
        var encoded = UInt64(amount)
        if address.kind == .scriptHash { encoded |= 1 << 63 }
        writer.u64(encoded)
        writer.u16(0x5800)  // dcrwallet's default fee limits
        return writer.bytes
    }

    /// `OP_RETURN <push data>`.
    static func nullData(_ data: [UInt8]) -> [UInt8] { [opReturn, UInt8(data.count)] + data }

    /// `OP_1 <pk1> <pk2> OP_2 OP_CHECKMULTISIG` for two 33-byte compressed keys.
    static func oneOfTwoMultisig(_ first: [UInt8], _ second: [UInt8]) -> [UInt8] {
        [op1, 0x21] + first + [0x21] + second + [op2, opCheckMultisig]
    }

    /// The data of a commitment output, if `script` is one.
    static func parseCommitment(_ script: [UInt8]) -> (address: SimnetAddress, amount: Int64)? {
        guard script.count == 32, script[0] == opReturn, script[1] == 30 else { return nil }
        var reader = WireReader(Array(script[22..<30]))
        guard let raw = try? reader.u64() else { return nil }
        let kind: SimnetAddress.Kind = raw & (1 << 63) != 0 ? .scriptHash : .pubKeyHash
        return (SimnetAddress(kind: kind, payload: Array(script[2..<22])), Int64(raw & ~(1 << 63)))
    }

    /// The address of a plain or stake-tagged P2PKH/P2SH script.
    static func paymentAddress(_ script: [UInt8]) -> SimnetAddress? {
        var body = script[...]
        if let first = body.first, [opSStx, opSSGen, opSSRtx, opSStxChange].contains(first) { body = body.dropFirst() }
        let bytes = Array(body)
        if bytes.count == 23, bytes[0] == opHash160, bytes[1] == 0x14, bytes[22] == opEqual {
            return SimnetAddress(kind: .scriptHash, payload: Array(bytes[2..<22]))
        }
        if bytes.count == 25, bytes[0] == opDup, bytes[1] == opHash160, bytes[2] == 0x14, bytes[23] == opEqualVerify,
           bytes[24] == opCheckSig {
            return SimnetAddress(kind: .pubKeyHash, payload: Array(bytes[3..<23]))
        }
        return nil
    }

    /// dcrd's script class name and the addresses it pays, for `decoderawtransaction`.
    static func classify(_ script: [UInt8]) -> (type: String, addresses: [SimnetAddress], reqSigs: Int32) {
        if let commitment = parseCommitment(script) {
            return ("sstxcommitment", [commitment.address], 0)
        }
        if let first = script.first, let address = paymentAddress(script) {
            switch first {
            case opSStx: return ("stakesubmission", [address], 1)
            case opSSGen: return ("stakegen", [address], 1)
            case opSSRtx: return ("stakerevoke", [address], 1)
            case opSStxChange: return ("sstxchange", [address], 1)
            default: return (address.kind == .scriptHash ? "scripthash" : "pubkeyhash", [address], 1)
            }
        }
        if script.first == opReturn { return ("nulldata", [], 0) }
        return ("nonstandard", [], 0)
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
