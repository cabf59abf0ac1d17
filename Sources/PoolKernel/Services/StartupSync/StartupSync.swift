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
    /// are invalid for `agendas` get 1. Storage errors for one user are logged and that user skipped.
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
            var changes: [(User, [String])] = []
            for var user in page {
                var lines: [String] = []
                if user.voteBitsVersion != voteVersion {
                    lines.append("updated VoteBitsVersion from \(user.voteBitsVersion) to \(voteVersion) for uid \(user.id)")
                    user.voteBitsVersion = voteVersion
                    if user.voteBits != 1 {
                        lines.append("updated VoteBits from \(user.voteBits) to 1 for uid \(user.id)")
                        user.voteBits = 1
                    }
                } else if !VoteBits(user.voteBits).isValid(for: agendas) {
                    lines.append("reset invalid VoteBits from \(user.voteBits) to 1 for uid \(user.id)")
                    user.voteBits = 1
                }
                if !lines.isEmpty { changes.append((user, lines)) }
            }
            guard !changes.isEmpty else { continue }
            let rows = changes.map(\.0)
            do {
                try await storage.write { tx in for row in rows { try tx.updateUser(row) } }
                for (user, lines) in changes {
                    for line in lines { logger.info(line) }
                    if user.voteBitsVersion == voteVersion { report.voteBitsVersionUpdated += lines.first?.hasPrefix("updated VoteBitsVersion") == true ? 1 : 0 }
                    if lines.contains(where: { $0.contains("to 1 for uid") }) { report.voteBitsReset += 1 }
                }
            } catch {
                // One user at a time, so one bad row does not stop the others (the original logs and skips).
                for (user, lines) in changes {
                    do {
                        try await storage.write { try $0.updateUser(user) }
                        for line in lines { logger.info(line) }
                        if lines.first?.hasPrefix("updated VoteBitsVersion") == true { report.voteBitsVersionUpdated += 1 }
                        if lines.contains(where: { $0.contains("to 1 for uid") }) { report.voteBitsReset += 1 }
                    } catch {
                        logger.error("failed to update vote bits for uid \(user.id): \(error)")
                    }
                }
            }
        }
        return report
    }

    // MARK: - Wallet sync (§10.1 step 9, wallet-rpc §4)

    /// Brings every wallet to the union of scripts (database + every wallet) and tickets (every wallet).
    public func syncWallets() async throws -> StartupSyncReport {
        var report = StartupSyncReport()
        _ = try await everyWalletInfo(syncPrefix: true)

        // Watch every user's ticket address (no 10,000 cap).
        let (registered, pending, maxUserId) = try await databaseScripts()
        let wanted = UInt32(clamping: max(10_000, (maxUserId?.rawValue ?? 0) + 1))
        do {
            try await pool.ensureAddressIndex(wanted)
        } catch {
            throw WalletPoolError(.walletFailed, "failure on startup sync: accountsyncaddressindex: \(Self.text(error))")
        }

        // ALL scripts: database rows keep their height; wallet-only scripts use 0.
        var all: [String: Int64] = [:]
        for entry in registered + pending.map(\.script) {
            let hex = Hex.lowercased(entry.multiSigScript)
            guard OneOfTwoMultisig.bytes(fromHex: hex) != nil, !hex.isEmpty else {
                logger.warn("skipping script \(entry.multiSigScript) due to err invalid hex")
                continue
            }
            all[hex] = min(all[hex] ?? entry.heightRegistered, entry.heightRegistered)
        }
        var walletScripts: [Set<String>] = []
        for index in 0..<pool.count {
            do {
                let scripts = try await pool.backend(index).listScripts().map { Hex.lowercased($0.redeemScript) }
                walletScripts.append(Set(scripts))
                for script in scripts where all[script] == nil { all[script] = 0 }
            } catch {
                throw WalletPoolError(.walletFailed, "failure on startup sync: listscripts on wallet server \(index): "
                    + Self.text(error), walletIndex: index)
            }
        }
        report.totalScripts = all.count

        let ordered = all.sorted { $0.key < $1.key }
        for index in 0..<pool.count {
            let missing = ordered.filter { !walletScripts[index].contains($0.key) }
            report.scriptsImported.append(missing.count)
            guard !missing.isEmpty else { continue }
            let wallet = pool.backend(index)
            let progress = SyncProgress(step: "importing \(missing.count) scripts on wallet \(index)", total: missing.count,
                                        interval: configuration.progressInterval, logger: logger)
            let logger = self.logger
            do {
                try await forEachConcurrently(missing, limit: configuration.concurrency) { script, height in
                    logger.info("RedeemScript from DB not found on server \(index). importscript for \(script) at height \(height)")
                    try await wallet.importScript(script, rescan: true, scanFrom: height)
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
            for entry in pending {
                do {
                    if try await registration.completePending(userId: entry.userId) != nil { report.pendingCompleted += 1 }
                } catch {
                    logger.warn("could not complete the pending address submission of uid \(entry.userId): \(error)")
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

    private struct PendingScript: Sendable {
        var userId: UserId
        var script: RegisteredScript
    }

    /// Active users' scripts, interrupted submissions, and the highest user id.
    private func databaseScripts() async throws -> ([RegisteredScript], [PendingScript], UserId?) {
        var pending: [PendingScript] = []
        var after: UserId = 0
        let pageSize = configuration.pageSize
        while true {
            let cursor = after
            let page = try await storage.read { try $0.users(afterId: cursor, limit: pageSize) }
            guard let last = page.last else { break }
            after = last.id
            for user in page where user.multiSigAddress.isEmpty && !user.multiSigScript.isEmpty {
                pending.append(PendingScript(userId: user.id, script: RegisteredScript(
                    multiSigScript: user.multiSigScript, heightRegistered: user.heightRegistered)))
            }
        }
        let (registered, maxUserId) = try await storage.read { (try $0.registeredScripts(), try $0.maxUserId()) }
        return (registered, pending, maxUserId)
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
