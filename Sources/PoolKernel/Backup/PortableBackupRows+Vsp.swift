import Foundation

/// The vspd per-ticket tables in the portable backup. Maps are JSON text as the SQL columns
/// hold them; request and response bodies are base64.
extension PortableBackupRows {
    static let vspTableNames: Set<String> = ["VspTickets", "VspVoteChanges", "VspAltSignAddresses", "VspFeeXPubs"]

    static func forEachVspRow(of snapshot: StorageSnapshot, _ emit: ([String: Any]) throws -> Void) rethrows {
        for ticket in snapshot.vspTickets {
            try emit(["table": "VspTickets", "TicketHash": ticket.hash, "PurchaseHeight": ticket.purchaseHeight,
                      "CommitmentAddress": ticket.commitmentAddress, "FeeAddressXPubId": ticket.feeAddressXPubID,
                      "FeeAddressIndex": Int64(ticket.feeAddressIndex), "FeeAddress": ticket.feeAddress,
                      "FeeAmount": ticket.feeAmount, "FeeExpiration": ticket.feeExpiration,
                      "Confirmed": ticket.confirmed ? 1 : 0, "VotingWIF": ticket.votingWIF,
                      "VoteChoices": VspVotePreferences.encode(ticket.voteChoices),
                      "TSpendPolicy": VspVotePreferences.encode(ticket.tSpendPolicy),
                      "TreasuryPolicy": VspVotePreferences.encode(ticket.treasuryPolicy), "FeeTxHex": ticket.feeTxHex,
                      "FeeTxHash": ticket.feeTxHash, "FeeTxStatus": ticket.feeTxStatus.rawValue,
                      "Outcome": ticket.outcome.rawValue])
        }
        for change in snapshot.vspVoteChanges {
            try emit(["table": "VspVoteChanges", "TicketHash": change.ticketHash, "Seq": Int64(change.sequence),
                      "Timestamp": change.timestamp, "Request": change.request.base64EncodedString(),
                      "RequestSignature": change.requestSignature, "Response": change.response.base64EncodedString(),
                      "ResponseSignature": change.responseSignature])
        }
        for record in snapshot.vspAltSignAddresses {
            try emit(["table": "VspAltSignAddresses", "TicketHash": record.ticketHash, "Address": record.address,
                      "Request": record.request.base64EncodedString(), "RequestSignature": record.requestSignature,
                      "Response": record.response.base64EncodedString(), "ResponseSignature": record.responseSignature])
        }
        for xpub in snapshot.vspFeeXPubs {
            try emit(["table": "VspFeeXPubs", "XPubId": xpub.id, "XPubKey": xpub.key,
                      "LastUsedIndex": Int64(xpub.lastUsedIndex), "Retired": xpub.retired])
        }
    }

    static func addVsp(_ row: Row, to snapshot: inout StorageSnapshot) throws {
        func bytes(_ column: String) throws -> Data {
            guard let data = Data(base64Encoded: try row.text(column)) else {
                throw Problem(text: "\(row.table).\(column) is not base64")
            }
            return data
        }
        func map(_ column: String) throws -> [String: String] {
            guard let map = VspVotePreferences.decode(try row.text(column)) else {
                throw Problem(text: "\(row.table).\(column) is not a JSON object of strings")
            }
            return map
        }
        switch row.table {
        case "VspTickets":
            guard let status = VspFeeTxStatus(rawValue: try row.text("FeeTxStatus")) else {
                throw Problem(text: "VspTickets.FeeTxStatus is not none, received, broadcast, confirmed or error")
            }
            guard let outcome = VspTicketOutcome(rawValue: try row.text("Outcome")) else {
                throw Problem(text: "VspTickets.Outcome is not \"\", voted, missed, expired or revoked")
            }
            snapshot.vspTickets.append(VspTicket(
                hash: try row.text("TicketHash"), purchaseHeight: try row.int("PurchaseHeight"),
                commitmentAddress: try row.text("CommitmentAddress"), feeAddressXPubID: try row.int("FeeAddressXPubId"),
                feeAddressIndex: UInt32(try row.int("FeeAddressIndex", in: 0...Int64(UInt32.max))),
                feeAddress: try row.text("FeeAddress"), feeAmount: try row.int("FeeAmount"),
                feeExpiration: try row.int("FeeExpiration"), confirmed: try row.int("Confirmed", in: 0...1) == 1,
                votingWIF: try row.text("VotingWIF"), voteChoices: try map("VoteChoices"),
                tSpendPolicy: try map("TSpendPolicy"), treasuryPolicy: try map("TreasuryPolicy"),
                feeTxHex: try row.text("FeeTxHex"), feeTxHash: try row.text("FeeTxHash"), feeTxStatus: status,
                outcome: outcome))
        case "VspVoteChanges":
            snapshot.vspVoteChanges.append(VspVoteChange(
                ticketHash: try row.text("TicketHash"), sequence: UInt32(try row.int("Seq", in: 0...Int64(UInt32.max))),
                timestamp: try row.int("Timestamp"), request: try bytes("Request"),
                requestSignature: try row.text("RequestSignature"), response: try bytes("Response"),
                responseSignature: try row.text("ResponseSignature")))
        case "VspAltSignAddresses":
            snapshot.vspAltSignAddresses.append(VspAltSignAddress(
                ticketHash: try row.text("TicketHash"), address: try row.text("Address"), request: try bytes("Request"),
                requestSignature: try row.text("RequestSignature"), response: try bytes("Response"),
                responseSignature: try row.text("ResponseSignature")))
        default:
            snapshot.vspFeeXPubs.append(VspFeeXPub(
                id: try row.int("XPubId"), key: try row.text("XPubKey"),
                lastUsedIndex: UInt32(try row.int("LastUsedIndex", in: 0...Int64(UInt32.max))),
                retired: try row.int("Retired")))
        }
    }
}
