import PoolKernel

/// A solo ticket the way today's dcrwallet buys one for a VSP, before anything is broadcast (vspd-api.md §4.2).
public struct SimnetSoloTicket: Sendable, Equatable {
    public var ticketHex: String
    public var ticketHash: String
    /// The transaction whose output 0 the ticket spends (the wallet's split transaction).
    public var parentHex: String
    public var parentHash: String
}

/// Transactions a vspd client builds outside the node: a solo ticket with its parent, and a fee payment. They are
/// funded from fresh outputs the ledger creates (as if from long-matured coinbases) and carry stand-in signatures
/// (nothing in the simulation checks signatures).
extension SimnetWorld {
    /// Relay fee of the ticket and of a fee payment, atoms.
    static let soloTicketFee: Int64 = 2_980
    static let paymentFee: Int64 = 2_300

    /// A ticket at the current price whose output 0 pays `votingAddress` (P2PKH, `OP_SSTX`), whose one commitment
    /// returns price + fee to `commitmentAddress`, with one empty change output; and its parent, which pays exactly
    /// that to `commitmentAddress`. With `broadcast` both are sent to the node (parent first).
    mutating func buySoloTicket(votingAddress: String, commitmentAddress: String, broadcast: Bool) throws -> SimnetSoloTicket {
        guard let voting = addresses.decode(votingAddress), voting.kind == .pubKeyHash else {
            throw SimnetError.invalidParameter("voting address \(votingAddress) is not a \(addresses.network.name) P2PKH address")
        }
        guard let commitment = addresses.decode(commitmentAddress), commitment.kind != .pubKey else {
            throw SimnetError.invalidParameter("commitment address \(commitmentAddress) is not a \(addresses.network.name) P2PKH or P2SH address")
        }
        let price = chain.ticketPrice
        let committed = price + Self.soloTicketFee
        let funding = chain.ledger.fund(value: committed + Self.paymentFee, seed: UInt64(chain.tipHeight))
        let parent = SimnetTransaction(
            inputs: [Self.signedInput(spending: funding, value: committed + Self.paymentFee)],
            outputs: [SimnetTransaction.Output(value: committed, script: StakeScript.payTo(commitment.destination))])
        let parentHash = parent.txid
        let zeroChange = SimnetAddress(kind: .pubKeyHash, payload: [UInt8](repeating: 0, count: 20))
        let ticket = SimnetTransaction(
            inputs: [Self.signedInput(spending: SimnetOutPoint(hash: parentHash, index: 0), value: committed)],
            outputs: [SimnetTransaction.Output(value: price, script: SimnetScript.tagged(SimnetScript.opSStx, voting)),
                      SimnetTransaction.Output(value: 0, script: SimnetScript.commitment(commitment, amount: committed)),
                      SimnetTransaction.Output(value: 0, script: SimnetScript.tagged(SimnetScript.opSStxChange, zeroChange))])
        let result = SimnetSoloTicket(ticketHex: HexCoding.encode(ticket.serialized()), ticketHash: ticket.txid.hex,
                                      parentHex: HexCoding.encode(parent.serialized()), parentHash: parentHash.hex)
        if broadcast {
            _ = try vspSendRawTransaction(result.parentHex)
            _ = try vspSendRawTransaction(result.ticketHex)
        }
        return result
    }

    /// A fee payment: `atoms` to `address` (P2PKH) in output 0, unbroadcast. Returns its hex.
    mutating func buildFeePayment(address: String, atoms: Int64) throws -> String {
        guard let payee = addresses.decode(address), payee.kind == .pubKeyHash else {
            throw SimnetError.invalidParameter("fee address \(address) is not a \(addresses.network.name) P2PKH address")
        }
        guard atoms > 0, atoms <= 21_000_000 * 100_000_000 else { throw SimnetError.invalidParameter("amount out of range") }
        let funding = chain.ledger.fund(value: atoms + Self.paymentFee, seed: UInt64(chain.tipHeight))
        let payment = SimnetTransaction(inputs: [Self.signedInput(spending: funding, value: atoms + Self.paymentFee)],
                                        outputs: [SimnetTransaction.Output(value: atoms, script: StakeScript.payTo(payee.destination))])
        return HexCoding.encode(payment.serialized())
    }

    /// A regular-tree input spending `outPoint`, with a stand-in signature deterministic in the outpoint.
    private static func signedInput(spending outPoint: SimnetOutPoint, value: Int64) -> SimnetTransaction.Input {
        let signature = SimnetCrypto.blake256(outPoint.hash.bytes + [UInt8(truncatingIfNeeded: outPoint.index)])
        return SimnetTransaction.Input(previousHash: outPoint.hash, previousIndex: outPoint.index, tree: 0, valueIn: value,
                                       signatureScript: [UInt8(signature.count)] + signature)
    }
}
