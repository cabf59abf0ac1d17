import HostKit
import PoolKernel

/// `poolctl tickets vsp <hash>`: what the database holds of a ticket registered through the vspd API v3 (issue 24
/// item 4): its fee quote and payment, confirmation, outcome, preferences, alternate signing address and vote
/// changes. The voting key itself is never printed, only whether the VSP holds it.
enum VspTicketCommand {
    static func run(_ arguments: [String], storage: any StorageBackend, output: HostOutput) async -> Int32 {
        guard arguments.count == 1, let hash = arguments.first else {
            output.err("poolctl: usage: poolctl tickets vsp <ticket hash>")
            return ExitCode.usage
        }
        // Stored hashes are dcrd's lowercase display form and compared exactly.
        guard hash.utf8.count == 64, hash.utf8.allSatisfy({ Array("0123456789abcdef".utf8).contains($0) }) else {
            output.err("poolctl: \(hash) is not a ticket hash (64 lowercase hexadecimal digits)")
            return ExitCode.usage
        }
        let found: (VspTicket, VspAltSignAddress?, [VspVoteChange])?
        do {
            found = try await storage.read { reader in
                try reader.vspTicket(hash: hash).map { ($0, try reader.vspAltSignAddress(ticketHash: hash), try reader.vspVoteChanges(ticketHash: hash)) }
            }
        } catch {
            output.err("poolctl: \(ConfigLoader.describe(error))")
            return ExitCode.failure
        }
        guard let (ticket, alternate, changes) = found else {
            output.err("poolctl: no vspd ticket \(hash) in the database")
            return ExitCode.failure
        }
        for line in lines(ticket, alternate: alternate, changes: changes) { output.out(line) }
        return ExitCode.ok
    }

    static func lines(_ ticket: VspTicket, alternate: VspAltSignAddress?, changes: [VspVoteChange]) -> [String] {
        func map(_ values: [String: String]) -> String {
            values.isEmpty ? "-" : values.keys.sorted().map { "\($0)=\(values[$0]!)" }.joined(separator: ", ")
        }
        return [
            "ticket            \(ticket.hash)",
            "fee status        \(ticket.feeTxStatus.rawValue)",
            "fee transaction   \(ticket.feeTxHash.isEmpty ? "-" : ticket.feeTxHash)",
            "fee               \(ticket.feeAmount) atoms to \(ticket.feeAddress) (xpub \(ticket.feeAddressXPubID), index \(ticket.feeAddressIndex)); quote valid until \(ticket.feeExpiration)",
            "confirmed         \(ticket.confirmed ? "yes, purchase height \(ticket.purchaseHeight)" : "no")",
            "outcome           \(ticket.outcome == .none ? "-" : ticket.outcome.rawValue)",
            "commitment        \(ticket.commitmentAddress)",
            "alternate address \(alternate?.address ?? "-")",
            "voting key        \(ticket.votingWIF.isEmpty ? "not received" : "held")",
            "vote choices      \(map(ticket.voteChoices))",
            "tspend policy     \(map(ticket.tSpendPolicy))",
            "treasury policy   \(map(ticket.treasuryPolicy))",
            "vote changes      \(changes.count)\(changes.last.map { ", the latest with timestamp \($0.timestamp)" } ?? "")",
        ]
    }
}
