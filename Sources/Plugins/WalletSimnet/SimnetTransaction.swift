import PoolKernel

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

    /// The kernel's wire form of this transaction (full serialization).
    var wire: DecredTransaction {
        DecredTransaction(
            version: version, serializationType: .full,
            inputs: inputs.map {
                DecredTransaction.Input(previousOutPoint: .init(hash: $0.previousHash.bytes, index: $0.previousIndex, tree: $0.tree),
                                        sequence: $0.sequence, valueIn: $0.valueIn, blockHeight: $0.blockHeight,
                                        blockIndex: $0.blockIndex, signatureScript: $0.signatureScript)
            },
            outputs: outputs.map { DecredTransaction.Output(value: $0.value, scriptVersion: $0.version, script: $0.script) },
            lockTime: lockTime, expiry: expiry)
    }

    /// The full serialization (prefix and witness), as carried in hex on the wire.
    func serialized() -> [UInt8] { wire.serialized() }

    /// The transaction hash: BLAKE-256 of the prefix serialization (serialization type 1).
    var txid: SimHash { SimHash(bytes: wire.hash) ?? .zero }

    /// Parses a full serialization (the kernel's decoder; nothing may follow it); any malformation throws
    /// `SimnetError` with RPC code -22.
    static func deserialize(_ bytes: [UInt8]) throws -> SimnetTransaction {
        guard bytes.count <= maximumSize else { throw SimnetError.deserialization("transaction too large") }
        let decoded: (transaction: DecredTransaction, length: Int)
        do {
            decoded = try DecredTransaction.decode(bytes)
        } catch let error as ChainError {
            throw SimnetError.deserialization(error.message)
        }
        let tx = decoded.transaction
        guard tx.serializationType == .full else { throw SimnetError.deserialization("only full serializations are accepted") }
        guard decoded.length == bytes.count else { throw SimnetError.deserialization("trailing bytes") }
        let inputs = tx.inputs.map {
            Input(previousHash: SimHash(bytes: $0.previousOutPoint.hash) ?? .zero, previousIndex: $0.previousOutPoint.index,
                  tree: $0.previousOutPoint.tree, sequence: $0.sequence, valueIn: $0.valueIn, blockHeight: $0.blockHeight,
                  blockIndex: $0.blockIndex, signatureScript: $0.signatureScript)
        }
        return SimnetTransaction(version: tx.version, inputs: inputs,
                                 outputs: tx.outputs.map { Output(value: $0.value, version: $0.scriptVersion, script: $0.script) },
                                 lockTime: tx.lockTime, expiry: tx.expiry)
    }

    /// Parses hex; bad hex throws RPC -22 like dcrd.
    static func deserialize(hex: String) throws -> SimnetTransaction {
        guard hex.utf8.count <= maximumSize * 2, let bytes = HexCoding.decode(hex) else {
            throw SimnetError.deserialization("bad hex")
        }
        return try deserialize(bytes)
    }
}
