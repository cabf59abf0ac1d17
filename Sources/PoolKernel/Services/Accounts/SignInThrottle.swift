/// Limits on failed sign-in attempts, counted in fixed windows in storage (so several web hosts sharing one
/// database share the counts), built so that a stranger cannot lock the owner out:
///
/// - per client IP (`perIP`) and per (account, client IP) (`perAccountIP`), an IPv6 client by its /64: beyond
///   either, that IP is refused
///   for the rest of the window. Each attempt takes a unit with `incrementRateCount(key:windowStart:limit:)`
///   (check and count in one atomic step, so a burst of parallel POSTs cannot pass the limit) before bcrypt
///   runs; a successful sign-in gives its units back, so only failures stay counted.
/// - per account from every IP (`accountSlowdownAfter`): beyond it, each attempt for that account waits
///   `slowdown` first. It never refuses, so the owner signing in from their own address still gets in.
public struct SignInThrottle: Sendable, Equatable {
    /// Failed attempts allowed from one client IP per window (all accounts).
    public var perIP: Int
    /// Failed attempts allowed for one account from one client IP per window.
    public var perAccountIP: Int
    /// Failed attempts for one account (from any IP) per window after which attempts are slowed down.
    public var accountSlowdownAfter: Int
    /// The wait added to each attempt on an account past `accountSlowdownAfter`.
    public var slowdown: Duration
    /// Window length in seconds.
    public var window: Int64

    public init(perIP: Int = 20, perAccountIP: Int = 10, accountSlowdownAfter: Int = 50,
                slowdown: Duration = .seconds(2), window: Int64 = 900) {
        self.perIP = perIP
        self.perAccountIP = perAccountIP
        self.accountSlowdownAfter = accountSlowdownAfter
        self.slowdown = slowdown
        self.window = max(window, 1)
    }

    public static let message = "Too many sign-in attempts. Please wait 15 minutes and try again."

    func windowStart(now: Int64) -> Int64 { now - now % window }
    /// Counted per client as the other per-IP limits are: an IPv4 address, or an IPv6 /64 (one subscriber holds a
    /// whole /64; counting single IPv6 addresses would let it guess without limit).
    static func ipKey(_ ip: String) -> String { "signin-ip:" + String(IPAddress.clientKey(ip).prefix(100)) }
    static func accountIPKey(_ email: String, _ ip: String) -> String {
        "signin-account-ip:" + String(IPAddress.clientKey(ip).prefix(45)) + "|" + String(EmailKey.fold(email).prefix(180))
    }
    static func accountKey(_ email: String) -> String { "signin-account:" + String(EmailKey.fold(email).prefix(200)) }

    /// What the throttle decided before the password is checked.
    enum Admission: Sendable, Equatable {
        /// Refused: this IP, or this account from this IP, is at its limit (nothing counted).
        case refused
        /// Counted; `slowDown` when the account as a whole has seen many failures.
        case admitted(slowDown: Bool)
    }

    /// Takes one unit of the IP's and the (account, IP)'s limits in one transaction (both or neither).
    func admit(_ writer: any StorageWriter, ip: String, email: String, now: Int64) throws -> Admission {
        let start = windowStart(now: now)
        guard try writer.incrementRateCount(key: Self.ipKey(ip), windowStart: start, limit: perIP) else { return .refused }
        guard try writer.incrementRateCount(key: Self.accountIPKey(email, ip), windowStart: start, limit: perAccountIP) else {
            try writer.releaseRateCount(key: Self.ipKey(ip), windowStart: start)
            return .refused
        }
        let accountFailures = try writer.rateCount(key: Self.accountKey(email), windowStart: start)
        return .admitted(slowDown: accountFailures >= accountSlowdownAfter)
    }

    /// After a good password: the attempt was not a failure, so its units go back.
    func succeeded(_ writer: any StorageWriter, ip: String, email: String, now: Int64) throws {
        let start = windowStart(now: now)
        try writer.releaseRateCount(key: Self.ipKey(ip), windowStart: start)
        try writer.releaseRateCount(key: Self.accountIPKey(email, ip), windowStart: start)
    }

    /// After a wrong password: the account-wide count (which only ever slows down) goes up.
    func failed(_ writer: any StorageWriter, email: String, now: Int64) throws {
        _ = try writer.incrementRateCount(key: Self.accountKey(email), windowStart: windowStart(now: now))
    }
}
