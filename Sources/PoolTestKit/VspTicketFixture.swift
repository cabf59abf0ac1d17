import Foundation
import PoolKernel

/// A ticket as a vspd client holds it, for tests of the vspd front: a parent transaction, the ticket spending it
/// (voting output to the voting key's P2PKH, a P2PKH commitment to the commitment key, empty change), the keys,
/// and the requests' signatures made with Decred message signing. Distinct `seed`s give distinct tickets.
public struct VspTicketFixture: Sendable {
    public let network: NetParams
    public let commitmentKey: [UInt8]
    public let votingKey: [UInt8]
    public let parent: DecredTransaction
    public let ticket: DecredTransaction

    /// A 32-byte private key `00…0n`-like, distinct per `n`.
    public static func privateKey(_ n: UInt16) -> [UInt8] { [UInt8](repeating: 0, count: 30) + [UInt8(n >> 8), UInt8(n & 0xFF)] }

    public init(network: NetParams = .simnet, seed: UInt16 = 1, price: Int64 = 100_000_000,
                commitmentKey: [UInt8]? = nil) throws {
        self.network = network
        self.commitmentKey = commitmentKey ?? Self.privateKey(1000 + seed)
        votingKey = Self.privateKey(2000 + seed)
        let funding = DecredTransaction.OutPoint(hash: BLAKE256.hash(Array("funding \(seed)".utf8)), index: 0, tree: 0)
        let commitmentHash = Hash160.hash(try WIF(privateKey: self.commitmentKey, network: network).publicKey())
        parent = DecredTransaction(inputs: [.init(previousOutPoint: funding, valueIn: price + 1_000_000)],
                                   outputs: [.init(value: price + 10_000, script: StakeScript.payTo(
                                       ScriptDestination(isScriptHash: false, hash160: commitmentHash)))])
        let votingHash = Hash160.hash(try WIF(privateKey: votingKey, network: network).publicKey())
        var amount = withUnsafeBytes(of: UInt64(price + 10_000).littleEndian) { Array($0) }
        amount[7] &= 0x7F  // P2PKH commitment
        let commitment = [StakeScript.opReturn, 30] + commitmentHash + amount + [0x00, 0x58]
        ticket = DecredTransaction(
            inputs: [.init(previousOutPoint: .init(hash: parent.hash, index: 0, tree: 0), valueIn: price + 10_000)],
            outputs: [.init(value: price, script: StakeScript.tagged(StakeScript.opSStx, ScriptDestination(isScriptHash: false, hash160: votingHash))),
                      .init(value: 0, script: commitment),
                      .init(value: 0, script: StakeScript.tagged(StakeScript.opSStxChange, ScriptDestination(isScriptHash: false, hash160: commitmentHash)))])
    }

    public var ticketHash: String { ticket.txid }
    public var ticketHex: String { Hex.encode(ticket.serialized()) }
    public var parentHex: String { Hex.encode(parent.serialized()) }
    public var commitmentAddress: String {
        get throws { try Address.pubKeyHash(publicKey: WIF(privateKey: commitmentKey, network: network).publicKey(), network: network).encoded }
    }
    public var votingWIF: String { get throws { try WIF(privateKey: votingKey, network: network).encoded } }

    /// `VSP-Client-Signature` of `body` by the commitment key (or `key`).
    public func sign(_ body: [UInt8], key: [UInt8]? = nil) throws -> String {
        try SignedMessage.sign(body, privateKey: key ?? commitmentKey)
    }

    /// A fee transaction's hex paying `amount` to `address` (and `extra` outputs after it).
    public func feeTransaction(paying address: String, amount: Int64, extra: [DecredTransaction.Output] = [],
                               seed: String = "fee") throws -> String {
        let payTo = try Address.decode(address, network: network).paymentScript
        let input = DecredTransaction.OutPoint(hash: BLAKE256.hash(Array("\(seed) \(ticketHash)".utf8)), index: 1, tree: 0)
        let tx = DecredTransaction(inputs: [.init(previousOutPoint: input, valueIn: amount + 100_000)],
                                   outputs: [.init(value: amount, script: payTo)] + extra)
        return Hex.encode(tx.serialized())
    }
}
