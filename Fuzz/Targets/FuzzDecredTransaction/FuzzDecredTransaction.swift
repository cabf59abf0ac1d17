// libFuzzer target: Decred wire transactions and tickets (PoolKernel/Chain: DecredTransaction, DecredTicket),
// what vspd's feeaddress/payfee read from a wallet's ticket and fee hex.
// Input: the raw bytes of a transaction (any serialization type; trailing bytes allowed, as dcrd allows them).
// Checks: errors are ChainError with code bad-transaction (not-a-ticket for ticket recognition); a decoded
// transaction re-serializes to exactly the bytes it was read from and decodes again to itself; its hashes
// are computable; a recognized ticket's commitment address exists on every bundled network.
@testable import PoolKernel

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzDecredTransaction(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    let bytes = Array(UnsafeBufferPointer(start: data, count: size))
    let decoded: (transaction: DecredTransaction, length: Int)
    do {
        decoded = try DecredTransaction.decode(bytes)
    } catch {
        precondition((error as? ChainError)?.code == .badTransaction, "threw \(type(of: error)): \(error)")
        return 0
    }
    let tx = decoded.transaction
    precondition(decoded.length <= bytes.count, "consumed more than given")
    let again = tx.serialized()
    precondition(again == Array(bytes.prefix(decoded.length)), "serialize(decode(x)) != x")
    precondition((try? DecredTransaction(bytes: again)) == tx, "decode(serialize(tx)) != tx")
    precondition(tx.txid.utf8.count == 64 && tx.fullHash.count == 32, "hash shapes")
    do {
        let ticket = try DecredTicket(tx)
        precondition(tx.outputs.count == 3 && tx.inputs.count == 1, "ticket shape")
        for network in NetParams.allBuiltIn {
            precondition((try? ticket.commitmentAddress(network: network)) != nil, "commitment without an address")
        }
    } catch {
        precondition((error as? ChainError)?.code == .notATicket, "ticket threw \(type(of: error)): \(error)")
    }
    return 0
}
