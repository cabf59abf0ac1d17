/// One event for the pool operator (`alertemail`): a wallet went down, lags, disagrees, or recovered; the
/// database, mail or a stakepoold is in trouble or back; a vote was missed. Events about the same thing form
/// one incident (`IncidentBook`), so the operator gets one message per incident, not one per event.
public struct OperatorAlert: Sendable, Equatable {
    /// What happened (stable names, used in subjects and to group events into incidents).
    public struct Kind: RawRepresentable, Hashable, Sendable, CustomStringConvertible {
        public let rawValue: String
        public init(rawValue: String) { self.rawValue = rawValue }
        public var description: String { rawValue }

        public static let walletDown = Kind(rawValue: "wallet-down")
        public static let walletLagging = Kind(rawValue: "wallet-lagging")
        public static let walletLocked = Kind(rawValue: "wallet-locked")
        public static let walletNoDaemon = Kind(rawValue: "wallet-no-daemon")
        public static let walletRecovered = Kind(rawValue: "wallet-recovered")
        /// The pool stopped (fail closed) after a failed or inconsistent wallet result.
        public static let poolStopped = Kind(rawValue: "pool-stopped")
        /// The pool resumed after every wallet agreed again (`walletautorecover`).
        public static let poolRecovered = Kind(rawValue: "pool-recovered")
        public static let databaseDown = Kind(rawValue: "database-down")
        public static let databaseRecovered = Kind(rawValue: "database-recovered")
        public static let mailFailing = Kind(rawValue: "mail-failing")
        public static let mailRecovered = Kind(rawValue: "mail-recovered")
        /// A stakepoold refused or did not answer a control request.
        public static let stakepooldTrouble = Kind(rawValue: "stakepoold-trouble")
        public static let stakepooldRecovered = Kind(rawValue: "stakepoold-recovered")
        /// A winning ticket's vote was missed or late (sent at once, never grouped or held).
        public static let voteMissed = Kind(rawValue: "vote-missed")

        /// The incident this kind belongs to (`wallet-down` → `wallet`), also its name in messages.
        public var family: String { String(rawValue.prefix { $0 != "-" }) }
        /// Trouble of the alert mail's own path (the outbox's database, mail delivery): logged as an error at
        /// once, mailed only when that path works again.
        public var blocksAlertMail: Bool { self == .databaseDown || self == .mailFailing }
        /// Whether this event ends its member's trouble.
        public var isRecovery: Bool { rawValue.hasSuffix("-recovered") }
    }

    public var kind: Kind
    /// The wallet concerned, nil for pool-wide alerts.
    public var walletIndex: Int?
    /// What else the event is about (a stakepoold host); nil: the wallet, or the whole family.
    public var subjectKey: String?
    public var subject: String
    public var body: String

    public init(kind: Kind, walletIndex: Int?, subject: String, body: String, subjectKey: String? = nil) {
        self.kind = kind
        self.walletIndex = walletIndex
        self.subject = subject
        self.body = body
        self.subjectKey = subjectKey
    }

    /// The incident this event belongs to: every wallet event is one "wallets" incident, so three wallets down
    /// at once make one message naming the three.
    var incidentKey: String { kind.family }
    /// The member of the incident (which wallet, which host).
    var memberKey: String { subjectKey ?? walletIndex.map { "wallet \($0)" } ?? kind.family }

    // MARK: - Events of the database, mail and stakepoold

    public static func databaseDown(_ detail: String, daemon: String) -> OperatorAlert {
        OperatorAlert(kind: .databaseDown, walletIndex: nil, subject: "\(daemon): database unreachable",
                      body: "\(daemon) cannot reach the pool database: \(detail)", subjectKey: daemon)
    }

    public static func databaseRecovered(daemon: String, outage: String) -> OperatorAlert {
        OperatorAlert(kind: .databaseRecovered, walletIndex: nil, subject: "\(daemon): database reachable again",
                      body: "\(daemon) reaches the pool database again (it was unreachable for \(outage)).", subjectKey: daemon)
    }

    /// - Parameters:
    ///   - detail: the last delivery error; `failures`: failed attempts in a row; `since`: the first of them.
    public static func mailFailing(_ detail: String, failures: Int, since: String) -> OperatorAlert {
        OperatorAlert(kind: .mailFailing, walletIndex: nil, subject: "mail delivery failing",
                      body: "The mail plugin has failed \(failures) delivery attempt(s) in a row since \(since): \(detail)\n"
                          + "Users' mails wait in the outbox and are retried. This alert could not be mailed while mail "
                          + "was failing: it was logged at once (ERROR) and is delivered now that mail works again.")
    }

    public static func mailRecovered(outage: String) -> OperatorAlert {
        OperatorAlert(kind: .mailRecovered, walletIndex: nil, subject: "mail delivery works again",
                      body: "The mail plugin delivers again (it was failing for \(outage)); the mails that waited are sent now.")
    }

    public static func stakepooldTrouble(host: String, problem: String) -> OperatorAlert {
        OperatorAlert(kind: .stakepooldTrouble, walletIndex: nil, subject: "stakepoold at \(host) unreachable",
                      body: "A voting-preference change could not reach stakepoold at \(host): \(problem)\n"
                          + "It is retried with backoff until the host accepts it.", subjectKey: host)
    }

    public static func stakepooldRecovered(host: String) -> OperatorAlert {
        OperatorAlert(kind: .stakepooldRecovered, walletIndex: nil, subject: "stakepoold at \(host) reachable again",
                      body: "stakepoold at \(host) accepted the pending voting-preference change.", subjectKey: host)
    }
}
