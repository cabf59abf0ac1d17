/// A ticket purchase (SStx) as vspd accepts it (`isValidTicket`): dcrd's `stake.CheckSStx` rules — every output
/// script version 0, output 0 `OP_SSTX`-tagged P2PKH/P2SH, outputs = 2 × inputs + 1, odd outputs `OP_RETURN`
/// commitments of 32…77 bytes with a direct push of 30…75 bytes, even outputs from 2 on `OP_SSTXCHANGE`-tagged —
/// and exactly 3 outputs (one input, one commitment).
public struct DecredTicket: Sendable, Equatable {
    public let transaction: DecredTransaction
    /// Output 0: whoever can spend it votes (the VSP's voting wallets hold this key after `payfee`).
    public let votingOutput: DecredTransaction.Output
    public let votingDestination: ScriptDestination
    /// Output 1: where the reward goes, the amount committed, and the fee limits. Its P2PKH address is the key
    /// that signs the ticket's vspd requests.
    public let commitment: StakeScript.Commitment

    /// The ticket price in atoms (output 0's value).
    public var price: Int64 { votingOutput.value }

    /// Errors: `notATicket` naming the first rule the transaction breaks.
    public init(_ transaction: DecredTransaction) throws {
        let outputs = transaction.outputs
        guard outputs.allSatisfy({ $0.scriptVersion == 0 }) else { throw Self.refusal("an output script version is not 0") }
        guard let first = outputs.first, let (tag, destination) = StakeScript.destination(of: first.script),
              tag == StakeScript.opSStx else {
            throw Self.refusal("output 0 is not a stake submission (OP_SSTX)")
        }
        guard outputs.count == transaction.inputs.count * 2 + 1 else {
            throw Self.refusal("it has \(outputs.count) outputs for \(transaction.inputs.count) inputs")
        }
        for index in 1..<outputs.count {
            let script = outputs[index].script
            if index % 2 == 0 {
                guard StakeScript.destination(of: script)?.tag == StakeScript.opSStxChange else {
                    throw Self.refusal("output \(index) is not stake change (OP_SSTXCHANGE)")
                }
            } else {
                guard Self.isCommitmentScript(script) else { throw Self.refusal("output \(index) is not a commitment") }
            }
        }
        guard outputs.count == 3 else { throw Self.refusal("it has more than one input and commitment") }
        self.transaction = transaction
        self.votingOutput = first
        self.votingDestination = destination
        self.commitment = Self.parseCommitment(outputs[1].script)
    }

    /// The commitment address (P2PKH, or P2SH when the amount's top bit says so) on `network`.
    public func commitmentAddress(network: NetParams) throws -> Address {
        try commitment.destination.address(network: network)
    }

    /// `OP_RETURN` then one direct push of 30…75 bytes filling the script.
    static func isCommitmentScript(_ script: [UInt8]) -> Bool {
        guard script.count >= 32, script.count <= 77, script[0] == StakeScript.opReturn else { return false }
        let push = Int(script[1])
        return push >= 30 && push <= 75 && script.count == 2 + push
    }

    /// Bytes 2…21 the hash, 22…29 the amount (little-endian, top bit P2SH), 30…31 the fee limits; any further
    /// pushed bytes are ignored, as dcrd does.
    static func parseCommitment(_ script: [UInt8]) -> StakeScript.Commitment {
        let rawAmount = script[22..<30].reversed().reduce(UInt64(0)) { $0 << 8 | UInt64($1) }
        let isScriptHash = rawAmount & (1 << 63) != 0
        let feeLimits = UInt16(script[30]) | UInt16(script[31]) << 8
        return StakeScript.Commitment(destination: ScriptDestination(isScriptHash: isScriptHash, hash160: Array(script[2..<22])),
                                      amount: Int64(rawAmount & ~(1 << 63)), feeLimits: feeLimits)
    }

    private static func refusal(_ reason: String) -> ChainError {
        ChainError(.notATicket, "The transaction is not a ticket: \(reason).")
    }
}
