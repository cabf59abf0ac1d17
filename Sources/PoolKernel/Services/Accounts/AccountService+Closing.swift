/// Closing an account from the settings page (issue 21 item 6).
///
/// The user row stays with its voting columns (multisig address, script, vote bits), so stakepoold keeps voting
/// the owner's live tickets with the last preferences. What ends at once, in one transaction: the password (no
/// sign-in, no reset), the API token (the API compares the stored token), every session, every pending reset
/// link (a pending email-change link is refused when used). The owner is mailed a confirmation (`account-closed`),
/// queued in the same transaction. The email address stays until `ClosedAccountEraser` erases it, once no ticket can still vote.
extension AccountService {
    /// Closes the account of `userId` after checking `password`. `height` is the chain height now (the wallet
    /// pool's best block), the start of the wait before the email is erased.
    public func closeAccount(userId: UserId, password: String, height: Int64, ip: String) async -> AccountMessages {
        guard let user = try? await storage.user(id: userId),
              password.utf8.count <= Self.maxPasswordBytes,
              await hasher.verifyOrDummy(password, hash: user.passwordHash) else {
            return .error(Self.passwordNotValid)
        }
        let closing = ClosedAccount(userId: userId, closedHeight: height, closedAt: now())
        let confirmation = renderer.render(.accountClosed(ip: ip), to: user.email)
        do {
            let closedNow = try await storage.write { tx -> Bool in
                if try tx.closedAccount(userId: userId) != nil { return false }
                guard var row = try tx.userForUpdate(id: userId) else { throw StorageError(.notFound, "no user \(userId)") }
                row.passwordHash = ""
                row.apiToken = ""
                row.emailToken = ""
                try tx.updateUser(row)
                try tx.insertClosedAccount(closing)
                try tx.deleteSessions(userId: userId)
                try tx.deletePasswordResets(userId: userId)
                var mail = OutboxMessage(queuing: confirmation)
                mail.to = row.email
                _ = try tx.enqueueMail(mail)
                return true
            }
            if closedNow { wakeOutbox() }
            logger.info("user \(userId) closed their account at height \(height)")
            return .success("Your account is closed")
        } catch {
            logger.error("closing the account of user \(userId) failed: \(error)")
            return .error("Unable to close the account; nothing was changed. Please try again later.")
        }
    }
}
