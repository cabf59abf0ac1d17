import PoolKernel

/// The configuration values the HTML pages show or obey (from `PoolConfig`).
public struct PagesConfiguration: Sendable {
    /// Chain params name (`mainnet`, `testnet2`, `simnet`), shown as `Network` on home and stats.
    public var network: String
    /// Short network name for explorer links and `--testnet` flags (`mainnet`, `testnet`, `simnet`).
    public var shortNetwork: String
    public var poolEmail: String
    public var poolFees: Double
    public var poolLink: String
    public var closePool: Bool
    public var closePoolMessage: String
    /// `smtphost` empty: pages say mail is not configured.
    public var smtpDisabled: Bool
    /// `maxvotedage`: voted tickets older than this many blocks are archived (counted, not listed).
    public var maxVotedAge: Int64
    public var cookieSecret: String
    public var cookieSecure: Bool
    /// `publicpath`: directory served under `/assets/`.
    public var publicPath: String
    /// `adminips` for `/status`.
    public var adminIPs: [String]
    /// The wallets' vote version and its agendas (voting page).
    public var voteVersion: UInt32
    public var agendas: [Agenda]
    /// Answer every page with the maintenance page (503).
    public var maintenance: Bool
    /// Test hook: `GET /captcha/answer?id=` reveals the answer of that form's captcha (its hidden `captchaid`).
    /// Only honoured when the environment has `POOL_TEST_CAPTCHA=1` as well (see `Pages.init`).
    public var revealCaptchaForTests: Bool
    // ux1
    /// The network's address version bytes: the address page names its own prefixes (`Sk`/`Ss` on simnet).
    public var addressIDs: NetParams.AddressIDs
    /// `minpasswordlength`: the new-password boxes say it (`minlength`) before the server does.
    public var minPasswordLength: Int
    /// `explorerurl`: ticket links are this prefix + hash; "" shows plain hashes; nil takes the
    /// network's default (`PoolConfig.defaultExplorerURL`).
    public var explorerURL: String? = nil
    /// The network's ticket maturity in blocks: the tickets page shows a "live" ticket mined fewer blocks than this
    /// before the best block as immature.
    public var ticketMaturity: Int64 = Int64(NetParams.mainnet.tickets.maturity)
    /// Where stakepoold writes `lowfeetickets.json` (the dashboard lists what it skipped); nil: none.
    public var lowFeeDirectory: String? = nil
    // dash22
    /// Seconds the dashboard's aggregates are shared between requests before a request works them out again.
    public var dashboardFiguresMaxAge: Int64 = 10
    // vspviews
    /// The vspd API v3 front is on (`apifronts` vspd or both): the dashboard and the stats page show its tickets.
    public var showsVspTickets: Bool = false
    // vsponly
    /// What the pages of a vspd-only web app (`apifronts=vspd`) show of the VSP; nil when the legacy front is served.
    public struct VspOnly: Sendable, Equatable {
        public var feePercent: Double
        public var closed: Bool
        public var closedMessage: String
        /// The response-signing key, base64 (vspinfo's `pubkey`).
        public var publicKey: String

        public init(feePercent: Double, closed: Bool, closedMessage: String, publicKey: String) {
            self.feePercent = feePercent
            self.closed = closed
            self.closedMessage = closedMessage
            self.publicKey = publicKey
        }
    }
    /// Set: the legacy user pages are off (404 naming the vspd API), `/` and `/stats` show the VSP, sign-in leads to /admin.
    public var vspOnly: VspOnly? = nil

    /// The explorer prefix in force ("" for no links).
    public var ticketExplorerURL: String { explorerURL ?? PoolConfig.defaultExplorerURL(network: shortNetwork) }

    public init(network: String = "mainnet", shortNetwork: String = "mainnet", poolEmail: String = "",
                poolFees: Double = 7.5, poolLink: String = "", closePool: Bool = false, closePoolMessage: String = "",
                smtpDisabled: Bool = false, maxVotedAge: Int64 = 8640, cookieSecret: String, cookieSecure: Bool = false,
                publicPath: String = "public", adminIPs: [String] = [], voteVersion: UInt32 = 0, agendas: [Agenda] = [],
                maintenance: Bool = false, revealCaptchaForTests: Bool = false,
                addressIDs: NetParams.AddressIDs = NetParams.mainnet.addressIDs,
                minPasswordLength: Int = PasswordPolicy.defaultMinimumLength) {
        self.network = network
        self.shortNetwork = shortNetwork
        self.poolEmail = poolEmail
        self.poolFees = poolFees
        self.poolLink = poolLink
        self.closePool = closePool
        self.closePoolMessage = closePoolMessage
        self.smtpDisabled = smtpDisabled
        self.maxVotedAge = maxVotedAge
        self.cookieSecret = cookieSecret
        self.cookieSecure = cookieSecure
        self.publicPath = publicPath
        self.adminIPs = adminIPs
        self.voteVersion = voteVersion
        self.agendas = agendas
        self.maintenance = maintenance
        self.revealCaptchaForTests = revealCaptchaForTests
        self.addressIDs = addressIDs
        self.minPasswordLength = minPasswordLength
    }
}

/// The wallet calls the tickets page needs (spec §8), implemented by the wallet pool.
public protocol TicketInfoSource: Sendable {
    func stakePoolUserInfo(multisigAddress: String) async throws -> StakePoolUserInfo
    func bestBlockHeight() async throws -> Int64
}
