import PoolKernel

/// Small well-formed Decred transactions for the vspd front's tests: distinct per seed, readable by
/// `DecredTransaction` (as the in-memory node and wallet require), with their real txid.
public enum VspTestTransactions {
    /// A one-input, one-output transaction whose input spends an outpoint made from `seed` (so each seed gives its
    /// own txid).
    public static func make(seed: Int, value: Int64 = 100_000_000) -> (hex: String, txid: String) {
        var outpoint = [UInt8](repeating: 0, count: 32)
        withUnsafeBytes(of: UInt64(seed).littleEndian) { outpoint.replaceSubrange(0..<8, with: $0) }
        let script: [UInt8] = [0x76, 0xa9, 0x14] + [UInt8](repeating: UInt8(truncatingIfNeeded: seed), count: 20) + [0x88, 0xac]
        let transaction = DecredTransaction(
            inputs: [.init(previousOutPoint: .init(hash: outpoint, index: 0, tree: 0), valueIn: value + 10_000)],
            outputs: [.init(value: value, script: script)], lockTime: 0, expiry: 0)
        return (Hex.encode(transaction.serialized()), transaction.txid)
    }
}
