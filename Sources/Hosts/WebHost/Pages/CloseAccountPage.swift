import PoolKernel

/// Closing an account from /settings (issue 21 item 6): password and CSRF required; the browser is
/// signed out like /logout and shown what happens next (`/accountclosed`).
extension Pages {
    func closeAccountPost(_ context: inout PageContext) async -> PageOutcome {
        guard let id = context.user?.id else { return .redirect("/signin") }
        let height: Int64
        do {
            height = try await tickets.bestBlockHeight()
        } catch {
            logger.error("closing an account: getbestblock failed: \(error)")
            context.session.flash("settingsError", ["The pool cannot read the chain height right now, so your account was not closed. Please try again later."])
            return await settings(&context)
        }
        let messages = await accounts.closeAccount(userId: id, password: context.form["password"] ?? "", height: height,
                                                     ip: context.ip)
        guard messages.errors.isEmpty else {
            context.session.flash("settingsError", messages.errors)
            return await settings(&context)
        }
        await sessions.destroy(context.session)
        context.session = WebSession(cookieID: SessionCookie.newID(), userId: nil, data: SessionData(),
                                     createdAt: context.now, lastSeenAt: context.now, isNew: true)
        context.user = nil
        var response = HTTPResponse.redirect(to: "/accountclosed")
        response.headers.add("Set-Cookie", sessions.expiredCookieHeader())
        return .response(response)
    }

    /// What a closed account means, shown after closing (a plain information page for anyone).
    func accountClosed(_ context: inout PageContext) async -> PageOutcome {
        .page(template: "accountclosed", title: "Decred Stake Pool - Account Closed", flag: "IsAccountClosed", data: [:])
    }
}
