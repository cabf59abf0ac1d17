/// One hour of the pool's history (`PoolHistory` table): what the web app saw at the start of the
/// hour. The figures are running totals (votes, misses, fee revenue) or levels (live tickets, users), so a chart
/// of a day or a window's revenue is a difference between two rows. One row per hour: every web host sharing the
/// database writes the same hour's row (`StorageWriter.upsertHistorySample`).
public struct PoolHistorySample: Hashable, Sendable {
    /// Unix seconds of the hour's start (a multiple of 3600): the row's key.
    public var hourStart: Int64
    /// The pool's live tickets (`getstakeinfo` `live`).
    public var liveTickets: Int64
    /// Votes cast by the pool's tickets so far (`voted`).
    public var votedTotal: Int64
    /// Votes missed by the pool's tickets so far (`missed`).
    public var missedTotal: Int64
    /// Accounts (`Users` rows).
    public var users: Int64
    /// Accounts with a submitted address.
    public var activeUsers: Int64
    /// The pool's fee revenue so far, in atoms (`poolfees` percent of the votes' total subsidy).
    public var feeRevenueAtoms: Int64

    public static let secondsPerHour: Int64 = 3_600

    public init(hourStart: Int64, liveTickets: Int64 = 0, votedTotal: Int64 = 0, missedTotal: Int64 = 0, users: Int64 = 0,
                activeUsers: Int64 = 0, feeRevenueAtoms: Int64 = 0) {
        self.hourStart = hourStart
        self.liveTickets = liveTickets
        self.votedTotal = votedTotal
        self.missedTotal = missedTotal
        self.users = users
        self.activeUsers = activeUsers
        self.feeRevenueAtoms = feeRevenueAtoms
    }

    /// The start of the hour holding `unixSeconds`.
    public static func hour(containing unixSeconds: Int64) -> Int64 {
        unixSeconds - ((unixSeconds % secondsPerHour) + secondsPerHour) % secondsPerHour
    }
}
