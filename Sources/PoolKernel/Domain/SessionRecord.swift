import Foundation

/// A server-side web session (our addition; dcrstakepool kept sessions in signed cookies).
///
/// The store never interprets `id` or `payload`: the web layer should use a hash of the cookie secret as `id`
/// (so a database leak does not leak live cookies) and its own encoding for `payload` (CSRF token, flashes).
public struct SessionRecord: Hashable, Sendable {
    /// Opaque unique key, 1…128 characters.
    public var id: String
    /// The signed-in user, nil for an anonymous session.
    public var userId: UserId?
    /// Opaque bytes, at most `StorageLimits.sessionPayloadBytes`.
    public var payload: Data
    /// Unix seconds.
    public var createdAt: Int64
    /// Unix seconds of the last request.
    public var lastSeenAt: Int64
    /// Unix seconds; the session is gone for readers once `expiresAt <= now` is purged.
    public var expiresAt: Int64

    public init(id: String, userId: UserId?, payload: Data = Data(), createdAt: Int64, lastSeenAt: Int64? = nil,
                expiresAt: Int64) {
        self.id = id
        self.userId = userId
        self.payload = payload
        self.createdAt = createdAt
        self.lastSeenAt = lastSeenAt ?? createdAt
        self.expiresAt = expiresAt
    }

    public func isExpired(now: Int64) -> Bool { expiresAt <= now }
}
