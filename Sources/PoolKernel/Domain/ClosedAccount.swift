/// An account its owner closed (issue 21 item 6). The user row stays — stakepoold keeps voting the
/// owner's live tickets with the last preferences — but sign-in and the API token end at closing, and the email
/// address is erased (`emailErased`) once no ticket of the account can still vote.
public struct ClosedAccount: Hashable, Sendable {
    public var userId: UserId
    /// The chain height (wallet pool's best block) when the account was closed.
    public var closedHeight: Int64
    /// Unix seconds of the closing.
    public var closedAt: Int64
    /// True once the email address was replaced by a placeholder.
    public var emailErased: Bool

    public init(userId: UserId, closedHeight: Int64, closedAt: Int64, emailErased: Bool = false) {
        self.userId = userId
        self.closedHeight = closedHeight
        self.closedAt = closedAt
        self.emailErased = emailErased
    }
}
