import Foundation
import PoolKernel

/// How the SMTP connection is encrypted (option `smtptls`).
public enum SMTPTLSMode: String, Sendable, CaseIterable {
    /// Plain connection upgraded with STARTTLS before anything else is said; a server that does not offer
    /// STARTTLS (or an attacker who strips it from the EHLO reply) gets no AUTH, no MAIL FROM: the send fails.
    case starttls
    /// STARTTLS when the server offers it, otherwise a plain session (dcrstakepool's behaviour) — never a
    /// password in clear text unless the server is on loopback.
    case opportunistic
    /// TLS from the first byte (SMTPS, usually port 465).
    case implicit
    /// Never encrypt, even when STARTTLS is offered (test servers, local relays).
    case none
}

/// Which AUTH mechanism to use when a username is configured (option `smtpauth`).
public enum SMTPAuthMethod: String, Sendable, CaseIterable {
    /// PLAIN when the server offers it, else LOGIN.
    case auto
    case plain
    case login
}

/// The client side of one SMTP session as a pure state machine: feed it the server's replies, carry out the
/// actions it returns. It does no I/O and never blocks, so every branch is testable with plain values.
///
/// Session: greeting 220 → EHLO (HELO when EHLO is refused) → STARTTLS + EHLO again when required →
/// AUTH PLAIN or LOGIN when credentials are set and the server advertises AUTH → MAIL FROM → RCPT TO →
/// DATA → message → 250. A 4xx reply anywhere is `.mailTemporary`, a 5xx `.mailPermanent`, both carrying
/// the reply code; anything unexpected is a temporary protocol error.
struct SMTPDialogue {
    struct Credentials: Sendable {
        var username: String
        var password: String
    }

    /// Everything the session needs to know up front.
    struct Plan: Sendable {
        var clientName: String
        var tlsMode: SMTPTLSMode
        /// True when the server is on loopback: credentials may then travel without TLS (like Go's PlainAuth).
        var allowCleartextAuth: Bool
        var credentials: Credentials?
        var authMethod: SMTPAuthMethod
        var envelopeFrom: String
        var recipient: String
        /// The dot-stuffed message ending with `.\r\n` (see `MessageEncoder.dataPayload`).
        var payload: [UInt8]
    }

    /// How long the shell may wait for the reply that follows a `.send`.
    enum Wait: Equatable, Sendable {
        case command
        /// The reply to the end of the message, which servers may take longer to give.
        case dataEnd
    }

    enum Action: Equatable {
        /// Write `bytes`, then read the next reply within the `wait` timeout. `log` is a safe description
        /// (credentials replaced by `***`, the message by its size).
        case send(_ bytes: [UInt8], wait: Wait, log: String)
        /// Do the TLS handshake on the current connection, then call `tlsEstablished()`.
        case upgradeToTLS
        /// The server accepted the message. Send QUIT (best effort) and close.
        case delivered
        /// The session failed. Send QUIT (best effort), close, and report the error.
        case failed(NotifyError)

        static func == (lhs: Action, rhs: Action) -> Bool {
            switch (lhs, rhs) {
            case let (.send(a, wa, _), .send(b, wb, _)): a == b && wa == wb
            case (.upgradeToTLS, .upgradeToTLS), (.delivered, .delivered): true
            case let (.failed(a), .failed(b)): a == b && a.replyCode == b.replyCode
            default: false
            }
        }
    }

    private enum State {
        case greeting, ehlo, helo, startTLS, tlsHandshake
        case authPlain, authLoginStart, authLoginUsername, authLoginPassword
        case mailFrom, rcptTo, data, dataEnd, finished
    }

    private let plan: Plan
    private var state: State = .greeting
    private(set) var tlsActive: Bool
    /// EHLO keywords (upper-case) of the current session, e.g. `STARTTLS`, `AUTH`, `SIZE`.
    private(set) var extensions: [String: [String]] = [:]

    /// `tlsActive` is true when the connection is already encrypted (implicit TLS).
    init(plan: Plan, tlsActive: Bool) {
        self.plan = plan
        self.tlsActive = tlsActive
    }

    var isFinished: Bool { state == .finished }

    /// The shell completed the TLS handshake asked for by `.upgradeToTLS`.
    mutating func tlsEstablished() -> Action {
        guard state == .tlsHandshake else { return fail(protocolError("TLS established at an unexpected point")) }
        tlsActive = true
        extensions = [:]
        state = .ehlo
        return command("EHLO \(plan.clientName)")
    }

    /// The next reply from the server.
    mutating func receive(_ reply: SMTPReply) -> Action {
        switch state {
        case .greeting:
            guard reply.code == 220 else { return fail(reply, during: "greeting") }
            state = .ehlo
            return command("EHLO \(plan.clientName)")

        case .ehlo:
            if reply.code == 250 {
                extensions = Self.parseExtensions(reply)
                return afterHello()
            }
            // 500/502 (unknown command) and friends: an old server; say HELO instead, unless we are already
            // past STARTTLS (falling back there would hide a broken TLS session).
            if (500..<600).contains(reply.code) && !tlsActive {
                state = .helo
                return command("HELO \(plan.clientName)")
            }
            return fail(reply, during: "EHLO")

        case .helo:
            guard reply.code == 250 else { return fail(reply, during: "HELO") }
            extensions = [:]
            return afterHello()

        case .startTLS:
            guard reply.code == 220 else { return fail(reply, during: "STARTTLS") }
            state = .tlsHandshake
            return .upgradeToTLS

        case .authPlain, .authLoginPassword:
            guard reply.code == 235 else { return fail(reply, during: "authentication") }
            return mailFrom()

        case .authLoginStart:
            guard reply.code == 334 else { return fail(reply, during: "authentication") }
            state = .authLoginUsername
            return command(Data((plan.credentials?.username ?? "").utf8).base64EncodedString(), log: "*** (username)")

        case .authLoginUsername:
            guard reply.code == 334 else { return fail(reply, during: "authentication") }
            state = .authLoginPassword
            return command(Data((plan.credentials?.password ?? "").utf8).base64EncodedString(), log: "*** (password)")

        case .mailFrom:
            guard reply.code == 250 else { return fail(reply, during: "MAIL FROM") }
            state = .rcptTo
            return command("RCPT TO:<\(plan.recipient)>")

        case .rcptTo:
            guard reply.code == 250 || reply.code == 251 else { return fail(reply, during: "RCPT TO") }
            state = .data
            return command("DATA")

        case .data:
            guard reply.code == 354 else { return fail(reply, during: "DATA") }
            state = .dataEnd
            return .send(plan.payload, wait: .dataEnd, log: "<message, \(plan.payload.count) bytes>")

        case .dataEnd:
            guard reply.code == 250 else { return fail(reply, during: "end of message") }
            state = .finished
            return .delivered

        case .tlsHandshake, .finished:
            return fail(protocolError("unexpected reply \(reply.summary)"))
        }
    }

    // MARK: - Steps

    private mutating func afterHello() -> Action {
        if !tlsActive && (plan.tlsMode == .starttls || plan.tlsMode == .opportunistic) && extensions["STARTTLS"] != nil {
            state = .startTLS
            return command("STARTTLS")
        }
        // Required TLS that the server does not offer: stop before credentials or the envelope are sent.
        if !tlsActive && plan.tlsMode == .starttls {
            return fail(NotifyError(.mailTemporary,
                                    "SMTP server does not offer STARTTLS, which smtptls=starttls requires; nothing was sent (set smtptls=opportunistic to allow unencrypted delivery, or smtptls=implicit for port 465)"))
        }
        if let credentials = plan.credentials, let offered = extensions["AUTH"] {
            return authenticate(credentials, offered: Set(offered.map { $0.uppercased() }))
        }
        return mailFrom()
    }

    private mutating func authenticate(_ credentials: Credentials, offered: Set<String>) -> Action {
        guard tlsActive || plan.allowCleartextAuth else {
            return fail(NotifyError(.mailPermanent,
                                    "refusing to send SMTP credentials over an unencrypted connection (the server offers no STARTTLS; set smtptls=implicit or use a loopback relay)"))
        }
        let usePlain = offered.contains("PLAIN") && plan.authMethod != .login
        let useLogin = offered.contains("LOGIN") && plan.authMethod != .plain
        if usePlain {
            state = .authPlain
            let token = Data(([0] + Array(credentials.username.utf8) + [0] + Array(credentials.password.utf8))).base64EncodedString()
            return command("AUTH PLAIN \(token)", log: "AUTH PLAIN ***")
        }
        if useLogin {
            state = .authLoginStart
            return command("AUTH LOGIN")
        }
        return fail(NotifyError(.mailPermanent,
                                "SMTP server offers AUTH \(offered.sorted().joined(separator: " ")) but smtpauth=\(plan.authMethod.rawValue) needs PLAIN or LOGIN"))
    }

    private mutating func mailFrom() -> Action {
        if let limit = extensions["SIZE"]?.first.flatMap(Int.init), limit > 0, plan.payload.count > limit {
            return fail(NotifyError(.mailPermanent, "message of \(plan.payload.count) bytes exceeds the server's SIZE limit \(limit)"))
        }
        state = .mailFrom
        return command("MAIL FROM:<\(plan.envelopeFrom)>")
    }

    private func command(_ line: String, log: String? = nil) -> Action {
        .send(Array((line + "\r\n").utf8), wait: .command, log: log ?? line)
    }

    private mutating func fail(_ error: NotifyError) -> Action {
        state = .finished
        return .failed(error)
    }

    private mutating func fail(_ reply: SMTPReply, during step: String) -> Action {
        let code: ErrorCode = (500..<600).contains(reply.code) ? .mailPermanent : .mailTemporary
        let what = (400..<600).contains(reply.code) ? "refused" : "answered unexpectedly"
        return fail(NotifyError(code, "SMTP server \(what) \(step): \(reply.summary)", replyCode: reply.code))
    }

    private func protocolError(_ what: String) -> NotifyError {
        NotifyError(.mailTemporary, "SMTP protocol error: \(what)")
    }

    /// EHLO reply lines after the first: `KEYWORD params…`; `AUTH=PLAIN LOGIN` (old syntax) counts as AUTH.
    static func parseExtensions(_ reply: SMTPReply) -> [String: [String]] {
        var result: [String: [String]] = [:]
        for line in reply.lines.dropFirst() {
            var words = line.split(separator: " ").map(String.init)
            guard !words.isEmpty else { continue }
            var keyword = words.removeFirst().uppercased()
            if keyword.hasPrefix("AUTH=") {
                words.insert(String(keyword.dropFirst(5)), at: 0)
                keyword = "AUTH"
            }
            result[keyword, default: []].append(contentsOf: words)
        }
        return result
    }
}
