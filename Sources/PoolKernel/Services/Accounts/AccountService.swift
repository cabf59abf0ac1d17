import Foundation

/// Every account operation of the web pages (webapp spec §3.7–§3.17, §9.5), independent of HTTP.
///
/// Deviations from v1.1.1, on purpose:
/// - Sign-up and password reset answer the same whether or not the email is registered (no `User exists` /
///   `Invalid Email`): an existing address gets no new account but a mail (`accountExists`, or its verification
///   link again while unverified); an unknown address gets no reset mail.
/// - Changing the password (settings or reset link) or the email ends every session of the user
///   (`storage.deleteSessions`); the pages start a fresh session for the current browser where it stays signed in.
///   A password change or reset also ends every pending reset link; a reset also replaces the API token.
/// - Failed sign-ins are throttled per IP and per (account, IP), never per account alone (`SignInThrottle`).
/// - Every sign-in runs one bcrypt verification, against a dummy hash when the email has no account, so timing
///   does not tell which emails are registered. bcrypt runs on the `PasswordHasher`'s bounded queue.
/// - New passwords follow `PasswordPolicy` (length, common passwords); an empty password never signs in.
/// - Emails are queued in the outbox in the same transaction as the change that caused them.
public struct AccountService: Sendable {
    public struct Configuration: Sendable {
        /// `closepool`: sign-up refused.
        public var closePool: Bool
        /// The wallets' vote version, stored as a new user's `VoteBitsVersion`.
        public var voteVersion: UInt32
        public var bcryptCost: Int
        public var throttle: SignInThrottle
        /// Lifetime of reset and email-change tokens (seconds).
        public var tokenLifetime: Int64
        /// What a new password must be (`minpasswordlength`).
        public var passwordPolicy: PasswordPolicy

        public init(closePool: Bool = false, voteVersion: UInt32 = 0, bcryptCost: Int = BCrypt.defaultCost,
                    throttle: SignInThrottle = SignInThrottle(), tokenLifetime: Int64 = 3600,
                    passwordPolicy: PasswordPolicy = PasswordPolicy()) {
            self.closePool = closePool
            self.voteVersion = voteVersion
            self.bcryptCost = bcryptCost
            self.throttle = throttle
            self.tokenLifetime = tokenLifetime
            self.passwordPolicy = passwordPolicy
        }
    }

    /// The settings form (spec §3.17).
    public struct SettingsForm: Sendable {
        public var password: String
        public var updateEmail: Bool
        public var updatePassword: Bool
        /// Our addition: a button that issues a new API token (the old one stops working).
        public var regenerateToken: Bool
        public var email: String
        public var newPassword: String
        public var newPasswordRepeat: String

        public init(password: String, updateEmail: Bool = false, updatePassword: Bool = false,
                    regenerateToken: Bool = false, email: String = "", newPassword: String = "",
                    newPasswordRepeat: String = "") {
            self.password = password
            self.updateEmail = updateEmail
            self.updatePassword = updatePassword
            self.regenerateToken = regenerateToken
            self.email = email
            self.newPassword = newPassword
            self.newPasswordRepeat = newPasswordRepeat
        }
    }

    /// Passwords longer than this are refused before bcrypt (which reads 72 bytes anyway).
    public static let maxPasswordBytes = PasswordPolicy.maximumBytes

    public let configuration: Configuration
    let storage: any StorageBackend
    let renderer: EmailRenderer
    let tokens: APITokenSigner
    let wakeOutbox: @Sendable () -> Void
    let now: @Sendable () -> Int64
    let logger: Logger
    /// bcrypt on its own bounded queue (shared by every copy of this service).
    public let hasher: PasswordHasher
    /// Waits out a throttle slow-down (tests record it instead of waiting).
    let pause: @Sendable (Duration) async -> Void

    /// - Parameters:
    ///   - hasher: bcrypt at `configuration.bcryptCost` unless given (tests pass one to count its work).
    ///   - pause: how a slowed-down sign-in waits.
    public init(configuration: Configuration, storage: any StorageBackend, renderer: EmailRenderer,
                tokens: APITokenSigner, wakeOutbox: @escaping @Sendable () -> Void, logger: Logger,
                now: @escaping @Sendable () -> Int64 = { Int64(Date().timeIntervalSince1970) },
                hasher: PasswordHasher? = nil,
                pause: @escaping @Sendable (Duration) async -> Void = { try? await Task.sleep(for: $0) }) {
        self.hasher = hasher ?? PasswordHasher(cost: configuration.bcryptCost)
        self.pause = pause
        self.configuration = configuration
        self.storage = storage
        self.renderer = renderer
        self.tokens = tokens
        self.wakeOutbox = wakeOutbox
        self.now = now
        self.logger = logger
    }

    // MARK: - Sign-up and verification

    /// POST /signup after the closepool check (the page redirects when closed). `captchaPassed` is the
    /// captcha's verdict, `captchaProblem` the text shown when it failed (the captcha kind's own words).
    /// The answer is the same whether or not the email is taken; a taken address is mailed instead: a verified
    /// account gets "you already have an account", an unverified one its verification link again with a word on
    /// why the password just typed was not taken (a stranger must not set the password its owner will verify).
    public func signUp(email: String, password: String, passwordRepeat: String, captchaPassed: Bool,
                       captchaProblem: String = AccountService.recaptchaRefused, ip: String) async -> AccountMessages {
        var messages = AccountMessages()
        if !email.contains("@") { messages.errors.append(Self.invalidEmail) }
        if let problem = configuration.passwordPolicy.problem(with: password) { messages.errors.append(problem) }
        if password != passwordRepeat { messages.errors.append(Self.passwordsDiffer) }
        if !captchaPassed { messages.errors.append(captchaProblem) }
        guard messages.errors.isEmpty else { return messages }
        let sent = AccountMessages.success("A verification email has been sent to \(email)")
        let hash: String
        do {
            hash = try await hasher.hash(password)
        } catch {
            return .error(Self.signUpFailed)
        }
        let token = SecureRandom.hexToken()
        let mail = renderer.render(.signupVerification(token: token, ip: ip), to: email)
        let exists = renderer.render(.accountExists(ip: ip), to: email)
        let user = User(email: email, passwordHash: hash, emailVerified: .unverified, emailToken: token,
                        voteBits: 1, voteBitsVersion: configuration.voteVersion)
        let renderer = self.renderer
        do {
            let created = try await storage.write { tx -> Bool in
                if let existing = try tx.user(email: email) {
                    // Mailed to the account's own address, never to the spelling typed here.
                    var notice: OutboxMessage
                    if existing.emailVerified.isVerified || existing.emailToken.isEmpty {
                        notice = OutboxMessage(queuing: exists)
                    } else {
                        // The first sign-up's link again; the password typed now is not taken (see the mail).
                        notice = OutboxMessage(queuing: renderer.render(
                            .signupRepeated(token: existing.emailToken, ip: ip), to: existing.email))
                    }
                    notice.to = existing.email
                    _ = try tx.enqueueMail(notice)
                    return false
                }
                _ = try tx.insertUser(user)
                _ = try tx.enqueueMail(OutboxMessage(queuing: mail))
                return true
            }
            if !created { logger.info("sign-up for an existing account: no new account, the owner was mailed") }
            wakeOutbox()
            return sent
        } catch let error as StorageError where error.code == .duplicate {
            return sent
        } catch {
            logger.error("sign-up failed: \(error)")
            return .error(Self.signUpFailed)
        }
    }

    /// The captcha refusal of reCAPTCHA (dcrstakepool's text); the built-in captcha passes its own.
    public static let recaptchaRefused = "Recaptcha error"
    /// One wording for every form.
    public static let passwordsDiffer = "Passwords do not match"
    /// The refusal of an email address, on every form and in `poolctl user add`.
    public static let invalidEmail = "email address is invalid"
    /// A refused sign-in, whatever was wrong (never says whether the account exists).
    public static let invalidCredentials = "Invalid Email or Password"
    /// A password change or reset that could not be stored.
    public static let passwordNotUpdated = "Unable to update password"
    /// Sign-up could not be stored.
    public static let signUpFailed = "Database error occurred while adding user"
    /// An email verification link without its token.
    public static let noVerificationToken = "No email verification token present"
    /// A password reset link that is unknown, used or expired.
    public static let resetTokenInvalid = "Password update token not valid"
    /// The API token could not be stored.
    public static let apiTokenNotSet = "Unable to set API Token"
    /// The current password, asked again before a change, was wrong.
    public static let passwordNotValid = "Password not valid"
    /// A password change or reset that was stored.
    public static let passwordUpdated = "Password successfully updated"

    /// GET /emailverify?t=… (spec §3.10). The token stays with the account after verification, so a second
    /// click says the address is verified (only someone holding the link learns that).
    public func verifyEmail(token: String) async -> AccountMessages {
        guard !token.isEmpty else { return .error(Self.noVerificationToken) }
        enum Outcome { case unknown, verified, alreadyVerified }
        do {
            let outcome = try await storage.write { tx -> Outcome in
                guard var user = try tx.user(emailToken: token) else { return .unknown }
                if user.emailVerified.isVerified { return .alreadyVerified }
                user.emailVerified = .verified
                try tx.updateUser(user)
                return .verified
            }
            switch outcome {
            case .unknown: return .error(Self.verificationTokenInvalid)
            case .verified: return .success("Email successfully verified")
            case .alreadyVerified: return .success(Self.alreadyVerified)
            }
        } catch {
            logger.error("email verification failed: \(error)")
            return .error("Unable to set email to verified status")
        }
    }

    public static let verificationTokenInvalid = "Email verification token not valid"
    public static let alreadyVerified = "Your email address is already verified. You can sign in."

    // MARK: - Sign-in

    /// POST /signin (spec §3.7), throttled (`SignInThrottle`). Exactly one bcrypt verification runs for every
    /// attempt the throttle admits, whether or not the email has an account.
    public func signIn(email: String, password: String, ip: String) async -> SignInResult {
        let throttle = configuration.throttle
        let time = now()
        let admission: SignInThrottle.Admission
        do {
            admission = try await storage.write { try throttle.admit($0, ip: ip, email: email, now: time) }
        } catch {
            logger.error("sign-in throttle failed: \(error)")
            return .refused(Self.invalidCredentials)
        }
        guard case .admitted(let slowDown) = admission else {
            logger.warn("sign-in throttled for \(ip)")
            return .rateLimited(SignInThrottle.message)
        }
        if slowDown { await pause(throttle.slowdown) }
        let user: User?
        do {
            user = try await storage.user(email: email)
        } catch {
            logger.error("sign-in lookup failed: \(error)")
            return .refused(Self.invalidCredentials)
        }
        // Too long: still one verification (against the dummy), so the answer costs the same.
        let checkable = password.utf8.count <= Self.maxPasswordBytes
        let matches = await hasher.verifyOrDummy(checkable ? password : "", hash: checkable ? user?.passwordHash : nil)
        guard let user, matches else {
            do {
                try await storage.write { try throttle.failed($0, email: email, now: time) }
            } catch {
                logger.error("could not count a failed sign-in: \(error)")
            }
            return .refused(Self.invalidCredentials)
        }
        do {
            try await storage.write { try throttle.succeeded($0, ip: ip, email: email, now: time) }
        } catch {
            logger.error("could not release sign-in counters: \(error)")
        }
        guard user.emailVerified.isVerified else { return .refused("You must validate your email address") }
        return .signedIn(user)
    }

    // MARK: - Password reset

    /// POST /passwordreset (spec §3.13). Same success message whether or not the email is registered.
    public func requestPasswordReset(email: String, captchaPassed: Bool,
                                     captchaProblem: String = AccountService.recaptchaRefused,
                                     ip: String) async -> AccountMessages {
        guard captchaPassed else { return .error(captchaProblem) }
        let time = now()
        let token = SecureRandom.hexToken()
        let lifetime = configuration.tokenLifetime
        let mail = renderer.render(.passwordReset(token: token, ip: ip), to: email)
        do {
            let queued = try await storage.write { tx -> Bool in
                // A closed account gets no reset link: it must stay closed.
                guard let user = try tx.user(email: email), try tx.closedAccount(userId: user.id) == nil else { return false }
                _ = try tx.insertPasswordReset(PasswordReset(userId: user.id, token: token, created: time,
                                                             expires: time + lifetime))
                var message = OutboxMessage(queuing: mail)
                message.to = user.email
                _ = try tx.enqueueMail(message)
                return true
            }
            if queued { wakeOutbox() }
            return .success("Password reset email sent")
        } catch {
            logger.error("password reset failed: \(error)")
            return .error("Unable to add reset token to database")
        }
    }

    /// The checks of GET /passwordupdate (spec §3.14): errors for a missing, unknown or expired token.
    public func checkPasswordResetToken(_ token: String) async -> AccountMessages {
        guard !token.isEmpty else { return .error("No password update token present") }
        do {
            guard let reset = try await storage.read({ try $0.passwordReset(token: token) }) else {
                return .error(Self.resetTokenInvalid)
            }
            if reset.isExpired(now: now()) { return .error("Password update token has expired") }
            return AccountMessages()
        } catch {
            logger.error("password reset lookup failed: \(error)")
            return .error(Self.resetTokenInvalid)
        }
    }

    /// POST /passwordupdate (spec §3.15): sets the password, deletes the token, ends every session of the user.
    public func resetPassword(token: String, password: String, passwordRepeat: String) async -> AccountMessages {
        let check = await checkPasswordResetToken(token)
        guard check.errors.isEmpty else { return check }
        if let problem = configuration.passwordPolicy.problem(with: password) { return .error(problem) }
        if password != passwordRepeat { return .error(Self.passwordsDiffer) }
        guard let hash = try? await hasher.hash(password) else {
            return .error(Self.passwordNotUpdated)
        }
        let tokens = self.tokens
        let time = now()
        do {
            // Every credential ends together: sessions, every reset link of the user, and the API token (whoever
            // reset the password may not be the only one who knew the old token).
            let found = try await storage.write { tx -> Bool in
                // The link is one-time: of parallel posts only the one whose delete removed it goes on (a read
                // alone would let each post of a MySQL race set its own password).
                guard let reset = try tx.passwordReset(token: token), !reset.isExpired(now: time),
                      try tx.deletePasswordResets(token: token) > 0,
                      var user = try tx.userForUpdate(id: reset.userId) else { return false }
                user.passwordHash = hash
                user.apiToken = Self.freshAPIToken(tokens, for: user.id, replacing: user.apiToken)
                try tx.updateUser(user)
                try tx.deletePasswordResets(userId: user.id)
                try tx.deleteSessions(userId: user.id)
                return true
            }
            return found ? AccountMessages(successes: [Self.passwordUpdated,
                                                       "Every session was signed out and a new API token was issued"])
                : .error(Self.resetTokenInvalid)
        } catch {
            logger.error("password update failed: \(error)")
            return .error(Self.passwordNotUpdated)
        }
    }

    // MARK: - Email change

    /// GET /emailupdate?t=… (spec §3.11). On success every session of the user ends. Returns the messages and
    /// the user whose email changed.
    public func confirmEmailChange(token: String) async -> (AccountMessages, UserId?) {
        guard !token.isEmpty else { return (.error(Self.noVerificationToken), nil) }
        let time = now()
        enum Outcome: Sendable { case invalid, expired, inUse, changed(UserId) }
        do {
            let outcome = try await storage.write { tx -> Outcome in
                guard let change = try tx.emailChange(token: token) else { return .invalid }
                if change.isExpired(now: time) { return .expired }
                // A link asked for before the account was closed changes nothing afterwards; it is used up.
                if try tx.closedAccount(userId: change.userId) != nil {
                    try tx.deleteEmailChanges(token: token)
                    return .invalid
                }
                if try tx.user(email: change.newEmail) != nil { return .inUse }
                guard var user = try tx.userForUpdate(id: change.userId) else { return .invalid }
                user.email = change.newEmail
                try tx.updateUser(user)
                try tx.deleteEmailChanges(token: token)
                try tx.deleteSessions(userId: user.id)
                return .changed(user.id)
            }
            switch outcome {
            case .invalid: return (.error(Self.verificationTokenInvalid), nil)
            case .expired: return (.error("Email change token has expired"), nil)
            case .inUse: return (.error("Email address is in use"), nil)
            case .changed(let id): return (.success("Email successfully updated"), id)
            }
        } catch {
            logger.error("email update failed: \(error)")
            return (.error("Error occurred while changing email address"), nil)
        }
    }

    // MARK: - Settings

    /// The user with an API token, generating and storing one when it is empty (GET /settings step 1).
    public func userEnsuringAPIToken(_ id: UserId) async -> (User?, AccountMessages) {
        do {
            guard let user = try await storage.user(id: id) else { return (nil, AccountMessages()) }
            if !user.apiToken.isEmpty { return (user, AccountMessages()) }
            let token = tokens.issue(for: id)
            let updated = try await storage.updateUser(id: id) { row in
                if row.apiToken.isEmpty { row.apiToken = token }
            }
            return (updated, AccountMessages())
        } catch {
            logger.error("API token generation failed: \(error)")
            return (try? await storage.user(id: id), .error(Self.apiTokenNotSet))
        }
    }

    /// POST /settings (spec §3.17). `endedSessions` is true when the password changed (every session of the
    /// user was deleted; the caller re-establishes the current browser's session).
    public func updateSettings(userId: UserId, form: SettingsForm, captchaPassed: Bool,
                               captchaProblem: String = AccountService.recaptchaRefused,
                               ip: String) async -> (messages: AccountMessages, endedSessions: Bool) {
        guard let user = try? await storage.user(id: userId),
              form.password.utf8.count <= Self.maxPasswordBytes,
              await hasher.verifyOrDummy(form.password, hash: user.passwordHash) else {
            return (.error(Self.passwordNotValid), false)
        }
        if form.updateEmail {
            return (await requestEmailChange(user: user, newEmail: form.email, captchaPassed: captchaPassed,
                                             captchaProblem: captchaProblem, ip: ip), false)
        }
        if form.updatePassword {
            return await changePassword(user: user, form: form, ip: ip)
        }
        if form.regenerateToken {
            do {
                let fresh = Self.freshAPIToken(tokens, for: userId, replacing: user.apiToken)
                try await storage.updateUser(id: userId) { $0.apiToken = fresh }
                return (.success("A new API token was issued; the old one no longer works"), false)
            } catch {
                return (.error(Self.apiTokenNotSet), false)
            }
        }
        return (AccountMessages(), false)
    }

    /// A new API token, different from `old` even within the same second (iat is in seconds).
    public static func freshAPIToken(_ tokens: APITokenSigner, for id: UserId, replacing old: String) -> String {
        var issuedAt = Date()
        var token = tokens.issue(for: id, at: issuedAt)
        while token == old {
            issuedAt += 1
            token = tokens.issue(for: id, at: issuedAt)
        }
        return token
    }

    private func requestEmailChange(user: User, newEmail: String, captchaPassed: Bool, captchaProblem: String,
                                    ip: String) async -> AccountMessages {
        guard captchaPassed else { return .error(captchaProblem) }
        if newEmail.isEmpty || newEmail.unicodeScalars.count > StorageLimits.shortText {
            return .error(Self.invalidEmail)
        }
        let time = now()
        let token = SecureRandom.hexToken()
        let lifetime = configuration.tokenLifetime
        let toNew = renderer.render(.emailChangeVerification(oldEmail: user.email, newEmail: newEmail, token: token, ip: ip),
                                    to: newEmail)
        let toOld = renderer.render(.emailChangeNotice(oldEmail: user.email, newEmail: newEmail, ip: ip), to: user.email)
        do {
            let inUse = try await storage.write { tx -> Bool in
                if try tx.user(email: newEmail) != nil { return true }
                _ = try tx.insertEmailChange(EmailChange(userId: user.id, newEmail: newEmail, token: token,
                                                         created: time, expires: time + lifetime))
                _ = try tx.enqueueMail(OutboxMessage(queuing: toNew))
                _ = try tx.enqueueMail(OutboxMessage(queuing: toOld))
                return false
            }
            if inUse { return .error("Email address in use") }
            wakeOutbox()
            return .success("Verification token sent to new email address")
        } catch {
            logger.error("email change failed: \(error)")
            return .error("Unable to add email change token to database")
        }
    }

    private func changePassword(user: User, form: SettingsForm, ip: String) async -> (messages: AccountMessages, endedSessions: Bool) {
        if let problem = configuration.passwordPolicy.problem(with: form.newPassword) { return (.error(problem), false) }
        if form.newPassword != form.newPasswordRepeat { return (.error(Self.passwordsDiffer), false) }
        guard let hash = try? await hasher.hash(form.newPassword) else {
            return (.error(Self.passwordNotUpdated), false)
        }
        let notice = renderer.render(.passwordChanged(ip: ip), to: user.email)
        do {
            // Other sessions and pending reset links end; the caller keeps this browser signed in.
            try await storage.write { tx in
                try tx.updateUser(id: user.id) { $0.passwordHash = hash }
                try tx.deleteSessions(userId: user.id)
                try tx.deletePasswordResets(userId: user.id)
                _ = try tx.enqueueMail(OutboxMessage(queuing: notice))
            }
            wakeOutbox()
            return (AccountMessages(successes: [Self.passwordUpdated, Self.regenerateTokenOffer]), true)
        } catch {
            logger.error("password change failed: \(error)")
            return (.error(Self.passwordNotUpdated), false)
        }
    }

    /// Shown after a password change: the API token still works until the user regenerates it.
    public static let regenerateTokenOffer =
        "Other sessions were signed out. If someone else may know your API token, press \"Issue a new API token\" above."

    // MARK: - Voting

    /// POST /voting (spec §9.5): builds vote bits from `agenda<i>` fields; returns the messages and whether
    /// the stored bits changed (stakepoold must be told).
    public func updateVoting(userId: UserId, fields: [String: String], agendas: [Agenda]) async -> (AccountMessages, Bool) {
        var bits: UInt16 = 1
        for index in agendas.indices {
            guard let text = fields["agenda\(index)"], let value = Int64(text) else {
                return (.error("invalid agenda choice"), false)
            }
            bits |= UInt16(truncatingIfNeeded: value)
        }
        let voteBits = VoteBits(bits)
        guard voteBits.isValid(for: agendas) else { return (.error("generated votebits were invalid"), false) }
        let newBits = bits
        do {
            let old = try await storage.write { tx -> UInt16 in
                var previous: UInt16 = 0
                try tx.updateUser(id: userId) { user in
                    previous = user.voteBits
                    user.voteBits = newBits
                }
                return previous
            }
            return (.success("successfully updated voting preferences"), old != newBits)
        } catch {
            logger.error("saving vote bits failed: \(error)")
            return (.error("unable to save new voting preferences"), false)
        }
    }
}
