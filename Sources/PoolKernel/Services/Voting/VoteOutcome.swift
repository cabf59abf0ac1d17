import Foundation

/// What happened to one vote attempt (after the retry, if any).
public enum VoteOutcome: Sendable, Equatable {
    /// The node accepted the vote; its txid.
    case cast(txid: String)
    /// The node already had this vote (another cluster sent it first); the txid when the error named it.
    case duplicate(txid: String?)
    /// The wallet or node failed (message without secrets), or the wallet returned an empty vote.
    case failed(String)
    /// No answer before the block's deadline.
    case deadline

    /// Whether a vote for the ticket is on the wire (ours or a sibling's).
    public var isOnTheWire: Bool {
        switch self {
        case .cast, .duplicate: true
        case .failed, .deadline: false
        }
    }

    /// dcrd's "already have transaction" rejection, anywhere in the message (stakepoold.md §6.4: the v1.1.1
    /// prefix test never matched contemporary dcrd, so this improved port looks for the phrase itself).
    public static func isDuplicateError(_ message: String) -> Bool {
        message.range(of: "already have transaction", options: .caseInsensitive) != nil
    }

    /// The txid after "already have transaction " in a duplicate error, if it looks like a hash.
    public static func duplicateTxid(in message: String) -> String? {
        guard let range = message.range(of: "already have transaction ", options: .caseInsensitive) else { return nil }
        let candidate = message[range.upperBound...].prefix(64)
        return TicketHash(hex: String(candidate)) != nil ? String(candidate) : nil
    }
}

extension VoteAuditRecord.Result {
    /// The node already had the vote (sent by a sibling cluster): not a failure.
    public static let duplicate = VoteAuditRecord.Result(rawValue: "duplicate")
    /// No answer before the block's deadline.
    public static let deadline = VoteAuditRecord.Result(rawValue: "deadline")
}
