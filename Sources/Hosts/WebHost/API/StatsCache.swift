import PoolKernel

/// The pool stats behind `GET /api/v{1,2}/stats` and the stats page: `getstakeinfo` plus user
/// counts, refreshed in the background so a request never waits on wallets or storage.
///
/// `run()` refreshes every `refreshInterval`. A snapshot older than `maxAge` (5 minutes, as
/// dcrstakepool's cache) is not served; a failed refresh keeps the previous snapshot until then.
/// `currentAtTip()` (the stats page) also refreshes as soon as the chain tip (`tipHeight`) has moved past the
/// snapshot's block: a vote shows at once instead of after the next timed refresh.
public final class StatsCache: EngineService {
    /// One refresh's result, with the API's success body already encoded.
    public struct Snapshot: Sendable {
        public var stakeInfo: StakeInfo
        public var userCount: Int
        public var activeUserCount: Int
        /// Monotonic ns of the refresh.
        public var refreshedAt: UInt64
        /// The whole `stats` success response body (envelope + newline).
        let apiBody: [UInt8]
    }

    public let name = "stats"
    private let storage: any StorageBackend
    private let wallets: any WalletPoolReporting
    private let configuration: APIConfiguration
    private let refreshInterval: Duration
    private let maxAge: UInt64
    private let logger: Logger
    private let snapshot = LockedValue<Snapshot?>(nil)
    private let tipHeight: (@Sendable () async -> Int64?)?

    /// - Parameter tipHeight: the best block's height (nil when unknown); without it only the timer refreshes.
    public init(storage: any StorageBackend, wallets: any WalletPoolReporting, configuration: APIConfiguration,
                refreshInterval: Duration = .seconds(60), maxAge: Duration = .seconds(300),
                tipHeight: (@Sendable () async -> Int64?)? = nil, logger: Logger) {
        self.tipHeight = tipHeight
        self.storage = storage
        self.wallets = wallets
        self.configuration = configuration
        self.refreshInterval = refreshInterval
        self.maxAge = MonotonicClock.nanoseconds(maxAge)
        self.logger = logger
    }

    public func run() async throws {
        while !Task.isCancelled {
            await refresh()
            try await Task.sleep(for: refreshInterval)
        }
    }

    /// The latest snapshot if it is younger than `maxAge`.
    public var current: Snapshot? {
        guard let value = snapshot.value, MonotonicClock.now() &- value.refreshedAt <= maxAge else { return nil }
        return value
    }

    /// The latest snapshot, refreshed first when it is too old or the chain has a new block since it was taken
    /// (a failed refresh serves the previous one while it is younger than `maxAge`).
    public func currentAtTip() async -> Snapshot? {
        guard let cached = current else { return await refresh() }
        guard let tipHeight, let tip = await tipHeight(), tip != cached.stakeInfo.blockHeight else { return cached }
        return await refresh() ?? cached
    }

    /// Fetches stake info and user counts now; returns the new snapshot, or nil on failure.
    @discardableResult
    public func refresh() async -> Snapshot? {
        do {
            let stakeInfo = try await wallets.stakeInfo()
            let (users, active) = try await storage.read { reader in (try reader.userCount(), try reader.activeUserCount()) }
            let data = StatsCache.statsData(stakeInfo, userCount: users, activeUserCount: active, configuration: configuration)
            let body = APIEnvelope.body(status: "success", code: .ok, message: "stats successfully retrieved", data: .value(data))
            let fresh = Snapshot(stakeInfo: stakeInfo, userCount: users, activeUserCount: active,
                                 refreshedAt: MonotonicClock.now(), apiBody: body)
            snapshot.withLock { $0 = fresh }
            return fresh
        } catch {
            logger.warn("stats refresh failed: \(error)")
            return nil
        }
    }

    /// The `data` object of `stats` in the spec's field order (§4.5).
    static func statsData(_ info: StakeInfo, userCount: Int, activeUserCount: Int,
                          configuration: APIConfiguration) -> GoJSONValue {
        .object([
            ("AllMempoolTix", .int(Int64(info.allMempoolTix))),
            ("APIVersionsSupported", .array([.int(1), .int(2)])),
            ("BlockHeight", .int(info.blockHeight)),
            ("Difficulty", .number(info.difficulty)),
            ("Expired", .int(Int64(info.expired))),
            ("Immature", .int(Int64(info.immature))),
            ("Live", .int(Int64(info.live))),
            ("Missed", .int(Int64(info.missed))),
            ("OwnMempoolTix", .int(Int64(info.ownMempoolTix))),
            ("PoolSize", .int(Int64(info.poolSize))),
            ("ProportionLive", .number(info.proportionLive)),
            ("ProportionMissed", .number(info.proportionMissed)),
            ("Revoked", .int(Int64(info.revoked))),
            ("TotalSubsidy", .number(info.totalSubsidy)),
            ("Voted", .int(Int64(info.voted))),
            ("Network", .string(configuration.network)),
            ("PoolEmail", .string(configuration.poolEmail)),
            ("PoolFees", .number(configuration.poolFees)),
            ("PoolStatus", .string(configuration.closePool ? "Closed" : "Open")),
            ("UserCount", .int(Int64(userCount))),
            ("UserCountActive", .int(Int64(activeUserCount))),
            ("Version", .string(configuration.version)),
        ])
    }
}
