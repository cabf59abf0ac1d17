import Foundation
import HostKit
import PoolKernel

/// `poolctl vsp ticket <hash>`: one ticket registered through the vspd API v3, as storage holds it — its fee
/// quote and payment, confirmation, outcome, vote preferences, alternate signing address and the accepted vote
/// changes. The voting key is a secret: only whether the pool holds it is shown.
public enum VspTicketCommand {
    public static let usage = "vsp ticket <64-hex ticket hash>"

    /// Prints the ticket and returns the exit code: 0 found, 1 unknown ticket (a sentence), 2 usage, 7 database.
    public static func run(_ arguments: [String], storage: any StorageBackend, output: HostOutput) async -> Int32 {
        guard arguments.count == 2, arguments[0] == "ticket", let hash = TicketHash(hex: arguments[1]) else {
            output.err("poolctl: usage: poolctl \(usage)")
            return ExitCode.usage
        }
        do {
            let (ticket, alternate, changes) = try await storage.read { reader in
                (try reader.vspTicket(hash: hash.hex), try reader.vspAltSignAddress(ticketHash: hash.hex),
                 try reader.vspVoteChanges(ticketHash: hash.hex))
            }
            guard let ticket else {
                output.err("poolctl: no ticket \(hash.hex) was registered through the vspd API")
                return ExitCode.failure
            }
            for line in describe(ticket, alternate: alternate, changes: changes) { output.out(line) }
            return ExitCode.ok
        } catch {
            output.err("poolctl: \(ConfigLoader.describe(error))")
            return ExitCode.database
        }
    }

    /// `name: value` lines, in the order an operator reads a ticket's life.
    static func describe(_ ticket: VspTicket, alternate: VspAltSignAddress?, changes: [VspVoteChange]) -> [String] {
        func map(_ values: [String: String]) -> String {
            values.isEmpty ? "-" : values.keys.sorted().map { "\($0)=\(values[$0]!)" }.joined(separator: ",")
        }
        func time(_ seconds: Int64) -> String {
            ISO8601DateFormatter().string(from: Date(timeIntervalSince1970: TimeInterval(seconds)))
        }
        return [
            "ticket: \(ticket.hash)",
            "commitmentaddress: \(ticket.commitmentAddress)",
            "confirmed: \(ticket.confirmed)",
            "purchaseheight: \(ticket.purchaseHeight)",
            "feeaddress: \(ticket.feeAddress) (xpub \(ticket.feeAddressXPubID), index \(ticket.feeAddressIndex))",
            "feeamount: \(ticket.feeAmount) atoms",
            "feeexpiration: \(time(ticket.feeExpiration))",
            "feetxstatus: \(ticket.feeTxStatus.rawValue)",
            "feetxhash: \(ticket.feeTxHash.isEmpty ? "-" : ticket.feeTxHash)",
            "votingkey: \(ticket.votingWIF.isEmpty ? "not received" : "held")",
            "outcome: \(ticket.outcome.rawValue.isEmpty ? "-" : ticket.outcome.rawValue)",
            "votechoices: \(map(ticket.voteChoices))",
            "tspendpolicy: \(map(ticket.tSpendPolicy))",
            "treasurypolicy: \(map(ticket.treasuryPolicy))",
            "altsignaddress: \(alternate?.address ?? "-")",
        ] + changes.map { "votechange \($0.sequence): timestamp \($0.timestamp) (\(time($0.timestamp)))" }
    }
}
