import PoolKernel

extension Pages {
    /// The user signed in on a request's session cookie, or nil (no or forged cookie, expired session,
    /// deleted user). Read-only: the session is neither created nor touched. The admin gate uses it
    /// (`AdminGuard(currentUser: pages.signedInUser)`).
    public var signedInUser: AdminGuard.CurrentUser {
        let pages = self
        return { request in
            let session = await pages.sessions.load(request, now: pages.clock())
            guard let id = session.userId, let user = try? await pages.storage.user(id: id) else { return nil }
            return user.id
        }
    }
}
