/// One row of the dcrstakepool `EmailChange` table: a pending change of a user's email, confirmed by `token`.
public struct EmailChange: Hashable, Sendable {
    /// `EmailChangeID`, assigned by the backend on insert.
    public var id: Int64
    public var userId: UserId
    public var newEmail: String
    /// 32 hex chars.
    public var token: String
    /// Unix seconds.
    public var created: Int64
    /// Unix seconds (created + 3600 in the original).
    public var expires: Int64

    public init(id: Int64 = 0, userId: UserId, newEmail: String, token: String, created: Int64, expires: Int64) {
        self.id = id
        self.userId = userId
        self.newEmail = newEmail
        self.token = token
        self.created = created
        self.expires = expires
    }

    /// Expired when `expires - now <= 0`, as in the original.
    public func isExpired(now: Int64) -> Bool { expires - now <= 0 }
}
