/// Per-IP and per-account limits on failed sign-in attempts, counted in fixed windows in storage (so several
/// web hosts sharing one database share the counts).
public struct SignInThrottle: Sendable, Equatable {
    /// Failed attempts allowed from one client IP per window.
    public var perIP: Int
    /// Failed attempts allowed for one account (email) per window.
    public var perAccount: Int
    /// Window length in seconds.
    public var window: Int64

    public init(perIP: Int = 20, perAccount: Int = 10, window: Int64 = 900) {
        self.perIP = perIP
        self.perAccount = perAccount
        self.window = max(window, 1)
    }

    public static let message = "Too many sign-in attempts. Please wait 15 minutes and try again."

    func windowStart(now: Int64) -> Int64 { now - now % window }
    static func ipKey(_ ip: String) -> String { "signin-ip:" + String(ip.prefix(100)) }
    static func accountKey(_ email: String) -> String { "signin-account:" + String(EmailKey.fold(email).prefix(200)) }

    /// Whether either counter is at its limit already.
    func isLimited(_ reader: any StorageReader, ip: String, email: String, now: Int64) throws -> Bool {
        let start = windowStart(now: now)
        return try reader.rateCount(key: Self.ipKey(ip), windowStart: start) >= perIP
            || reader.rateCount(key: Self.accountKey(email), windowStart: start) >= perAccount
    }

    /// Counts one failed attempt for the IP and the account.
    func recordFailure(_ writer: any StorageWriter, ip: String, email: String, now: Int64) throws {
        let start = windowStart(now: now)
        _ = try writer.incrementRateCount(key: Self.ipKey(ip), windowStart: start)
        _ = try writer.incrementRateCount(key: Self.accountKey(email), windowStart: start)
    }
}
