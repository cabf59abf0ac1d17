import Foundation
import PoolKernel

/// Sign-in, sign-up, sign-out and the email verification link (spec §3.6–§3.10, §3.26).
extension Pages {
    func signIn(_ context: inout PageContext) async -> PageOutcome {
        let next = Self.returnPath(context.form["next"])
        return .page(template: "auth/signin", title: "Decred Stake Pool - Sign In", flag: "IsSignIn", data: [
            "Flash": Self.list(context.session.takeFlashes("auth")),
            "Next": .string(next ?? ""),
            "Email": .string(Self.keptText(context.form["email"])),
        ])
    }

    func signInPost(_ context: inout PageContext) async -> PageOutcome {
        let email = context.form["email"] ?? ""
        let result = await accounts.signIn(email: email, password: context.form["password"] ?? "", ip: context.ip)
        switch result {
        case .refused(let message), .rateLimited(let message):
            context.session.flash("auth", [message])
            return await signIn(&context)
        case .signedIn(let user):
            // A new session id at sign-in, so an id planted before sign-in is worth nothing after it.
            context.session.rotate(now: context.now)
            context.session.setUser(user.id)
            context.user = user
            if configuration.vspOnly != nil { return .redirect("/admin") }  // vsponly: operators only
            if let next = Self.returnPath(context.form["next"]) { return .redirect(next) }
            return .redirect(user.multiSigAddress.isEmpty ? "/settings" : "/tickets")
        }
    }

    func signUp(_ context: inout PageContext) async -> PageOutcome {
        var data: [String: TemplateValue] = [
            "FlashError": Self.list(context.session.takeFlashes("signupError")),
            "FlashSuccess": Self.list(context.session.takeFlashes("signupSuccess")),
            "SMTPDisabled": .bool(configuration.smtpDisabled),
            "MinPasswordLength": .int(Int64(configuration.minPasswordLength)),
            // A refused form keeps the email (never the passwords or the captcha answer).
            "Email": .string(Self.keptText(context.form["email"])),
        ]
        if configuration.closePool {
            data["IsClosed"] = true
            data["ClosePoolMsg"] = .string(configuration.closePoolMessage)
        }
        data.merge(await captchaData(&context)) { _, new in new }
        return .page(template: "auth/signup", title: "Decred Stake Pool - Sign Up", flag: "IsSignUp", data: data)
    }

    func signUpPost(_ context: inout PageContext) async -> PageOutcome {
        if configuration.closePool {
            logger.info("attempt to signup while registration disabled")
            return .redirect("/error?r=/signup")
        }
        let passed = await captchaPassed(&context)
        let messages = await accounts.signUp(email: context.form["email"] ?? "", password: context.form["password"] ?? "",
                                             passwordRepeat: context.form["passwordrepeat"] ?? "",
                                             captchaPassed: passed, captchaProblem: captcha.failureMessage,
                                             ip: context.ip)
        context.session.flash("signupError", messages.errors)
        context.session.flash("signupSuccess", messages.successes)
        return await signUp(&context)
    }

    /// GET /logout (old bookmarks, the navbar without a token): only offers the sign-out button. Signing out on
    /// a GET would let any site sign users out with an `<img>` (logout CSRF), so the session is left as it is.
    func logoutPage(_ context: inout PageContext) async -> PageOutcome {
        guard context.user != nil else { return .redirect("/") }
        return .page(template: "logout", title: "Decred Stake Pool - Sign Out", flag: "IsLogout", data: [:])
    }

    /// POST /logout with the session's CSRF token (checked in `serve`): ends the session everywhere it is
    /// stored and drops the cookie (v1.1.1 only cleared `UserId`, on a GET).
    func logout(_ context: inout PageContext) async -> PageOutcome {
        await sessions.destroy(context.session)
        context.session = WebSession(cookieID: SessionCookie.newID(), userId: nil, data: SessionData(),
                                     createdAt: context.now, lastSeenAt: context.now, isNew: true)
        context.user = nil
        var response = HTTPResponse.redirect(to: "/")
        response.headers.add("Set-Cookie", sessions.expiredCookieHeader())
        return .response(response)
    }

    func emailVerify(_ context: inout PageContext) async -> PageOutcome {
        let messages = await accounts.verifyEmail(token: context.token)
        return .page(template: "emailverify", title: "Decred Stake Pool - Email Verification", flag: "IsEmailVerify",
                     data: ["FlashError": Self.list(messages.errors), "FlashSuccess": Self.list(messages.successes),
                            "SMTPDisabled": .bool(configuration.smtpDisabled)])
    }

    /// The confirmation link of an email change: on success every session of the user ends and this browser
    /// is signed out (spec §3.11).
    func emailUpdate(_ context: inout PageContext) async -> PageOutcome {
        let (messages, changed) = await accounts.confirmEmailChange(token: context.token)
        if changed != nil {
            context.session.rotate(now: context.now)
            context.session.setUser(nil)
            context.user = nil
        }
        return .page(template: "emailupdate", title: "Decred Stake Pool - Email Update", flag: "IsEmailUpdate",
                     data: ["FlashError": Self.list(messages.errors), "FlashSuccess": Self.list(messages.successes),
                            "SignedIn": .bool(context.user != nil)])
    }

    // MARK: - Captcha

    /// Template values for the captcha widget; a built-in challenge is created in storage for this form.
    func captchaData(_ context: inout PageContext) async -> [String: TemplateValue] {
        switch captcha {
        case .builtIn:
            let challenge = BuiltInCaptcha.newChallenge(now: context.now)
            do {
                try await storage.write { try $0.insertCaptcha(challenge) }
            } catch {
                // The form still renders; its submission fails the captcha check.
                logger.error("could not store a captcha challenge: \(error)")
            }
            return ["CaptchaBuiltIn": true, "CaptchaField": .string(BuiltInCaptcha.fieldName),
                    "CaptchaIdField": .string(BuiltInCaptcha.idFieldName), "CaptchaId": .string(challenge.id),
                    "CaptchaImage": .string("/captcha.png?id=\(challenge.id)")]
        case .recaptcha(let siteKey, _):
            return ["RecaptchaSiteKey": .string(siteKey)]
        }
    }

    /// Checks the form's captcha. A built-in challenge is consumed whatever the answer (one try per challenge).
    func captchaPassed(_ context: inout PageContext) async -> Bool {
        switch captcha {
        case .builtIn:
            let id = context.form[BuiltInCaptcha.idFieldName] ?? ""
            guard BuiltInCaptcha.isWellFormedId(id) else { return false }
            let now = context.now
            do {
                let challenge = try await storage.write { try $0.consumeCaptcha(id: id, now: now) }
                return BuiltInCaptcha.matches(context.form[BuiltInCaptcha.fieldName], challenge)
            } catch {
                logger.error("could not check a captcha: \(error)")
                return false
            }
        case .recaptcha(_, let verify):
            let response = context.form["g-recaptcha-response"] ?? ""
            guard !response.isEmpty, response.utf8.count <= 4096 else { return false }
            return await verify(response)
        }
    }

    /// GET /captcha/new?id=…: the "New image" button. The old challenge (if any) is used up and a new one is
    /// drawn; answers `{"id":…,"image":…}` for the form's script, which swaps the image and hidden id in place,
    /// so nothing typed into the form is lost.
    func captchaRenew(_ context: inout PageContext) async -> PageOutcome {
        guard case .builtIn = captcha else { return .response(.plainError(.notFound)) }
        let old = context.request.queryItems["id"] ?? ""
        let now = context.now
        if BuiltInCaptcha.isWellFormedId(old) { _ = try? await storage.write { try $0.consumeCaptcha(id: old, now: now) } }
        let data = await captchaData(&context)
        guard case .string(let id)? = data["CaptchaId"], case .string(let image)? = data["CaptchaImage"] else {
            return .response(.plainError(.internalServerError))
        }
        var response = HTTPResponse(status: .ok, body: Array("{\"id\":\"\(id)\",\"image\":\"\(image)\"}\n".utf8))
        response.headers.set("Content-Type", "application/json")
        return .response(response)
    }

    /// A value typed into a refused form, shown again (bounded; the template escapes it).
    static func keptText(_ value: String?) -> String {
        guard let value, value.utf8.count <= 320 else { return "" }
        return value.trimmingCharacters(in: .whitespacesAndNewlines)
    }

    /// Where sign-in returns to: only the signed-in pages themselves, given as their exact path. Anything else
    /// (`//evil.example`, `https://evil`, `/\evil`, encoded variants, other paths) is dropped: never an open redirect.
    static func returnPath(_ value: String?) -> String? {
        guard let value, signedInPaths.contains(value) else { return nil }
        return value
    }

    static let signedInPaths: Set<String> = ["/tickets", "/settings", "/address", "/voting"]

    /// The unexpired challenge named by the query's `id`, if any.
    func pendingCaptcha(_ context: PageContext) async -> CaptchaChallenge? {
        let id = context.request.queryItems["id"] ?? ""
        guard BuiltInCaptcha.isWellFormedId(id),
              let challenge = try? await storage.read({ try $0.captcha(id: id) }),
              !challenge.isExpired(now: context.now) else { return nil }
        return challenge
    }

    /// GET /captcha.png?id=…: the image of that challenge (404 when unknown, used or expired).
    func captchaImage(_ context: inout PageContext) async -> PageOutcome {
        guard let challenge = await pendingCaptcha(context) else { return .response(.plainError(.notFound)) }
        var response = HTTPResponse(status: .ok, body: CaptchaImage.png(for: challenge.answer))
        response.headers.set("Content-Type", "image/png")
        return .response(response)
    }
}
