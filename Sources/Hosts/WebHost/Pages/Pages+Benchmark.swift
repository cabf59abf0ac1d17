import PoolKernel

extension Pages {
    /// Stores a signed-in session for `userId` and returns its cookie value (benchmarks and tools only).
    public func benchmarkSession(for userId: UserId) async throws -> String {
        let now = clock()
        var session = WebSession(cookieID: SessionCookie.newID(), userId: nil, data: SessionData(), createdAt: now,
                                 lastSeenAt: now, isNew: true)
        session.setUser(userId)
        guard await sessions.save(session, now: now) != nil else { throw WebError(.serverState, "session not stored") }
        return sessions.cookie.value(for: session.cookieID)
    }
}
