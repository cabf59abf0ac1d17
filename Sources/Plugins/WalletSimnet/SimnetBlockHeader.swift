/// The 180-byte Decred block header, as the simulation fills it (wallet-rpc.md §2.18 layout).
struct SimnetBlockHeader: Sendable, Equatable {
    var version: UInt32
    var previousHash: SimHash
    var merkleRoot: SimHash
    var stakeRoot: SimHash
    var voteBits: UInt16 = 1
    var finalState: UInt64 = 0  // 6 bytes on the wire
    var voters: UInt16
    var freshStake: UInt8
    var revocations: UInt8
    var poolSize: UInt32
    var bits: UInt32 = 0x207F_FFFF
    var stakeDifficulty: Int64
    var height: UInt32
    var size: UInt32
    var timestamp: UInt32
    var nonce: UInt32
    var stakeVersion: UInt32

    static let serializedSize = 180

    func serialized() -> [UInt8] {
        var writer = WireWriter(capacity: Self.serializedSize)
        writer.u32(version)
        writer.raw(previousHash.bytes)
        writer.raw(merkleRoot.bytes)
        writer.raw(stakeRoot.bytes)
        writer.u16(voteBits)
        for index in 0..<6 { writer.u8(UInt8(truncatingIfNeeded: finalState >> UInt64(8 * index))) }
        writer.u16(voters)
        writer.u8(freshStake)
        writer.u8(revocations)
        writer.u32(poolSize)
        writer.u32(bits)
        writer.i64(stakeDifficulty)
        writer.u32(height)
        writer.u32(size)
        writer.u32(timestamp)
        writer.u32(nonce)
        writer.raw([UInt8](repeating: 0, count: 32))  // extra data
        writer.u32(stakeVersion)
        return writer.bytes
    }

    /// The block hash: BLAKE-256 of the serialized header.
    var hash: SimHash { SimnetCrypto.hash(serialized()) }
}
