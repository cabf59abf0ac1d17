/// What happened to one winning ticket: which bits were chosen, by which policy and why, and the outcome.
/// Appended by the Voting service; never updated.
public struct VoteAuditRecord: Hashable, Sendable {
    /// The outcome of a vote attempt.
    public struct Result: RawRepresentable, Hashable, Sendable, CustomStringConvertible {
        public let rawValue: String
        public init(rawValue: String) { self.rawValue = rawValue }
        public static let voted = Result(rawValue: "voted")
        public static let failed = Result(rawValue: "failed")
        public static let skipped = Result(rawValue: "skipped")
        public var description: String { rawValue }
    }

    /// Assigned by the backend on append (ignored by `appendVoteAudit`).
    public var id: Int64
    /// Ticket hash, hex (64 chars).
    public var ticketHash: String
    /// The block the ticket votes on.
    public var blockHeight: Int64
    public var blockHash: String
    /// The owning user if known.
    public var userId: UserId?
    public var voteBits: UInt16
    /// Name of the VotePolicy plugin that chose the bits.
    public var policyName: String
    /// The policy's reason, for operators.
    public var reason: String
    public var result: Result
    /// Error or extra detail (no secrets), `""` if none.
    public var detail: String
    /// Unix milliseconds when the winning-ticket notification arrived.
    public var receivedAtMillis: Int64
    /// Microseconds the policy took to decide.
    public var decisionMicros: Int64
    /// Microseconds from notification to the last wallet's answer.
    public var totalMicros: Int64

    public init(id: Int64 = 0, ticketHash: String, blockHeight: Int64, blockHash: String, userId: UserId? = nil,
                voteBits: UInt16, policyName: String, reason: String, result: Result, detail: String = "",
                receivedAtMillis: Int64, decisionMicros: Int64, totalMicros: Int64) {
        self.id = id
        self.ticketHash = ticketHash
        self.blockHeight = blockHeight
        self.blockHash = blockHash
        self.userId = userId
        self.voteBits = voteBits
        self.policyName = policyName
        self.reason = reason
        self.result = result
        self.detail = detail
        self.receivedAtMillis = receivedAtMillis
        self.decisionMicros = decisionMicros
        self.totalMicros = totalMicros
    }
}
