/// dcrd's context-free transaction checks (`CheckTransactionSanity`) as vspd's `payfee` runs them on a fee
/// transaction before looking at its outputs (spec `vspd-api.md` §5.4 step 9).
extension DecredTransaction {
    /// The most atoms that can ever exist (21 million DCR), dcrd `MaxAtom`.
    public static let maximumAtoms: Int64 = 21_000_000 * 100_000_000
    /// The witness value of an input whose value is not known (dcrd `wire.NullValueIn`).
    public static let nullValueIn: Int64 = -1

    /// Throws `badTransaction` naming the first rule broken: at least one input and one output; serialized size at
    /// most `maximumSize` (the network's `MaxTxSize`: mainnet 393,216, testnet3 1,000,000 bytes); every output
    /// value and their sum within 0…`maximumAtoms`; every input's value within that range or `nullValueIn`; no
    /// outpoint spent twice.
    public func checkSanity(maximumSize: Int) throws {
        guard !inputs.isEmpty else { throw Self.insane("it has no inputs") }
        guard !outputs.isEmpty else { throw Self.insane("it has no outputs") }
        let size = serialized().count
        guard size <= maximumSize else { throw Self.insane("it is \(size) bytes, more than \(maximumSize)") }
        var total: Int64 = 0
        for (index, output) in outputs.enumerated() {
            guard output.value >= 0 else { throw Self.insane("output \(index) has a negative value") }
            guard output.value <= Self.maximumAtoms else { throw Self.insane("output \(index) is more than all coins") }
            total += output.value  // both terms ≤ maximumAtoms: no overflow
            guard total <= Self.maximumAtoms else { throw Self.insane("its outputs add up to more than all coins") }
        }
        var spent = Set<OutPoint>()
        for (index, input) in inputs.enumerated() {
            guard input.valueIn == Self.nullValueIn || (0...Self.maximumAtoms).contains(input.valueIn) else {
                throw Self.insane("input \(index) has a value out of range")
            }
            guard spent.insert(input.previousOutPoint).inserted else { throw Self.insane("input \(index) spends an outpoint twice") }
        }
    }

    private static func insane(_ reason: String) -> ChainError {
        ChainError(.badTransaction, "The transaction is not valid: \(reason).")
    }
}
