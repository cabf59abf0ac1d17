/// A mail waiting in (or done with) the outbox. It is written in the same transaction as the change that caused
/// it (e.g. the new user), then delivered by the Outbox service, retried until delivered or failed for good.
public struct OutboxMessage: Hashable, Sendable {
    /// Where a message is in its life.
    public struct Status: RawRepresentable, Hashable, Sendable, CustomStringConvertible {
        public let rawValue: String
        public init(rawValue: String) { self.rawValue = rawValue }
        /// Waiting for `nextAttemptAt`.
        public static let queued = Status(rawValue: "queued")
        /// Claimed by a sender until `nextAttemptAt` (the lease); due again after that if the sender died.
        public static let sending = Status(rawValue: "sending")
        /// Accepted by the mail transport; final.
        public static let delivered = Status(rawValue: "delivered")
        /// Given up (permanent error); final.
        public static let failed = Status(rawValue: "failed")
        public var description: String { rawValue }
    }

    /// Assigned by the backend on enqueue (ignored by `enqueueMail`).
    public var id: Int64
    /// One recipient address.
    public var to: String
    public var subject: String
    public var body: String
    /// Unique per message (e.g. `<random@host>`), so a retried delivery can be recognised; duplicates rejected.
    public var messageID: String
    public var status: Status
    /// Delivery attempts started so far (incremented by each claim).
    public var attempts: Int
    /// Unix seconds: when a queued message becomes due, or when a sending lease ends.
    public var nextAttemptAt: Int64
    /// Last delivery error (no secrets), `""` if none.
    public var lastError: String
    /// Unix seconds.
    public var createdAt: Int64

    public init(id: Int64 = 0, to: String, subject: String, body: String, messageID: String,
                status: Status = .queued, attempts: Int = 0, nextAttemptAt: Int64, lastError: String = "",
                createdAt: Int64) {
        self.id = id
        self.to = to
        self.subject = subject
        self.body = body
        self.messageID = messageID
        self.status = status
        self.attempts = attempts
        self.nextAttemptAt = nextAttemptAt
        self.lastError = lastError
        self.createdAt = createdAt
    }
}
