/// A Decred transaction in dcrd's wire format (`wire.MsgTx`): a 4-byte version whose high 16 bits are the
/// serialization type, then the prefix (inputs' outpoints and sequences, outputs with script versions, lock time,
/// expiry) and/or the witness (each input's value, block height and index, signature script).
///
/// Decoding follows dcrd's `BtcDecode`; like dcrd's `Deserialize` it ignores bytes after the transaction
/// (vspd relies on that). Re-serializing a decoded transaction gives back exactly the bytes read.
public struct DecredTransaction: Sendable, Hashable {
    public enum SerializationType: UInt16, Sendable {
        case full = 0
        case prefixOnly = 1
        case witnessOnly = 2
    }

    public struct OutPoint: Sendable, Hashable {
        /// The previous transaction's hash in internal (wire) byte order.
        public var hash: [UInt8]
        public var index: UInt32
        /// 0 regular tree, 1 stake tree.
        public var tree: UInt8

        public init(hash: [UInt8], index: UInt32, tree: UInt8) {
            self.hash = hash
            self.index = index
            self.tree = tree
        }

        /// The previous transaction's id as dcrd displays it (byte-reversed hex).
        public var txid: String { Hex.encode(hash.reversed()) }
        /// The coinbase/stakebase outpoint: zero hash, index 0xFFFFFFFF.
        public var isNull: Bool { index == .max && hash.allSatisfy { $0 == 0 } }
    }

    public struct Input: Sendable, Hashable {
        public var previousOutPoint: OutPoint
        public var sequence: UInt32
        // Witness fields (zero when the serialization has no witness).
        public var valueIn: Int64
        public var blockHeight: UInt32
        public var blockIndex: UInt32
        public var signatureScript: [UInt8]

        public init(previousOutPoint: OutPoint, sequence: UInt32 = .max, valueIn: Int64 = 0, blockHeight: UInt32 = 0,
                    blockIndex: UInt32 = 0, signatureScript: [UInt8] = []) {
            self.previousOutPoint = previousOutPoint
            self.sequence = sequence
            self.valueIn = valueIn
            self.blockHeight = blockHeight
            self.blockIndex = blockIndex
            self.signatureScript = signatureScript
        }
    }

    public struct Output: Sendable, Hashable {
        /// Atoms.
        public var value: Int64
        public var scriptVersion: UInt16
        public var script: [UInt8]

        public init(value: Int64, scriptVersion: UInt16 = 0, script: [UInt8]) {
            self.value = value
            self.scriptVersion = scriptVersion
            self.script = script
        }
    }

    public var version: UInt16
    public var serializationType: SerializationType
    public var inputs: [Input]
    public var outputs: [Output]
    public var lockTime: UInt32
    public var expiry: UInt32

    // Smallest encodings, to bound counts by the bytes left.
    private static let minimumPrefixInput = 32 + 4 + 1 + 4
    private static let minimumOutput = 8 + 2 + 1
    private static let minimumWitnessInput = 8 + 4 + 4 + 1

    public init(version: UInt16 = 1, serializationType: SerializationType = .full, inputs: [Input], outputs: [Output],
                lockTime: UInt32 = 0, expiry: UInt32 = 0) {
        self.version = version
        self.serializationType = serializationType
        self.inputs = inputs
        self.outputs = outputs
        self.lockTime = lockTime
        self.expiry = expiry
    }

    // MARK: - Decoding

    /// Decodes hex text (either case). Errors: `badHex`, `badTransaction`.
    public init(hex: String) throws { try self.init(bytes: Hex.decode(hex)) }

    /// Decodes the transaction at the start of `bytes` (later bytes are ignored). Errors: `badTransaction`.
    public init(bytes: [UInt8]) throws { self = try Self.decode(bytes).transaction }

    /// The transaction at the start of `bytes` and how many bytes it took.
    public static func decode(_ bytes: [UInt8]) throws -> (transaction: DecredTransaction, length: Int) {
        var reader = WireReader(bytes)
        let word = try reader.u32()
        guard let type = SerializationType(rawValue: UInt16(word >> 16)) else {
            throw ChainError(.badTransaction, "Unknown transaction serialization type \(word >> 16).")
        }
        var tx = DecredTransaction(version: UInt16(word & 0xFFFF), serializationType: type, inputs: [], outputs: [],
                                   lockTime: 0, expiry: 0)
        if type != .witnessOnly { try tx.decodePrefix(&reader) }
        if type != .prefixOnly { try tx.decodeWitness(&reader) }
        return (tx, reader.offset)
    }

    private mutating func decodePrefix(_ reader: inout WireReader) throws {
        let inputCount = try reader.count(minimumItemSize: Self.minimumPrefixInput, of: "inputs")
        inputs.reserveCapacity(inputCount)
        for _ in 0..<inputCount {
            let outPoint = OutPoint(hash: Array(try reader.take(32)), index: try reader.u32(), tree: try reader.u8())
            inputs.append(Input(previousOutPoint: outPoint, sequence: try reader.u32(), valueIn: 0, blockHeight: 0,
                                blockIndex: 0, signatureScript: []))
        }
        let outputCount = try reader.count(minimumItemSize: Self.minimumOutput, of: "outputs")
        outputs.reserveCapacity(outputCount)
        for _ in 0..<outputCount {
            outputs.append(Output(value: try reader.i64(), scriptVersion: try reader.u16(), script: try reader.varBytes()))
        }
        lockTime = try reader.u32()
        expiry = try reader.u32()
    }

    private mutating func decodeWitness(_ reader: inout WireReader) throws {
        let count = try reader.count(minimumItemSize: Self.minimumWitnessInput, of: "witnesses")
        if serializationType == .full {
            guard count == inputs.count else {
                throw ChainError(.badTransaction, "The transaction has \(count) witnesses for \(inputs.count) inputs.")
            }
        } else {
            let empty = OutPoint(hash: [UInt8](repeating: 0, count: 32), index: 0, tree: 0)
            inputs = Array(repeating: Input(previousOutPoint: empty, sequence: 0, valueIn: 0, blockHeight: 0, blockIndex: 0,
                                            signatureScript: []), count: count)
        }
        for index in 0..<count {
            inputs[index].valueIn = try reader.i64()
            inputs[index].blockHeight = try reader.u32()
            inputs[index].blockIndex = try reader.u32()
            inputs[index].signatureScript = try reader.varBytes()
        }
    }

    // MARK: - Encoding and hashes

    /// The wire bytes in `type` (default: this transaction's own serialization type).
    public func serialized(as type: SerializationType? = nil) -> [UInt8] {
        let type = type ?? serializationType
        var writer = WireWriter()
        writer.u32(UInt32(version) | UInt32(type.rawValue) << 16)
        if type != .witnessOnly { writePrefix(&writer) }
        if type != .prefixOnly { writeWitness(&writer) }
        return writer.bytes
    }

    private func writePrefix(_ writer: inout WireWriter) {
        writer.varInt(inputs.count)
        for input in inputs {
            writer.raw(input.previousOutPoint.hash)
            writer.u32(input.previousOutPoint.index)
            writer.u8(input.previousOutPoint.tree)
            writer.u32(input.sequence)
        }
        writer.varInt(outputs.count)
        for output in outputs {
            writer.i64(output.value)
            writer.u16(output.scriptVersion)
            writer.varBytes(output.script)
        }
        writer.u32(lockTime)
        writer.u32(expiry)
    }

    private func writeWitness(_ writer: inout WireWriter) {
        writer.varInt(inputs.count)
        for input in inputs {
            writer.i64(input.valueIn)
            writer.u32(input.blockHeight)
            writer.u32(input.blockIndex)
            writer.varBytes(input.signatureScript)
        }
    }

    /// The transaction hash in internal byte order: BLAKE-256 of the prefix serialization (dcrd `TxHash`).
    public var hash: [UInt8] { BLAKE256.hash(serialized(as: .prefixOnly)) }

    /// The transaction id as dcrd displays it (byte-reversed hex of `hash`).
    public var txid: String { Hex.encode(hash.reversed()) }

    /// BLAKE-256(prefix hash ‖ witness hash), the merkle leaf (dcrd `TxHashFull`), internal byte order.
    public var fullHash: [UInt8] { BLAKE256.hash(hash + BLAKE256.hash(serialized(as: .witnessOnly))) }
}
