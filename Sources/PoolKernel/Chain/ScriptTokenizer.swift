/// Walks a version-0 script opcode by opcode, yielding each opcode and its pushed data.
/// A push that runs past the end of the script makes `next()` throw `badScript`.
struct ScriptTokenizer {
    struct Token: Equatable {
        var opcode: UInt8
        /// The pushed bytes for data pushes (OP_0 pushes nothing), nil for other opcodes.
        var data: ArraySlice<UInt8>?
    }

    private let script: [UInt8]
    private(set) var offset = 0

    init(_ script: [UInt8]) { self.script = script }

    var isAtEnd: Bool { offset >= script.count }

    mutating func next() throws -> Token? {
        guard offset < script.count else { return nil }
        let opcode = script[offset]
        offset += 1
        let length: Int
        switch opcode {
        case 0x00: return Token(opcode: opcode, data: [])
        case 0x01...0x4B: length = Int(opcode)
        case Opcode.pushData1: length = try readLength(bytes: 1)
        case Opcode.pushData2: length = try readLength(bytes: 2)
        case Opcode.pushData4: length = try readLength(bytes: 4)
        default: return Token(opcode: opcode, data: nil)
        }
        guard length <= script.count - offset else {
            throw ChainError(.badScript, "A data push runs past the end of the script.")
        }
        defer { offset += length }
        return Token(opcode: opcode, data: script[offset..<offset + length])
    }

    /// Little-endian push length of `bytes` bytes.
    private mutating func readLength(bytes: Int) throws -> Int {
        guard bytes <= script.count - offset else {
            throw ChainError(.badScript, "A push length runs past the end of the script.")
        }
        var value = 0
        for index in 0..<bytes { value |= Int(script[offset + index]) << (8 * index) }
        offset += bytes
        return value
    }
}

/// The opcodes the pool's scripts use.
enum Opcode {
    static let op0: UInt8 = 0x00
    static let data20: UInt8 = 0x14
    static let data33: UInt8 = 0x21
    static let pushData1: UInt8 = 0x4C
    static let pushData2: UInt8 = 0x4D
    static let pushData4: UInt8 = 0x4E
    static let op1: UInt8 = 0x51
    static let op16: UInt8 = 0x60
    static let dup: UInt8 = 0x76
    static let equal: UInt8 = 0x87
    static let equalVerify: UInt8 = 0x88
    static let hash160: UInt8 = 0xA9
    static let checkSig: UInt8 = 0xAC
    static let checkMultiSig: UInt8 = 0xAE
    /// Decred stake tags: OP_SSTX (ticket), OP_SSGEN (vote), OP_SSRTX (revocation), OP_SSTXCHANGE.
    static let sstx: UInt8 = 0xBA
    static let ssgen: UInt8 = 0xBB
    static let ssrtx: UInt8 = 0xBC
    static let sstxChange: UInt8 = 0xBD

    /// OP_0 → 0, OP_1…OP_16 → 1…16, anything else nil.
    static func smallInt(_ opcode: UInt8) -> Int? {
        if opcode == op0 { return 0 }
        if (op1...op16).contains(opcode) { return Int(opcode - op1) + 1 }
        return nil
    }
}
