import PoolKernel

/// Password reset request and the reset link's form (spec §3.12–§3.15).
extension Pages {
    func passwordReset(_ context: inout PageContext) async -> PageOutcome {
        var data: [String: TemplateValue] = [
            "FlashError": Self.list(context.session.takeFlashes("passwordresetError")),
            "FlashSuccess": Self.list(context.session.takeFlashes("passwordresetSuccess")),
            "SMTPDisabled": .bool(configuration.smtpDisabled),
        ]
        data.merge(await captchaData(&context)) { _, new in new }
        return .page(template: "passwordreset", title: "Decred Stake Pool - Password Reset", flag: "IsPasswordReset",
                     data: data)
    }

    func passwordResetPost(_ context: inout PageContext) async -> PageOutcome {
        let passed = await captchaPassed(&context)
        let messages = await accounts.requestPasswordReset(email: context.form["email"] ?? "", captchaPassed: passed,
                                                           ip: context.ip)
        context.session.flash("passwordresetError", messages.errors)
        context.session.flash("passwordresetSuccess", messages.successes)
        return await passwordReset(&context)
    }

    func passwordUpdate(_ context: inout PageContext) async -> PageOutcome {
        var errors = context.session.takeFlashes("passwordupdateError")
        let successes = context.session.takeFlashes("passwordupdateSuccess")
        if successes.isEmpty { errors += await accounts.checkPasswordResetToken(context.token).errors }
        return .page(template: "passwordupdate", title: "Decred Stake Pool - Password Update", flag: "IsPasswordUpdate",
                     data: ["FlashError": Self.list(errors), "FlashSuccess": Self.list(successes),
                            "Token": .string(context.token)])
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
