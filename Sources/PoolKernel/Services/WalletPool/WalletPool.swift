import Foundation

/// All voting wallets of the pool behind dcrstakepool's multi-wallet rules (wallet-rpc.md §3, webapp.md §6.5):
/// per-operation `minservers`, adjacent consistency checks, and fail-closed shutdown that stays down.
///
/// ```swift
/// let pool = WalletPool(members: wallets, configuration: .init(minServers: 2), logger: log)
/// let validation = try await pool.validateAddress(ticketAddress)   // every answering wallet must agree
/// ```
///
/// Differences from dcrstakepool, on purpose:
/// - Wallets are asked concurrently; results are still judged in `wallethosts` order, so outcomes match.
/// - Operations carry no `walletinfo` pre-check of their own; `readiness()` does one round for a whole
///   address submission and also refuses when any wallet is down, locked or behind the chain tip.
/// - `importScript` reports an unavailable wallet as `walletUnavailable` (not as an error mismatch), so a wallet
///   dropping out refuses the submission without stopping the pool.
/// - With `autoRecover`, the monitor resumes a stopped pool once every wallet agrees again (audited).
public final class WalletPool: Sendable {
    /// Pool settings (from `minservers`, `walletautorecover`).
    public struct Configuration: Sendable {
        /// `minservers`: operations with fewer answering wallets fail.
        public var minServers: Int
        /// `walletautorecover`: resume a stopped pool automatically once all wallets agree again.
        public var autoRecover: Bool
        /// A wallet more than this many blocks behind the highest wallet (or the chain tip) counts as lagging.
        public var maxLagBlocks: Int64
        /// How often the monitor probes every wallet.
        public var probeInterval: TimeInterval
        /// Reconnect back-off: `base × attempt`, capped.
        public var reconnectBase: TimeInterval
        public var reconnectCap: TimeInterval

        public init(minServers: Int = 2, autoRecover: Bool = false, maxLagBlocks: Int64 = 2,
                    probeInterval: TimeInterval = 15, reconnectBase: TimeInterval = 5, reconnectCap: TimeInterval = 60) {
            self.minServers = minServers
            self.autoRecover = autoRecover
            self.maxLagBlocks = maxLagBlocks
            self.probeInterval = probeInterval
            self.reconnectBase = reconnectBase
            self.reconnectCap = reconnectCap
        }
    }

    /// One configured wallet: a label for logs and tables (the host, never credentials) and its backend.
    public struct Member: Sendable {
        public var label: String
        public var backend: any WalletBackend
        public init(label: String, backend: any WalletBackend) {
            self.label = label
            self.backend = backend
        }
    }

    /// The result of `readiness()`: every wallet answered, is unlocked, connected to its node and synced.
    public struct Readiness: Sendable {
        /// `getbestblock` of the first wallet (dcrstakepool's `HeightRegistered` source).
        public var bestBlock: BestBlock
        public var infos: [WalletInfo]
    }

    public let configuration: Configuration
    public let labels: [String]
    let logger: Logger
    let alerter: OperatorAlerter?
    let auditLog: (any WalletPoolAuditLog)?
    let chainTip: (@Sendable () async throws -> Int64)?
    let clock: @Sendable () -> Date
    private let backends: LockedValue<[any WalletBackend]>
    let health: LockedValue<WalletPoolHealthStateMachine>
    /// Highest `accountsyncaddressindex` sent to every wallet (addresses below it report `ismine`).
    private let syncedAddressIndex = LockedValue<UInt32>(0)
    /// When the last probe round finished (nil before the first): the age of `lastProbedWalletStatuses()`.
    let lastProbeAt = LockedValue<Date?>(nil)

    /// - Parameters:
    ///   - members: the wallets in `wallethosts` order.
    ///   - alerter: operator alerts (down, lagging, disagreeing, recovered); nil logs only.
    ///   - auditLog: records stops and recoveries.
    ///   - chainTip: the node's best height, to detect wallets behind the chain; nil compares wallets only.
    public init(members: [Member], configuration: Configuration = Configuration(), logger: Logger,
                alerter: OperatorAlerter? = nil, auditLog: (any WalletPoolAuditLog)? = nil,
                chainTip: (@Sendable () async throws -> Int64)? = nil, clock: @escaping @Sendable () -> Date = { Date() }) {
        self.configuration = configuration
        labels = members.map(\.label)
        self.logger = logger
        self.alerter = alerter
        self.auditLog = auditLog
        self.chainTip = chainTip
        self.clock = clock
        backends = LockedValue(members.map(\.backend))
        health = LockedValue(WalletPoolHealthStateMachine(labels: members.map(\.label), now: clock()))
    }

    /// The number of configured wallets.
    public var count: Int { labels.count }

    /// Whether the pool shut down after a failed or inconsistent result.
    public var isStopped: Bool { health.withLock { $0.isStopped } }

    /// The backend of wallet `index` (for the sync and `poolctl`).
    public func backend(_ index: Int) -> any WalletBackend { backends.withLock { $0[index] } }

    /// A snapshot for `/status` and `/metrics`.
    public func status() -> WalletPoolStatus {
        let machine = health.value
        var stopReason: String?
        var stoppedSince: Date?
        if case .stopped(let reason, let since) = machine.mode {
            stopReason = reason
            stoppedSince = since
        }
        let wallets = machine.wallets.enumerated().map { index, wallet in
            WalletPoolStatus.Wallet(
                index: index, label: labels[index], condition: wallet.condition,
                connected: wallet.condition.isConnected, daemonConnected: wallet.info?.daemonConnected ?? false,
                unlocked: wallet.info?.unlocked ?? false, voting: wallet.info?.voting ?? false,
                voteVersion: wallet.info?.voteVersion, bestHeight: wallet.bestHeight, lastError: wallet.lastError,
                since: wallet.since, missingScripts: wallet.missingScripts, missingTickets: wallet.missingTickets,
                lastChecked: wallet.lastChecked)
        }
        return WalletPoolStatus(wallets: wallets, minServers: configuration.minServers,
                                autoRecover: configuration.autoRecover, isStopped: machine.isStopped,
                                stopReason: stopReason, stoppedSince: stoppedSince)
    }

    // MARK: - Fail closed

    /// dcrstakepool's "RPC stop": logs `RPC <function> failed: <error>`, shuts the pool down and keeps it down
    /// (until restart, or automatic recovery when enabled). Alerts the operator and writes the audit log.
    public func stop(function: String, error: any Error) async {
        let reason = (error as? any CodedError)?.message ?? "\(error)"
        let now = clock()
        await perform(health.withLock { $0.stop(function: function, reason: reason, now: now) })
    }

    /// Resumes a stopped pool (automatic recovery). `event` names it in the audit log.
    func resume(event: String, reason: String) async {
        let now = clock()
        await perform(health.withLock { $0.resume(event: event, reason: reason, now: now) })
    }

    func ensureRunning() throws {
        if case .stopped(let reason, _) = health.value.mode {
            throw WalletPoolError(.stopped, "wallet RPC client is stopped (\(reason)); wallet operations are "
                + "refused until the wallets are verified and the pool restarted")
        }
    }

    // MARK: - Operations (wallet-rpc.md §3.2)

    /// `validateaddress` on every wallet; at least `minservers` answer; adjacent `pubkey`s equal.
    public func validateAddress(_ address: String) async throws -> AddressValidation {
        try await guarded(mismatch: "non equivalent pubkey returned", same: { $0.pubKey == $1.pubKey }) {
            try await $0.validateAddress(address)
        }
    }

    /// `createmultisig` on every wallet; at least `minservers` answer; adjacent `redeemScript`s equal.
    public func createMultisig(nRequired: Int, keys: [String]) async throws -> MultisigScript {
        try await guarded(mismatch: "non equivalent redeem script returned",
                          same: { $0.redeemScript == $1.redeemScript }) {
            try await $0.createMultisig(nRequired: nRequired, keys: keys)
        }
    }

    /// `getstakeinfo` on every wallet; at least `minservers` answer; adjacent `live` counts equal.
    public func stakeInfo() async throws -> StakeInfo {
        try await guarded(mismatch: "non equivalent Live returned", same: { $0.live == $1.live }) {
            try await $0.stakeInfo()
        }
    }

    /// `importscript <hex> true <scanFrom>` on **every** wallet. Every wallet must answer (an unavailable one
    /// gives `walletUnavailable`); their errors must agree (`non equivalent error returned 1/2`); wallet 0's
    /// error is the result.
    public func importScript(_ scriptHex: String, scanFrom: Int64) async throws {
        try ensureRunning()
        let outcomes = await callEach { try await $0.importScript(scriptHex, rescan: true, scanFrom: scanFrom) }
        await note(outcomes)
        if let index = outcomes.firstIndex(where: \.isUnavailable), case .unavailable(let error) = outcomes[index] {
            throw WalletPoolError(.walletUnavailable, "wallet server \(index) (\(labels[index])) is unavailable: "
                + error.message, walletIndex: index, underlying: error)
        }
        for index in outcomes.indices.dropLast() {
            let (left, right) = (outcomes[index].errorText, outcomes[index + 1].errorText)
            if (left == nil) != (right == nil) {
                throw WalletPoolError(.inconsistent, "non equivalent error returned 1", walletIndex: index + 1)
            }
            if let left, let right, left != right {
                throw WalletPoolError(.inconsistent, "non equivalent error returned 2", walletIndex: index + 1)
            }
        }
        if let first = outcomes.first, case .failure(let error) = first { throw Self.wrap(error, index: 0) }
    }

    /// `getbestblock`: the first wallet (in order) that answers; a real failure aborts; none →
    /// `unable to get best block`.
    public func bestBlock() async throws -> BestBlock {
        for index in 0..<count {
            do {
                let block = try await backend(index).bestBlock()
                await noteAnswered(index)
                return block
            } catch let error as WalletError where error.isUnavailable {
                await noteUnavailable(index, error)
            } catch {
                throw Self.wrap(error, index: index)
            }
        }
        throw WalletPoolError(.noBestBlock, "unable to get best block")
    }

    /// `stakepooluserinfo` in first-response mode (the tickets page): wallets in order, the first answer wins;
    /// if all fail, the last error. Unavailable wallets are skipped (the original crashed on them).
    public func stakePoolUserInfo(multisigAddress: String) async throws -> StakePoolUserInfo {
        var lastError: (any Error)?
        for index in 0..<count {
            do {
                return try await backend(index).stakePoolUserInfo(multisigAddress: multisigAddress)
            } catch {
                lastError = Self.wrap(error, index: index)
            }
        }
        throw lastError ?? WalletPoolError(.belowMinServers, "no wallet configured")
    }

    /// The `connected` round (`walletinfo` on every wallet): a failure aborts, fewer than `minservers` answers
    /// fail, and every answering wallet must be connected to its node and unlocked. Returns one entry per
    /// wallet, nil for wallets that did not answer.
    public func walletInfoRound() async throws -> [WalletInfo?] {
        let outcomes = await callEach { try await $0.walletInfo() }
        await note(outcomes)
        if let index = outcomes.firstIndex(where: \.isFailure), case .failure(let error) = outcomes[index] {
            throw Self.wrap(error, index: index)
        }
        let infos = outcomes.map(\.value)
        let answered = infos.compactMap { $0 }.count
        if answered < configuration.minServers {
            throw WalletPoolError.belowMin(available: answered, minimum: configuration.minServers)
        }
        for (index, info) in infos.enumerated() {
            guard let info else { continue }
            if !info.daemonConnected {
                throw WalletPoolError(.notConnectedToDaemon, "wallet server \(index) not connected to daemon",
                                      walletIndex: index)
            }
            if !info.unlocked {
                throw WalletPoolError(.locked, "wallet server \(index) locked", walletIndex: index)
            }
        }
        return infos
    }

    /// Checks that an address submission can run now: the pool is not stopped, at least `minservers` and in
    /// fact **every** wallet answer `walletinfo` and `getbestblock`, each is connected to its node, unlocked and
    /// within `maxLagBlocks` of the highest wallet and the chain tip. Throws a clear `WalletPoolError`
    /// otherwise; nothing is changed anywhere.
    public func readiness() async throws -> Readiness {
        try ensureRunning()
        let outcomes = await callEach { wallet -> (WalletInfo, BestBlock) in
            let info = try await wallet.walletInfo()
            return (info, try await wallet.bestBlock())
        }
        await note(outcomes)
        if let index = outcomes.firstIndex(where: \.isFailure), case .failure(let error) = outcomes[index] {
            throw Self.wrap(error, index: index)
        }
        let answered = outcomes.compactMap(\.value)
        if answered.count < configuration.minServers {
            throw WalletPoolError.belowMin(available: answered.count, minimum: configuration.minServers)
        }
        if let index = outcomes.firstIndex(where: \.isUnavailable) {
            throw WalletPoolError(.walletUnavailable, "wallet server \(index) (\(labels[index])) is unavailable; "
                + "address submissions need every wallet, try again later", walletIndex: index)
        }
        for (index, (info, _)) in answered.enumerated() {
            if !info.daemonConnected {
                throw WalletPoolError(.notConnectedToDaemon, "wallet server \(index) not connected to daemon",
                                      walletIndex: index)
            }
            if !info.unlocked { throw WalletPoolError(.locked, "wallet server \(index) locked", walletIndex: index) }
        }
        var top = answered.map(\.1.height).max() ?? 0
        if let chainTip, let tip = try? await chainTip() { top = max(top, tip) }
        for (index, (_, block)) in answered.enumerated() where top - block.height > configuration.maxLagBlocks {
            throw WalletPoolError(.lagging, "wallet server \(index) is \(top - block.height) blocks behind the chain "
                + "tip (\(block.height) < \(top)); try again once it has caught up", walletIndex: index)
        }
        return Readiness(bestBlock: answered[0].1, infos: answered.map(\.0))
    }

    /// Makes sure every wallet watches the default account's external addresses up to `index` (exclusive), so
    /// ticket addresses of high user ids report `ismine` (dcrstakepool stopped at 10,000).
    public func ensureAddressIndex(_ index: UInt32) async throws {
        guard index > syncedAddressIndex.value else { return }
        let outcomes = await callEach { try await $0.accountSyncAddressIndex(account: "default", branch: 0, index: index) }
        await note(outcomes)
        for (position, outcome) in outcomes.enumerated() {
            switch outcome {
            case .success: continue
            case .unavailable(let error):
                throw WalletPoolError(.walletUnavailable, "wallet server \(position) (\(labels[position])) is "
                    + "unavailable: \(error.message)", walletIndex: position, underlying: error)
            case .failure(let error): throw Self.wrap(error, index: position)
            }
        }
        syncedAddressIndex.withLock { $0 = max($0, index) }
    }

    /// The address index every wallet is known to watch up to.
    public var addressIndex: UInt32 { syncedAddressIndex.value }

    // MARK: - Probing (used by the monitor and `poolctl`)

    /// One probe round (`walletinfo` + `getbestblock` on every wallet, regardless of the pool mode); updates
    /// every wallet's condition and sends the alerts for changes.
    @discardableResult
    public func probe() async -> WalletPoolStatus {
        let outcomes = await callEach { wallet -> (WalletInfo, BestBlock) in
            let info = try await wallet.walletInfo()
            return (info, try await wallet.bestBlock())
        }
        let observations: [WalletPoolHealthStateMachine.Observation] = outcomes.map { outcome in
            switch outcome {
            case .success(let (info, block)): .answered(info, height: block.height)
            case .unavailable(let error): .unavailable(error.message)
            case .failure(let error): .failed((error as? any CodedError)?.message ?? "\(error)")
            }
        }
        let tip: Int64? = if let chainTip { try? await chainTip() } else { nil }
        let now = clock()
        let maxLag = configuration.maxLagBlocks
        await perform(health.withLock { $0.probed(observations, chainTip: tip, maxLag: maxLag, now: now) })
        lastProbeAt.withLock { $0 = now }
        return status()
    }

    /// Replaces wallet `index`'s backend (after a reconnect) and closes the old one.
    func replaceBackend(_ index: Int, with backend: any WalletBackend) async {
        let old = backends.withLock { list -> any WalletBackend in
            let old = list[index]
            list[index] = backend
            return old
        }
        await old.close()
    }

    // MARK: - Internals

    enum Outcome<Value: Sendable>: Sendable {
        case success(Value)
        case unavailable(WalletError)
        case failure(any Error)

        var value: Value? { if case .success(let value) = self { value } else { nil } }
        var isUnavailable: Bool { if case .unavailable = self { true } else { false } }
        var isFailure: Bool { if case .failure = self { true } else { false } }
        /// The error text as dcrstakepool compares it (unavailability counts as an error).
        var errorText: String? {
            switch self {
            case .success: nil
            case .unavailable(let error): error.message
            case .failure(let error): (error as? any CodedError)?.message ?? "\(error)"
            }
        }
    }

    /// Calls every wallet concurrently; results are in `wallethosts` order.
    func callEach<Value: Sendable>(_ call: @escaping @Sendable (any WalletBackend) async throws -> Value) async
        -> [Outcome<Value>]
    {
        let wallets = backends.value
        if wallets.count == 1 { return [await Self.outcome { try await call(wallets[0]) }] }
        return await withTaskGroup(of: (Int, Outcome<Value>).self) { group in
            for (index, wallet) in wallets.enumerated() {
                group.addTask { (index, await Self.outcome { try await call(wallet) }) }
            }
            var results = [Outcome<Value>?](repeating: nil, count: wallets.count)
            for await (index, outcome) in group { results[index] = outcome }
            return results.map { $0 ?? .failure(CancellationError()) }
        }
    }

    private static func outcome<Value>(_ body: () async throws -> Value) async -> Outcome<Value> {
        do {
            return .success(try await body())
        } catch let error as WalletError where error.isUnavailable {
            return .unavailable(error)
        } catch {
            return .failure(error)
        }
    }

    /// The generic rule of §3.2: a failure aborts; fewer than `minservers` answers fail; adjacent answers must
    /// agree; the first answer is the result.
    private func guarded<Value: Sendable>(mismatch: String, same: (Value, Value) -> Bool,
                                          _ call: @escaping @Sendable (any WalletBackend) async throws -> Value)
        async throws -> Value
    {
        try ensureRunning()
        let outcomes = await callEach(call)
        await note(outcomes)
        if let index = outcomes.firstIndex(where: \.isFailure), case .failure(let error) = outcomes[index] {
            throw Self.wrap(error, index: index)
        }
        let values = outcomes.map(\.value)
        let answered = values.compactMap { $0 }
        if answered.count < configuration.minServers {
            throw WalletPoolError.belowMin(available: answered.count, minimum: configuration.minServers)
        }
        for index in values.indices.dropLast() {
            if let left = values[index], let right = values[index + 1], !same(left, right) {
                throw WalletPoolError(.inconsistent, mismatch, walletIndex: index + 1)
            }
        }
        return answered[0]
    }

    static func wrap(_ error: any Error, index: Int) -> any Error {
        if let poolError = error as? WalletPoolError { return poolError }
        if let walletError = error as? WalletError {
            return WalletPoolError(walletError.isUnavailable ? .walletUnavailable : .walletFailed,
                                   walletError.message, walletIndex: index, underlying: walletError)
        }
        return error
    }

    private func note<Value>(_ outcomes: [Outcome<Value>]) async {
        for (index, outcome) in outcomes.enumerated() {
            switch outcome {
            case .unavailable(let error): await noteUnavailable(index, error)
            case .success: await noteAnswered(index)
            case .failure: continue
            }
        }
    }

    private func noteUnavailable(_ index: Int, _ error: WalletError) async {
        let now = clock()
        await perform(health.withLock { $0.unavailable(index, message: error.message, now: now) })
    }

    private func noteAnswered(_ index: Int) async {
        let now = clock()
        let actions = health.withLock { $0.answered(index, now: now) }
        if !actions.isEmpty { await perform(actions) }
    }

    func perform(_ actions: [WalletPoolHealthStateMachine.Action]) async {
        for action in actions {
            switch action {
            case .log(let level, let text): logger.log(level, text)
            case .audit(let entry): await auditLog?.append(entry)
            case .alert(let alert):
                if let alerter { await alerter.send(alert) } else { logger.warn("ALERT \(alert.kind): \(alert.subject)") }
            }
        }
    }
}
