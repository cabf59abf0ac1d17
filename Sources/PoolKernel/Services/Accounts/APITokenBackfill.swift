/// dcrstakepool's start-up migration step 6 (webapp spec §2.3): every user whose email is verified
/// (`EmailVerified > 0`, grandfathered accounts included) and who has no API token (`APIToken = ''`) gets one.
///
/// It needs the API secret and base URL, so it runs in the web app after `StorageBackend.migrate()` (on every
/// start, like the original), not inside the storage migrations. Idempotent: a token is only written while the
/// row still has none (checked inside the write transaction), so existing tokens are never touched and running
/// it again changes nothing.
public enum APITokenBackfill {
    /// What one run did.
    public struct Result: Sendable, Equatable {
        /// Users that got a new token.
        public var issued: Int
        /// Users whose update failed (logged; they get a token on a later start or on the settings page).
        public var failed: Int
        public init(issued: Int = 0, failed: Int = 0) {
            self.issued = issued
            self.failed = failed
        }
    }

    /// Issues tokens to verified users without one. Throws only when the users cannot be read (the original logs
    /// `Select verified users failed` and skips the rest); a failed update is logged and the run goes on.
    /// `pageSize` users are read per transaction.
    @discardableResult
    public static func run(storage: any StorageBackend, signer: APITokenSigner, logger: Logger,
                           pageSize: Int = 1_000) async throws -> Result {
        let pageSize = max(1, pageSize)
        var result = Result()
        var after = UserId(0)
        while true {
            let start = after
            let page = try await storage.read { try $0.users(afterId: start, limit: pageSize) }
            guard let last = page.last else { break }
            after = last.id
            for user in page where user.apiToken.isEmpty && user.emailVerified.isVerified {
                // A closed account's token was revoked on purpose.
                if try await storage.read({ try $0.closedAccount(userId: user.id) }) != nil { continue }
                let token = signer.issue(for: user.id)
                do {
                    let updated = try await storage.updateUser(id: user.id) { row in
                        if row.apiToken.isEmpty && row.emailVerified.isVerified { row.apiToken = token }
                    }
                    if updated.apiToken == token { result.issued += 1 }
                } catch {
                    result.failed += 1
                    logger.error("Unable to set API Token for UserId \(user.id): \(error)")
                }
            }
            if page.count < pageSize { break }
        }
        if result.issued > 0 { logger.info("issued API tokens to \(result.issued) verified user(s) without one") }
        return result
    }
}
