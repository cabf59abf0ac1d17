import Foundation
import PoolKernel
import PoolNet

/// The `smtp` mail plugin: one SMTP session per message over our own sockets and OpenSSL (PoolNet).
///
/// EHLO (HELO fallback), STARTTLS (required with `.starttls`, the default: a server that does not offer it gets
/// neither credentials nor the envelope; used when offered with `.opportunistic`; never with `.none`), implicit TLS
/// (`tlsMode == .implicit`, port 465), AUTH PLAIN or LOGIN when a username is set and the server advertises AUTH
/// (never in clear text except to a loopback server), then one message to one recipient. Every step has a
/// timeout; a task cancelled mid-session closes the connection. Errors are `NotifyError`s carrying the server's
/// reply code (see `NotificationBackend` for what the outbox does with them). The password never appears in
/// logs or errors.
public struct SMTPNotifier: NotificationBackend {
    public struct Configuration: Sendable {
        /// `smtphost`: `host:port` of the server.
        public var host: String
        /// `smtpusername`: empty → no AUTH.
        public var username: String
        /// `smtppassword`.
        public var password: String
        /// `smtpfrom`: envelope sender and From header (used when a message has no From of its own).
        public var from: String
        /// `smtptls`: starttls (default; required), opportunistic (when offered), implicit, none.
        public var tlsMode: SMTPTLSMode
        /// `smtpcafile`: PEM file of the CA (or self-signed certificate) to trust; empty → system store.
        public var caFile: String
        /// `smtpskipverify`: accept any server certificate (testing only).
        public var skipVerify: Bool
        /// Which AUTH mechanism to use (`auto` prefers PLAIN).
        public var authMethod: SMTPAuthMethod
        /// The name said in EHLO/HELO (Go's net/smtp says `localhost`).
        public var clientName: String
        /// TCP connect (and, for implicit TLS, the handshake).
        public var connectTimeout: Duration
        /// Each command's reply, each write, the STARTTLS handshake.
        public var commandTimeout: Duration
        /// Writing the message and waiting for the reply to its final dot.
        public var dataTimeout: Duration

        public init(host: String = "", username: String = "", password: String = "", from: String = "",
                    tlsMode: SMTPTLSMode = .starttls, caFile: String = "", skipVerify: Bool = false,
                    authMethod: SMTPAuthMethod = .auto, clientName: String = "localhost",
                    connectTimeout: Duration = .seconds(15), commandTimeout: Duration = .seconds(60),
                    dataTimeout: Duration = .seconds(120)) {
            self.host = host
            self.username = username
            self.password = password
            self.from = from
            self.tlsMode = tlsMode
            self.caFile = caFile
            self.skipVerify = skipVerify
            self.authMethod = authMethod
            self.clientName = clientName
            self.connectTimeout = connectTimeout
            self.commandTimeout = commandTimeout
            self.dataTimeout = dataTimeout
        }

        /// From the `smtp*` options (`SMTPNotifier.options`) and the host's `smtpfrom`. `smtptls=starttls` on
        /// port 465 means implicit TLS (SMTPS).
        public init(values v: OptionValues) {
            let host = v.string("smtphost")
            self.init(host: host, username: v.string("smtpusername"), password: v.string("smtppassword"),
                      from: v.string("smtpfrom"), tlsMode: Self.tlsMode(option: v.string("smtptls"), host: host),
                      caFile: v.string("smtpcafile"), skipVerify: v.bool("smtpskipverify"))
        }

        /// The `smtptls` value as a mode; `starttls` (the default) on port 465 means implicit TLS.
        static func tlsMode(option: String, host: String) -> SMTPTLSMode {
            let mode = SMTPTLSMode(rawValue: option.lowercased()) ?? .starttls
            return mode == .starttls && host.hasSuffix(":465") ? .implicit : mode
        }
    }

    public let name = "smtp"
    public let configuration: Configuration
    private let address: PoolNet.HostPort
    private let tlsContext: TLSContext?
    private let logger: Logger

    /// Checks the configuration and loads the trust anchors; throws `ConfigError` for a bad host, sender or CA
    /// file. Opens no connection.
    public init(configuration: Configuration, logger: Logger) throws {
        do {
            address = try PoolNet.HostPort(parsing: configuration.host, defaultPort: 25)
        } catch {
            throw ConfigError(.badValue, "smtphost must be host:port, not \"\(configuration.host)\"")
        }
        if !configuration.from.isEmpty {
            do { try MailMessage.validateAddress(configuration.from, role: "sender") } catch {
                throw ConfigError(.badValue, "smtpfrom \"\(configuration.from)\" is not a plain address (local@domain)")
            }
        }
        if configuration.tlsMode == .none {
            tlsContext = nil
        } else {
            let trust: TLSTrust = configuration.caFile.isEmpty ? .system : .certificateFile(configuration.caFile)
            do {
                tlsContext = try TLSContext(client: TLSClientConfiguration(trust: trust, verifyPeer: !configuration.skipVerify))
            } catch {
                throw ConfigError(.unreadableFile, "smtpcafile: \(error)")
            }
        }
        self.configuration = configuration
        self.logger = logger
    }

    public func send(_ message: MailMessage) async throws {
        let sender = message.from.isEmpty ? configuration.from : message.from
        let encoded = try MessageEncoder.encode(message, from: sender)
        let credentials = configuration.username.isEmpty ? nil
            : SMTPDialogue.Credentials(username: configuration.username, password: configuration.password)
        let plan = SMTPDialogue.Plan(clientName: configuration.clientName, tlsMode: configuration.tlsMode,
                                     allowCleartextAuth: Self.isLoopback(address.host), credentials: credentials,
                                     authMethod: configuration.authMethod, envelopeFrom: sender,
                                     recipient: message.to, payload: MessageEncoder.dataPayload(encoded))

        let connection: NetConnection
        do {
            connection = try await NetConnection.connect(to: address, timeout: configuration.connectTimeout)
        } catch {
            throw transportError(error)
        }
        defer { connection.close() }
        let session = SMTPSession(connection: connection, configuration: configuration, address: address,
                                  tlsContext: tlsContext, logger: logger)
        try await withTaskCancellationHandler {
            try await connection.perform { _ in try session.run(plan) }
        } onCancel: {
            connection.close()
        }
        try Task.checkCancellation()
    }

    func transportError(_ error: any Error) -> NotifyError {
        if let notify = error as? NotifyError { return notify }
        return NotifyError(.mailTemporary, "SMTP \(address): \(error)")
    }

    static func isLoopback(_ host: String) -> Bool {
        host == "localhost" || host == "::1" || host.hasPrefix("127.")
    }
}

/// The blocking I/O shell around `SMTPDialogue` for one connection; runs on the connection's queue.
struct SMTPSession: Sendable {
    let connection: NetConnection
    let configuration: SMTPNotifier.Configuration
    let address: PoolNet.HostPort
    let tlsContext: TLSContext?
    let logger: Logger

    func run(_ plan: SMTPDialogue.Plan) throws(NotifyError) {
        var tlsActive = false
        if configuration.tlsMode == .implicit {
            try handshake(timeout: configuration.connectTimeout)
            tlsActive = true
        }
        var dialogue = SMTPDialogue(plan: plan, tlsActive: tlsActive)
        var parser = SMTPReplyParser()
        var wait = SMTPDialogue.Wait.command
        while true {
            let reply = try readReply(&parser, timeout: wait == .dataEnd ? configuration.dataTimeout : configuration.commandTimeout)
            logger.trace("SMTP \(address) <- \(reply.summary)")
            var action = dialogue.receive(reply)
            actions: while true {
                switch action {
                case let .send(bytes, nextWait, log):
                    logger.trace("SMTP \(address) -> \(log)")
                    try write(bytes, timeout: nextWait == .dataEnd ? configuration.dataTimeout : configuration.commandTimeout)
                    wait = nextWait
                    break actions
                case .upgradeToTLS:
                    // Bytes the server sent after its 220 would be read as if they came through TLS (the
                    // STARTTLS command-injection attack): refuse them.
                    guard !parser.hasPartialInput else {
                        quit()
                        throw NotifyError(.mailTemporary, "SMTP \(address): data after the STARTTLS reply (refused)")
                    }
                    try handshake(timeout: configuration.commandTimeout)
                    action = dialogue.tlsEstablished()
                case .delivered:
                    quit()
                    return
                case let .failed(error):
                    quit()
                    throw error
                }
            }
        }
    }

    private func readReply(_ parser: inout SMTPReplyParser, timeout: Duration) throws(NotifyError) -> SMTPReply {
        let deadline = ContinuousClock.now + timeout
        while true {
            if let reply = try parser.nextReply() { return reply }
            let left = ContinuousClock.now.duration(to: deadline)
            guard left > .zero else { throw NotifyError(.mailTemporary, "SMTP \(address): no reply within \(timeout)") }
            let bytes: [UInt8]
            do {
                bytes = try connection.read(maxLength: 4096, timeout: left)
            } catch let error as NetError where error.code == .netTimeout {
                throw NotifyError(.mailTemporary, "SMTP \(address): no reply within \(timeout)")
            } catch {
                throw map(error, doing: "reading a reply")
            }
            if bytes.isEmpty { throw NotifyError(.mailTemporary, "SMTP \(address): the server closed the connection") }
            parser.append(bytes)
        }
    }

    private func write(_ bytes: [UInt8], timeout: Duration) throws(NotifyError) {
        do {
            try connection.write(bytes, timeout: timeout)
        } catch {
            throw map(error, doing: "writing")
        }
    }

    private func handshake(timeout: Duration) throws(NotifyError) {
        guard let tlsContext else { throw NotifyError(.mailTemporary, "SMTP \(address): TLS is not configured") }
        do {
            try connection.startTLS(tlsContext, serverName: address.host, timeout: timeout)
        } catch {
            throw map(error, doing: "TLS handshake")
        }
    }

    /// Best effort: say QUIT and wait briefly for the goodbye, ignoring every error.
    private func quit() {
        let short = min(configuration.commandTimeout, .seconds(2))
        guard (try? connection.write(Array("QUIT\r\n".utf8), timeout: short)) != nil else { return }
        _ = try? connection.read(maxLength: 512, timeout: short)
    }

    private func map(_ error: any Error, doing what: String) -> NotifyError {
        if connection.isClosed { return NotifyError(.mailTemporary, "SMTP \(address): connection closed (\(what))") }
        return NotifyError(.mailTemporary, "SMTP \(address): \(what) failed: \(error)")
    }
}
