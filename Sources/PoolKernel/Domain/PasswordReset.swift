/// One row of the dcrstakepool `PasswordReset` table: a password-reset token for a user.
public struct PasswordReset: Hashable, Sendable {
    /// `PasswordResetID`, assigned by the backend on insert.
    public var id: Int64
    public var userId: UserId
    /// 32 hex chars.
    public var token: String
    /// Unix seconds.
    public var created: Int64
    /// Unix seconds (created + 3600 in the original).
    public var expires: Int64

    public init(id: Int64 = 0, userId: UserId, token: String, created: Int64, expires: Int64) {
        self.id = id
        self.userId = userId
        self.token = token
        self.created = created
        self.expires = expires
    }

    /// Expired when `expires - now <= 0`, as in the original.
    public func isExpired(now: Int64) -> Bool { expires - now <= 0 }
}
