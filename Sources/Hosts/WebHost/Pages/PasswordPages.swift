import PoolKernel

/// Password reset request and the reset link's form (spec §3.12–§3.15).
extension Pages {
    func passwordReset(_ context: inout PageContext) async -> PageOutcome {
        var data: [String: TemplateValue] = [
            "FlashError": Self.list(context.session.takeFlashes("passwordresetError")),
            "FlashSuccess": Self.list(context.session.takeFlashes("passwordresetSuccess")),
            "SMTPDisabled": .bool(configuration.smtpDisabled),
            "Email": .string(Self.keptText(context.form["email"])),
        ]
        data.merge(await captchaData(&context)) { _, new in new }
        return .page(template: "passwordreset", title: "Decred Stake Pool - Password Reset", flag: "IsPasswordReset",
                     data: data)
    }

    func passwordResetPost(_ context: inout PageContext) async -> PageOutcome {
        let passed = await captchaPassed(&context)
        let messages = await accounts.requestPasswordReset(email: context.form["email"] ?? "", captchaPassed: passed,
                                                           captchaProblem: captcha.failureMessage, ip: context.ip)
        context.session.flash("passwordresetError", messages.errors)
        context.session.flash("passwordresetSuccess", messages.successes)
        return await passwordReset(&context)
    }

    /// The reset link's form. A password the policy refuses keeps the form (with its token) on the page; a
    /// missing, unknown or expired token replaces it with a way to ask for a new link.
    func passwordUpdate(_ context: inout PageContext) async -> PageOutcome {
        var errors = context.session.takeFlashes("passwordupdateError")
        let successes = context.session.takeFlashes("passwordupdateSuccess")
        let tokenErrors = successes.isEmpty ? await accounts.checkPasswordResetToken(context.token).errors : []
        errors += tokenErrors
        return .page(template: "passwordupdate", title: "Decred Stake Pool - Password Update", flag: "IsPasswordUpdate",
                     data: ["FlashError": Self.list(errors), "FlashSuccess": Self.list(successes),
                            "TokenProblem": .bool(!tokenErrors.isEmpty), "Token": .string(context.token),
                            "MinPasswordLength": .int(Int64(configuration.minPasswordLength))])
    }

    /// Token errors are shown once (v1.1.1 showed them twice); a success signs the user out everywhere.
    func passwordUpdatePost(_ context: inout PageContext) async -> PageOutcome {
        let messages = await accounts.resetPassword(token: context.token, password: context.form["password"] ?? "",
                                                    passwordRepeat: context.form["passwordrepeat"] ?? "")
        let tokenProblem = await accounts.checkPasswordResetToken(context.token).errors
        if messages.succeeded {
            if context.session.userId != nil {
                context.session.rotate(now: context.now)
                context.session.setUser(nil)
                context.user = nil
            }
            context.session.flash("passwordupdateSuccess", messages.successes)
        } else if messages.errors != tokenProblem {
            context.session.flash("passwordupdateError", messages.errors)
        }
        return await passwordUpdate(&context)
    }
}
