/// A Decred transaction (wire format version 1) as the simulation builds and parses it: tickets (SStx),
/// votes (SSGen) and revocations (SSRtx).
struct SimnetTransaction: Sendable, Equatable {
    struct Input: Sendable, Equatable {
        var previousHash: SimHash
        var previousIndex: UInt32
        var tree: UInt8
        var sequence: UInt32 = 0xFFFF_FFFF
        var valueIn: Int64
        var blockHeight: UInt32 = 0
        var blockIndex: UInt32 = 0xFFFF_FFFF
        var signatureScript: [UInt8] = []
    }

    struct Output: Sendable, Equatable {
        var value: Int64
        var version: UInt16 = 0
        var script: [UInt8]
    }

    var version: UInt16 = 1
    var inputs: [Input]
    var outputs: [Output]
    var lockTime: UInt32 = 0
    var expiry: UInt32 = 0

    /// Largest transaction the node accepts (simnet MaxTxSize).
    static let maximumSize = 1_000_000

    /// The full serialization (prefix and witness), as carried in hex on the wire.
    func serialized() -> [UInt8] {
        var writer = WireWriter(capacity: 320)
        writer.u32(UInt32(version))  // serialization type 0 = full
        writePrefixBody(&writer)
        writer.varInt(inputs.count)
        for input in inputs {
            writer.i64(input.valueIn)
            writer.u32(input.blockHeight)
            writer.u32(input.blockIndex)
            writer.varBytes(input.signatureScript)
        }
        return writer.bytes
    }

    /// The transaction hash: BLAKE-256 of the prefix serialization (serialization type 1).
    var txid: SimHash {
        var writer = WireWriter(capacity: 256)
        writer.u32(UInt32(version) | 1 << 16)
        writePrefixBody(&writer)
        return SimnetCrypto.hash(writer.bytes)
    }

    private func writePrefixBody(_ writer: inout WireWriter) {
        writer.varInt(inputs.count)
        for input in inputs {
            writer.raw(input.previousHash.bytes)
            writer.u32(input.previousIndex)
            writer.u8(input.tree)
            writer.u32(input.sequence)
        }
        writer.varInt(outputs.count)
        for output in outputs {
            writer.i64(output.value)
            writer.u16(output.version)
            writer.varBytes(output.script)
        }
        writer.u32(lockTime)
        writer.u32(expiry)
    }

    /// Parses a full serialization; any malformation throws `SimnetError` with RPC code -22.
    static func deserialize(_ bytes: [UInt8]) throws -> SimnetTransaction {
        guard bytes.count <= maximumSize else { throw SimnetError.deserialization("transaction too large") }
        var reader = WireReader(bytes)
        let versionField = try reader.u32()
        guard versionField >> 16 == 0 else { throw SimnetError.deserialization("only full serializations are accepted") }
        let inputCount = try reader.varInt()
        var inputs = [Input]()
        for _ in 0..<inputCount {
            guard let hash = SimHash(bytes: try reader.take(32)) else { throw SimnetError.deserialization("bad outpoint") }
            let index = try reader.u32()
            let tree = try reader.u8()
            let sequence = try reader.u32()
            inputs.append(Input(previousHash: hash, previousIndex: index, tree: tree, sequence: sequence, valueIn: 0))
        }
        let outputCount = try reader.varInt()
        var outputs = [Output]()
        for _ in 0..<outputCount {
            let value = try reader.i64()
            let version = try reader.u16()
            outputs.append(Output(value: value, version: version, script: try reader.varBytes()))
        }
        let lockTime = try reader.u32()
        let expiry = try reader.u32()
        let witnessCount = try reader.varInt()
        guard witnessCount == inputCount else { throw SimnetError.deserialization("witness count mismatch") }
        for index in 0..<witnessCount {
            inputs[index].valueIn = try reader.i64()
            inputs[index].blockHeight = try reader.u32()
            inputs[index].blockIndex = try reader.u32()
            inputs[index].signatureScript = try reader.varBytes()
        }
        guard reader.isAtEnd else { throw SimnetError.deserialization("trailing bytes") }
        return SimnetTransaction(version: UInt16(versionField & 0xFFFF), inputs: inputs, outputs: outputs,
                                 lockTime: lockTime, expiry: expiry)
    }

    /// Parses hex; bad hex throws RPC -22 like dcrd.
    static func deserialize(hex: String) throws -> SimnetTransaction {
        guard hex.utf8.count <= maximumSize * 2, let bytes = HexCoding.decode(hex) else {
            throw SimnetError.deserialization("bad hex")
        }
        return try deserialize(bytes)
    }
}
