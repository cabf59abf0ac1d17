/// The pool-fee check of a newly live ticket (stakepoold.md §6.5, `nodeCheckTicketFee`): did the ticket commit
/// at least the pool fee to one of the pool's fee addresses?
public struct TicketFeeCheck: Sendable {
    /// The check's answer for one ticket.
    public struct Verdict: Sendable, Equatable {
        public var isValid: Bool
        /// The committed pool fee (atoms), 0 when no fee address matched.
        public var committed: Int64
        /// The pool fee the ticket had to commit (atoms), 0 when no fee address matched.
        public var required: Int64
        /// Why it failed (for the operator), `""` when valid.
        public var problem: String
        /// Height of the block that mined the ticket.
        public var height: Int64 = 0
        public init(isValid: Bool, committed: Int64, required: Int64, problem: String) {
            self.isValid = isValid
            self.committed = committed
            self.required = required
            self.problem = problem
        }
    }

    public let node: any NodeBackend
    public let fee: PoolTicketFee
    public let poolFeePercent: Double
    /// Whether an address is one of the pool's 10,000 fee addresses (stakepoold.md §3 step 3).
    public let isFeeAddress: @Sendable (String) -> Bool

    public init(node: any NodeBackend, fee: PoolTicketFee, poolFeePercent: Double,
                isFeeAddress: @escaping @Sendable (String) -> Bool) {
        self.node = node
        self.fee = fee
        self.poolFeePercent = poolFeePercent
        self.isFeeAddress = isFeeAddress
    }

    /// Checks the ticket `hex` mined in `blockHash`. Node failures are thrown (callers skip the ticket).
    public func check(ticketHex: String, blockHash: String) async throws -> Verdict {
        let tx = try await node.decodeRawTransaction(ticketHex)
        let height = Int64(try await node.blockHeight(hash: blockHash))
        var result = verdict(for: tx, height: height)
        result.height = height
        return result
    }

    /// The pure part of the check, given the decoded ticket and the height of its block.
    public func verdict(for tx: DecodedTransaction, height: Int64) -> Verdict {
        let ticketValue = PoolTicketFee.atoms(tx.outputs.first?.value ?? 0)
        var matched = false
        var committed: Int64 = 0
        var lastAddress = ""
        var inputs: Int64 = 0
        var outputs: Int64 = 0
        for output in tx.outputs {
            outputs += PoolTicketFee.atoms(output.value)
            guard output.scriptType == "sstxcommitment" else { continue }
            let amount = PoolTicketFee.atoms(output.commitAmount ?? 0)
            inputs += amount
            for address in output.addresses {
                lastAddress = address
                if isFeeAddress(address) {
                    matched = true
                    committed = amount  // the last matching output wins, as in Go
                    break
                }
            }
        }
        guard matched else {
            return Verdict(isValid: false, committed: 0, required: 0,
                           problem: "unknown pool commitment address \(lastAddress) for ticket \(tx.txid)")
        }
        let relayFee = inputs - outputs
        let needed = fee.required(ticketValue: ticketValue, relayFee: relayFee, height: height,
                                  poolFeePercent: poolFeePercent)
        if committed < needed {
            return Verdict(isValid: false, committed: committed, required: needed,
                           problem: "ticket \(tx.txid) pays less than the pool fee (required: \(needed), "
                               + "found \(committed))")
        }
        return Verdict(isValid: true, committed: committed, required: needed, problem: "")
    }
}
