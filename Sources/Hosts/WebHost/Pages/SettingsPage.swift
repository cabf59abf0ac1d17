import PoolKernel

/// Settings: API token (shown, regenerated), email change, password change (spec §3.16–§3.17).
extension Pages {
    func settings(_ context: inout PageContext) async -> PageOutcome {
        guard let id = context.user?.id else { return .redirect("/") }
        let (user, messages) = await accounts.userEnsuringAPIToken(id)
        if let user { context.user = user }
        context.session.flash("settingsError", messages.errors)
        var data: [String: TemplateValue] = [
            "APIToken": .string(context.user?.apiToken ?? ""),
            "FlashError": Self.list(context.session.takeFlashes("settingsError")),
            "FlashSuccess": Self.list(context.session.takeFlashes("settingsSuccess")),
            "ShowInstructions": .bool(context.user?.multiSigAddress.isEmpty ?? true),
            "SMTPDisabled": .bool(configuration.smtpDisabled),
            "MinPasswordLength": .int(Int64(configuration.minPasswordLength)),
            "NewEmail": .string(context.form["updateEmail"] == "true" ? Self.keptText(context.form["email"]) : ""),
        ]
        data.merge(await captchaData(&context)) { _, new in new }
        return .page(template: "settings", title: "Decred Stake Pool - Settings", flag: "IsSettings", data: data)
    }

    func settingsPost(_ context: inout PageContext) async -> PageOutcome {
        guard let id = context.user?.id else { return .redirect("/") }
        if context.form["closeAccount"] == "true" { return await closeAccountPost(&context) }
        let form = AccountService.SettingsForm(
            password: context.form["password"] ?? "", updateEmail: context.form["updateEmail"] == "true",
            updatePassword: context.form["updatePassword"] == "true",
            regenerateToken: context.form["regenerateToken"] == "true", email: context.form["email"] ?? "",
            newPassword: context.form["newpassword"] ?? "", newPasswordRepeat: context.form["newpasswordrepeat"] ?? "")
        // Only the email form carries a captcha; checking it consumes the challenge.
        let passed = form.updateEmail ? await captchaPassed(&context) : true
        let (messages, endedSessions) = await accounts.updateSettings(userId: id, form: form, captchaPassed: passed,
                                                                      captchaProblem: captcha.failureMessage,
                                                                      ip: context.ip)
        if endedSessions {
            // Every session of the user is gone; this browser continues in a fresh one.
            context.session.rotate(now: context.now)
            context.session.setUser(id)
        }
        context.session.flash("settingsError", messages.errors)
        context.session.flash("settingsSuccess", messages.successes)
        return await settings(&context)
    }
}
