import Foundation

/// The web app's start-up work on the wallets and users (webapp.md §9.1, §9.6, §10.1 step 9; wallet-rpc.md §3.3,
/// §4): vote-version agreement, the vote-bits reset, and the wallet sync that brings every wallet to the same
/// scripts and tickets — including a wallet restored from seed with nothing imported (disaster recovery).
///
/// Differences from dcrstakepool, on purpose:
/// - Tickets are compared on every start, not only after a script import, so a wallet that lost only tickets is
///   repaired too; imports and ticket additions run concurrently (bounded) with progress and ETA in the log.
/// - `accountsyncaddressindex` goes to max(10,000, highest user id + 1): no 10,000-user cap.
/// - Interrupted address submissions (pending scripts) are imported as well and, when a registration service is
///   given, completed.
/// - `skipvotebitssync` is accepted and logged as having no effect.
public final class StartupSync: Sendable {
    public struct Configuration: Sendable {
        /// `skipvotebitssync` (no effect; logged).
        public var skipVoteBitsSync: Bool
        /// Wallet calls in flight per wallet during imports and ticket additions.
        public var concurrency: Int
        /// Seconds between progress lines.
        public var progressInterval: TimeInterval
        /// Users read per storage transaction.
        public var pageSize: Int

        public init(skipVoteBitsSync: Bool = false, concurrency: Int = 32, progressInterval: TimeInterval = 5,
                    pageSize: Int = 2_000) {
            self.skipVoteBitsSync = skipVoteBitsSync
            self.concurrency = concurrency
            self.progressInterval = progressInterval
            self.pageSize = pageSize
        }
    }

    let pool: WalletPool
    let storage: any StorageBackend
    let configuration: Configuration
    let logger: Logger
    let registration: AddressRegistration?

    public init(pool: WalletPool, storage: any StorageBackend, configuration: Configuration = Configuration(),
                registration: AddressRegistration? = nil, logger: Logger) {
        self.pool = pool
        self.storage = storage
        self.configuration = configuration
        self.registration = registration
        self.logger = logger
    }

    /// Everything in dcrstakepool's order: vote version (§9.1), vote-bits reset (§9.6), wallet sync (§10.1.9).
    /// `agendas` gives the agendas of a vote version (from the network parameters).
    public func run(agendas: @Sendable (UInt32) -> [Agenda]) async throws -> StartupSyncReport {
        let version = try await agreedVoteVersion()
        var report = try await resetVoteBits(voteVersion: version, agendas: agendas(version))
        let sync = try await syncWallets()
        report.totalScripts = sync.totalScripts
        report.scriptsImported = sync.scriptsImported
        report.totalTickets = sync.totalTickets
        report.ticketsAdded = sync.ticketsAdded
        report.pendingCompleted = sync.pendingCompleted
        return report
    }

    // MARK: - Vote version (§9.1, wallet-rpc §3.3)

    /// `walletinfo` on every wallet: all must answer, vote versions must be equal and non-zero.
    public func agreedVoteVersion() async throws -> UInt32 {
        let infos = try await everyWalletInfo()
        for index in infos.indices.dropFirst() where infos[index].voteVersion != infos[index - 1].voteVersion {
            throw WalletPoolError(.inconsistent, "wallets \(index - 1) and \(index) have mismatched vote versions",
                                  walletIndex: index)
        }
        guard let version = infos.first?.voteVersion, version != 0 else {
            throw WalletPoolError(.inconsistent, "Failed to get wallets' Vote Version: vote version is 0")
        }
        return version
    }

    // MARK: - Vote bits (§9.6)

    /// `CheckAndResetUserVoteBits`: users on another vote version get it and vote bits 1; users whose vote bits
    /// are invalid for `agendas` get 1. Either way a changed user ends at vote bits 1 on `voteVersion`, so a page
    /// of users is set in one storage call (set-based statements, not a whole-row update per user). When a page's
    /// write fails, its users are set one at a time, and a user whose write fails is logged and skipped.
    public func resetVoteBits(voteVersion: UInt32, agendas: [Agenda]) async throws -> StartupSyncReport {
        if configuration.skipVoteBitsSync {
            logger.info("skipvotebitssync is set: it has no effect (per-ticket vote bits no longer exist; users' "
                + "vote bits are checked below as always)")
        }
        var report = StartupSyncReport()
        report.voteVersion = voteVersion
        var after: UserId = 0
        let pageSize = configuration.pageSize
        while true {
            let cursor = after
            let page = try await storage.read { try $0.users(afterId: cursor, limit: pageSize) }
            guard let last = page.last else { break }
            after = last.id
            report.usersChecked += page.count
            let changes = page.compactMap { VoteBitsReset(user: $0, voteVersion: voteVersion, agendas: agendas) }
            guard !changes.isEmpty else { continue }
            let ids = changes.map(\.userId)
            do {
                try await storage.write { try $0.setVoteBits(1, version: voteVersion, userIds: ids) }
                for change in changes { record(change, in: &report) }
            } catch {
                for change in changes {
                    do {
                        try await storage.write { try $0.setVoteBits(1, version: voteVersion, userIds: [change.userId]) }
                        record(change, in: &report)
                    } catch {
                        logger.error("failed to update vote bits for uid \(change.userId): \(error)")
                    }
                }
            }
        }
        return report
    }

    /// Logs a user's reset, once it is stored, as dcrstakepool does, and counts it.
    private func record(_ change: VoteBitsReset, in report: inout StartupSyncReport) {
        for line in change.lines { logger.info(line) }
        if change.versionUpdated { report.voteBitsVersionUpdated += 1 }
        if change.bitsReset { report.voteBitsReset += 1 }
    }

    // MARK: - Wallet sync (§10.1 step 9, wallet-rpc §4)

    /// Brings every wallet to the union of scripts (database + every wallet) and tickets (every wallet).
    public func syncWallets() async throws -> StartupSyncReport {
        var report = StartupSyncReport()
        _ = try await everyWalletInfo(syncPrefix: true)

        // Watch every user's ticket address (no 10,000 cap).
        var database = try await databaseScripts()
        let wanted = UInt32(clamping: max(10_000, (database.maxUserId?.rawValue ?? 0) + 1))
        do {
            try await pool.ensureAddressIndex(wanted)
        } catch {
            throw WalletPoolError(.walletFailed, "failure on startup sync: accountsyncaddressindex: \(Self.text(error))")
        }

        // ALL scripts, compared as bytes (a million users: no String per script): database rows keep their lowest
        // height; wallet-only scripts use 0. `held[w][i]`: wallet w has script i (an index of `all`).
        // Moved out, not shared: the first insert would otherwise copy every database script (copy on write).
        var all = database.scripts, heights = database.heights
        (database.scripts, database.heights) = (ScriptSet(), [])
        var held: [[Bool]] = []
        for index in 0..<pool.count {
            let scripts: ScriptSet
            do {
                scripts = try await pool.backend(index).listScriptSet()
            } catch {
                throw WalletPoolError(.walletFailed, "failure on startup sync: listscripts on wallet server \(index): "
                    + Self.text(error), walletIndex: index)
            }
            var onWallet = [Bool](repeating: false, count: all.count)
            for script in 0..<scripts.count {
                let (isNew, position) = all.insert(scripts[script])
                if isNew {
                    heights.append(0)
                    onWallet.append(false)
                }
                onWallet[position] = true
            }
            held.append(onWallet)
        }
        report.totalScripts = all.count

        for index in 0..<pool.count {
            // In the order of their hex, as before the scripts were bytes.
            let missing = (0..<all.count).filter { $0 >= held[index].count || !held[index][$0] }.sorted(by: all.precedes)
            report.scriptsImported.append(missing.count)
            guard !missing.isEmpty else { continue }
            let wallet = pool.backend(index)
            let progress = SyncProgress(step: "importing \(missing.count) scripts on wallet \(index)", total: missing.count,
                                        interval: configuration.progressInterval, logger: logger)
            let (logger, scripts, scanFrom) = (self.logger, all, heights)
            do {
                try await forEachConcurrently(missing, limit: configuration.concurrency) { script in
                    let hex = scripts.hex(script), height = scanFrom[script]
                    logger.info("RedeemScript from DB not found on server \(index). importscript for \(hex) at height \(height)")
                    try await wallet.importScript(hex, rescan: true, scanFrom: height)
                    progress.advance()
                }
            } catch {
                throw WalletPoolError(.walletFailed, "failure on startup sync: importscript on wallet server \(index): "
                    + Self.text(error), walletIndex: index)
            }
            progress.finish()
        }

        try await syncTickets(&report)

        if let registration {
            for userId in database.pending {
                do {
                    if try await registration.completePending(userId: userId) != nil { report.pendingCompleted += 1 }
                } catch {
                    logger.warn("could not complete the pending address submission of uid \(userId): \(error)")
                }
            }
        }
        return report
    }

    private func syncTickets(_ report: inout StartupSyncReport) async throws {
        var sets: [Set<String>] = []
        for index in 0..<pool.count {
            do {
                sets.append(Set(try await pool.backend(index).tickets(includeImmature: true)))
            } catch {
                throw WalletPoolError(.walletFailed, "failure on startup sync: gettickets on wallet server \(index): "
                    + Self.text(error), walletIndex: index)
            }
        }
        let all = sets.reduce(into: Set<String>()) { $0.formUnion($1) }
        report.totalTickets = all.count
        let ordered = all.sorted()
        let backends = (0..<pool.count).map { pool.backend($0) }
        for index in 0..<pool.count {
            let missing = ordered.filter { !sets[index].contains($0) }
            report.ticketsAdded.append(missing.count)
            guard !missing.isEmpty else { continue }
            let wallet = backends[index]
            let progress = SyncProgress(step: "adding \(missing.count) tickets to wallet \(index)", total: missing.count,
                                        interval: configuration.progressInterval, logger: logger)
            let logger = self.logger
            do {
                try await forEachConcurrently(missing, limit: configuration.concurrency) { ticket in
                    logger.debug("wallet \(index): is missing ticket \(ticket)")
                    let hex = try await Self.fetchTransaction(ticket, from: backends)
                    try await wallet.addTicket(hex)
                    progress.advance()
                }
            } catch let error as WalletPoolError {
                throw error
            } catch {
                throw WalletPoolError(.walletFailed, "failure on startup sync: addticket on wallet server \(index): "
                    + Self.text(error), walletIndex: index)
            }
            progress.finish()
        }
    }

    /// `getrawtransaction` on the wallets in order; the first answer wins.
    static func fetchTransaction(_ hash: String, from wallets: [any WalletBackend]) async throws -> String {
        for wallet in wallets {
            if let hex = try? await wallet.rawTransaction(txid: hash) { return hex }
        }
        throw WalletPoolError(.transactionNotFound, "couldn't find transaction on any server or server failure")
    }

    // MARK: - Helpers

    /// The database's side of the wallet sync, read a page of users at a time.
    private struct DatabaseScripts {
        /// Active users' scripts and interrupted submissions' (pending) ones, each once.
        var scripts: ScriptSet
        /// `heights[i]`: the lowest registration height of script `i`.
        var heights: [Int64] = []
        /// Users whose address submission was interrupted (a script, no address yet).
        var pending: [UserId] = []
        var maxUserId: UserId?
    }

    private func databaseScripts() async throws -> DatabaseScripts {
        // Room for every user's 1-of-2 multisig script (71 bytes) up front: no doubling copies of a million.
        let users = try await storage.read { try $0.userCount() }
        var result = DatabaseScripts(scripts: ScriptSet(reservingScripts: users, bytes: users * 71))
        let pageSize = configuration.pageSize
        while true {
            let cursor = result.maxUserId ?? 0
            let page = try await storage.read { try $0.users(afterId: cursor, limit: pageSize) }
            guard let last = page.last else { break }
            result.maxUserId = last.id
            for user in page where !user.multiSigAddress.isEmpty || !user.multiSigScript.isEmpty {
                if user.multiSigAddress.isEmpty { result.pending.append(user.id) }
                guard !user.multiSigScript.isEmpty, let (isNew, index) = result.scripts.insert(hex: user.multiSigScript) else {
                    logger.warn("skipping script \(user.multiSigScript) due to err invalid hex")
                    continue
                }
                if isNew {
                    result.heights.append(user.heightRegistered)
                } else {
                    result.heights[index] = min(result.heights[index], user.heightRegistered)
                }
            }
        }
        return result
    }

    /// `walletinfo` on every wallet; each must answer, be connected to its node and unlocked.
    private func everyWalletInfo(syncPrefix: Bool = false) async throws -> [WalletInfo] {
        let prefix = syncPrefix ? "failure on startup sync: " : ""
        var infos: [WalletInfo?] = []
        var failures: [(Int, String)] = []
        for index in 0..<pool.count {
            do {
                infos.append(try await pool.backend(index).walletInfo())
            } catch {
                infos.append(nil)
                failures.append((index, Self.text(error)))
            }
        }
        let answered = infos.compactMap { $0 }.count
        if answered < pool.configuration.minServers {
            throw WalletPoolError(.belowMinServers, prefix + "not processing command; \(answered) servers avail is "
                + "below min of \(pool.configuration.minServers)"
                + failures.map { " (wallet server \($0.0) (\(pool.labels[$0.0])): \($0.1))" }.joined())
        }
        if let (index, text) = failures.first {
            throw WalletPoolError(.walletUnavailable, prefix + "wallet server \(index) (\(pool.labels[index])) did not "
                + "answer: \(text)", walletIndex: index)
        }
        let all = infos.compactMap { $0 }
        for (index, info) in all.enumerated() {
            if !info.daemonConnected {
                throw WalletPoolError(.notConnectedToDaemon, syncPrefix ? "failure on startup sync: wallet not connected"
                    : "wallet server \(index) not connected to daemon", walletIndex: index)
            }
            if !info.unlocked {
                throw WalletPoolError(.locked, syncPrefix ? "failure on startup sync: wallet not unlocked"
                    : "wallet server \(index) locked", walletIndex: index)
            }
        }
        return all
    }

    static func text(_ error: any Error) -> String { (error as? any CodedError)?.message ?? "\(error)" }
}
