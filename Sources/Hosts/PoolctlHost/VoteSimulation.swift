import Foundation
import PoolKernel
import PoolNet
import SimnetHost
import StakepooldHost
import VotePolicies
import WalletDcrwallet
import WalletSimnet

/// The vote daemon against the simulated simnet: `clusters` stakepoold instances (each with its own simulated
/// wallet, all on one simulated node) vote `tickets` pool tickets of `users` users for `blocks` blocks, with
/// an optional cluster outage and an optional abrupt restart (kill -9) of one instance. Counts, from the
/// chain's point of view, every pool winner voted or missed, and checks every cast vote's bits against the
/// policy (userprefs by default; any other policy's own decision for each user) on simnet or a fork's network
/// (`network`). Used by `poolctl simulate` and the PoolctlHost tests.
///
/// With `transport = .rpc` the simulated node and wallets are served by a `SimnetRPCHost` over TLS websockets on
/// loopback (what `simwallet` serves), and each daemon talks to them through the production dcrd / dcrwallet
/// JSON-RPC plugins; the host also times every `generatevote` request from the `winningtickets` notification
/// that caused it (server side).
public enum VoteSimulation {
    /// How the daemons reach the simulated node and wallets.
    public enum Transport: String, Sendable {
        /// Direct calls into the simulation (no sockets).
        case inProcess = "in-process"
        /// The real JSON-RPC websocket protocol over TLS on loopback.
        case rpc
    }

    public struct Configuration: Sendable {
        public var transport = Transport.inProcess
        public var blocks = 200
        public var tickets = 500
        public var users = 12
        public var clusters = 3
        public var seed: UInt64 = 1
        /// Cluster `cluster`'s wallet is down from block `from` for `length` blocks.
        public var outage: (cluster: Int, from: Int, length: Int)?
        /// Cluster `cluster`'s daemon is killed at block `at` (no shutdown) and restarted `after` blocks later.
        public var restart: (cluster: Int, at: Int, after: Int)?
        /// How long the driver waits for every running daemon to finish a block before mining the next one.
        public var blockWait: Duration = .seconds(3)
        /// RPC transport: where `rpc.cert` / `rpc.key` are created (default: a temporary directory, removed after).
        public var certificateDirectory: String?
        /// Storage for users and the vote audit (a fresh database).
        public var storage: any StorageBackend
        /// The network simulated (simnet, or a fork's `chainparams`); the wallets vote its newest vote version.
        public var network: NetParams = .simnet
        /// The daemons' vote policy.
        public var policy: any VotePolicy = UserPrefsPolicy()
        public init(storage: any StorageBackend) { self.storage = storage }
    }

    public struct Report: Sendable {
        public var blocks = 0
        /// Winning pool tickets (each must be voted before the next block).
        public var poolWinners = 0
        /// Of those, voted on chain.
        public var voted = 0
        /// Of those, missed (the number that must be zero).
        public var missed = 0
        /// Votes cast with bits other than the policy's.
        public var wrongBits = 0
        public var cast = 0
        public var duplicates = 0
        public var failed = 0
        public var auditRecords = 0
        public var decisionP50 = 0.0
        public var decisionP99 = 0.0
        public var endToEndP50 = 0.0
        public var endToEndP99 = 0.0
        public var requestP99 = 0.0
        /// RPC transport: `winningtickets` sent by the node → `generatevote` arriving at the wallet, server side.
        public var notifyToRequestP50 = 0.0
        public var notifyToRequestP99 = 0.0
        public var notifyToRequestCount = 0
        public var transport = Transport.inProcess
        /// With a restart: pool winners of the blocks after the daemon came back, and how many of them the
        /// restarted daemon put on the wire itself (cast or duplicate) — equal when no vote was lost.
        public var winnersAfterRestart = 0
        public var restartedDaemonVotes = 0
        public var elapsedSeconds = 0.0
        public var network = ""
        public var policy = ""
        public var voteVersion: UInt32 = 0
        /// Per agenda of the vote version (in the network's order): how many cast votes chose each choice.
        public var agendaChoices: [(agenda: String, counts: [(choice: String, votes: Int)])] = []

        /// `poolfeecap yes 120, maxtreasuryspend abstain 120` (agendas in order, choices by votes).
        public var choicesSummary: String {
            agendaChoices.map { entry in
                "\(entry.agenda) " + entry.counts.map { "\($0.choice) \($0.votes)" }.joined(separator: " ")
            }.joined(separator: ", ")
        }

        /// One JSON object (for scripts).
        public var json: String {
            "{\"transport\":\"\(transport.rawValue)\",\"blocks\":\(blocks),\"pool_winners\":\(poolWinners),\"voted\":\(voted),\"missed\":\(missed),"
                + "\"wrong_bits\":\(wrongBits),\"cast\":\(cast),\"duplicates\":\(duplicates),\"failed\":\(failed),"
                + "\"audit_records\":\(auditRecords),\"decision_p50_ms\":\(ms(decisionP50)),"
                + "\"decision_p99_ms\":\(ms(decisionP99)),\"end_to_end_p50_ms\":\(ms(endToEndP50)),"
                + "\"end_to_end_p99_ms\":\(ms(endToEndP99)),\"request_p99_ms\":\(ms(requestP99)),"
                + "\"notify_to_request_p50_ms\":\(ms(notifyToRequestP50)),"
                + "\"notify_to_request_p99_ms\":\(ms(notifyToRequestP99)),"
                + "\"winners_after_restart\":\(winnersAfterRestart),\"restarted_daemon_votes\":\(restartedDaemonVotes),"
                + "\"network\":\"\(network)\",\"policy\":\"\(policy)\",\"vote_version\":\(voteVersion),\"choices\":{"
                + agendaChoices.map { entry in
                    "\"\(entry.agenda)\":{" + entry.counts.map { "\"\($0.choice)\":\($0.votes)" }.joined(separator: ",") + "}"
                }.joined(separator: ",") + "},"
                + "\"elapsed_s\":\((elapsedSeconds * 10).rounded() / 10)}"
        }

        private func ms(_ seconds: Double) -> Double { (seconds * 1e6).rounded() / 1000 }
    }

    /// A running daemon of one cluster.
    private struct Daemon {
        let engine: StakepooldEngine
        let task: Task<Void, any Error>
        /// Closes the daemon's connections (what the OS does when the process dies).
        let close: @Sendable () async -> Void
        /// Blocks this daemon has finished with, its vote audit written.
        var blocksSeen: Int { engine.metrics.snapshot.blocksFinished }
    }

    /// Server-side timing of `generatevote` requests against the `winningtickets` notification of their block.
    final class RequestTimer: Sendable {
        private let sent = LockedValue<[String: ContinuousClock.Instant]>([:])
        let latency = LatencyRecorder(capacity: 1_000_000)

        func notificationSent(_ notification: ChainNotification) {
            guard case .winningTickets(let winners) = notification else { return }
            let now = ContinuousClock.now
            sent.withLock { sent in
                if sent.count > 256 { sent.removeAll() }
                sent[winners.blockHash] = now
            }
        }

        func walletRequest(_ method: String, _ params: [JSONValue]) {
            guard method == "generatevote", let block = params.first?.stringValue else { return }
            let now = ContinuousClock.now
            if let start = sent.withLock({ $0[block] }) { latency.record(now - start) }
        }
    }

    public static func run(_ configuration: Configuration, logger: Logger) async throws -> Report {
        let clock = ContinuousClock()
        let began = clock.now
        let users = max(1, configuration.users)
        let clusters = max(1, configuration.clusters)
        let network = configuration.network
        var parameters = network == .simnet ? SimnetParameters.simnet : SimnetParameters(netParams: network)
        // The block header counts fresh stake in a UInt8.
        parameters.maxFreshStakePerBlock = max(20, min(255, configuration.tickets / 20 + 1))
        parameters.ticketExpiry = configuration.blocks + 10_000
        let simnet = Simnet(configuration: Simnet.Configuration(seed: configuration.seed, walletCount: clusters,
                                                                parameters: parameters, feeAddressCount: users + 1),
                            logger: logger.with(subsystem: "SIM"))
        let storage = configuration.storage
        try await storage.migrate()
        simnet.mine(parameters.stakeEnabledHeight + 1)

        // Users: a 1-of-2 multisig per user imported into every wallet, with varied vote preferences.
        let wallets = (0..<clusters).map { SimnetWalletBackend(simnet: simnet, walletIndex: $0) }
        for wallet in wallets { try await wallet.accountSyncAddressIndex(account: "default", branch: 0, index: UInt32(2 * users + 10)) }
        let info = try await wallets[0].walletInfo()
        let rules = VoteRules(voteVersion: info.voteVersion, netAgendas: network.agendas(forVoteVersion: info.voteVersion),
                              defaultBits: info.voteBits, defaultBitsExtended: info.voteBitsExtended)
        let policy = configuration.policy
        var addresses: [String] = []
        var expectedBits: [String: UInt16] = [:]
        for user in 1...users {
            let pool = try await wallets[0].validateAddress(simnet.ticketAddress(index: user))
            let owner = try await wallets[0].validateAddress(simnet.ticketAddress(index: user + users))
            let multisig = try await wallets[0].createMultisig(nRequired: 1, keys: [pool.pubKeyAddress, owner.pubKeyAddress])
            for wallet in wallets { try await wallet.importScript(multisig.redeemScript, rescan: false, scanFrom: 0) }
            // 1, 3, 5, and 5 for an older vote version (→ the wallet's default bits).
            let bits: UInt16 = [1, 3, 5, 5][user % 4]
            let version = user % 4 == 3 ? info.voteVersion - 1 : info.voteVersion
            let stored = try await storage.insertUser(User(email: "sim\(user)@example.com", passwordHash: "x",
                                                           multiSigAddress: multisig.address, voteBits: bits,
                                                           voteBitsVersion: version))
            addresses.append(multisig.address)
            if policy is UserPrefsPolicy {
                expectedBits[multisig.address] = version == info.voteVersion ? bits : info.voteBits
            } else {
                // Another policy: its own decision for this owner, as the engine casts it (invalid → wallet default).
                let owner = VotingUser(userId: stored.id, multiSigAddress: multisig.address, voteBits: bits, voteBitsVersion: version)
                let decided = policy.decide(for: WinningTicket(ticketHash: "", blockHash: "", blockHeight: 0,
                                                               multiSigAddress: multisig.address, owner: owner), rules: rules).bits
                expectedBits[multisig.address] = rules.isValid(decided) ? decided : rules.defaultBits
            }
        }

        // Tickets, mined and matured before the daemons start, past stake validation height.
        var owners: [String: String] = [:]
        let perUser = configuration.tickets / users
        for (index, address) in addresses.enumerated() {
            let count = perUser + (index < configuration.tickets % users ? 1 : 0)
            guard count > 0 else { continue }
            for hash in try simnet.buyTickets(ticketAddress: address, feeAddress: simnet.feeAddress(index: index + 1), count: count) {
                owners[hash] = address
            }
        }
        while simnet.stats.mempool > 0 { simnet.mine(1) }
        simnet.mine(parameters.ticketMaturity + 1)
        if simnet.stats.height < parameters.stakeValidationHeight { simnet.mine(parameters.stakeValidationHeight - simnet.stats.height) }

        let feeAddresses = Set((0...users + 1).map { simnet.feeAddress(index: $0) })
        let netParams = network

        // RPC transport: serve the node and wallets over TLS websockets on loopback.
        let timer = RequestTimer()
        var host: SimnetRPCHost?
        var temporaryDirectory: String?
        var endpoints: (node: PoolNet.HostPort, wallets: [PoolNet.HostPort], certificate: String)?
        let password = "sim-\(UInt64.random(in: 1...UInt64.max))"
        if configuration.transport == .rpc {
            let directory = configuration.certificateDirectory ?? {
                let path = FileManager.default.temporaryDirectory.appendingPathComponent("votesim-\(UUID().uuidString)").path
                temporaryDirectory = path
                return path
            }()
            var hostConfiguration = SimnetRPCHost.Configuration(
                nodePort: 0, walletPorts: Array(repeating: 0, count: clusters), user: "sim", password: password,
                certificateDirectory: directory)
            hostConfiguration.onNotification = { timer.notificationSent($0) }
            hostConfiguration.onWalletRequest = { _, method, params in timer.walletRequest(method, params) }
            let served = try SimnetRPCHost(simnet: simnet, configuration: hostConfiguration,
                                           logger: logger.with(subsystem: "SIMW"))
            let (node, walletAddresses) = try served.start()
            host = served
            endpoints = (node, walletAddresses, hostConfiguration.certificateFile ?? "")
        }
        defer {
            host?.stop()
            if let temporaryDirectory { try? FileManager.default.removeItem(atPath: temporaryDirectory) }
        }

        func startDaemon(_ cluster: Int) async throws -> Daemon {
            var settings = StakepooldEngine.Settings()
            settings.isFeeAddress = { feeAddresses.contains($0) }
            settings.voteLoop.deadline = .milliseconds(2500)
            let daemonLogger = logger.with(subsystem: "SPD\(cluster)")
            let wallet: any WalletBackend
            let node: any NodeBackend
            let close: @Sendable () async -> Void
            if let endpoints {
                func endpoint(_ address: PoolNet.HostPort, _ name: String) -> RPCEndpointConfiguration {
                    RPCEndpointConfiguration(host: address.description, defaultPort: address.port, user: "sim",
                                             password: password, certificatePath: endpoints.certificate,
                                             callTimeout: .seconds(10),
                                             reconnect: ReconnectPolicy(step: .milliseconds(100), maxDelay: .milliseconds(500)),
                                             name: name)
                }
                let rpcWallet = try DcrwalletBackend(configuration: endpoint(endpoints.wallets[cluster], "dcrwallet \(cluster)"),
                                                     logger: daemonLogger)
                let rpcNode = try DcrdBackend(configuration: endpoint(endpoints.node, "dcrd \(cluster)"), logger: daemonLogger)
                try await rpcWallet.connect()
                try await rpcNode.connect()
                (wallet, node) = (rpcWallet, rpcNode)
                close = {
                    await rpcWallet.close()
                    await rpcNode.close()
                }
            } else {
                (wallet, node) = (wallets[cluster], SimnetNodeBackend(simnet: simnet))
                close = {}
            }
            let engine = try await StakepooldEngine.start(
                wallet: wallet, node: node, storage: storage, policy: policy,
                agendas: { netParams.agendas(forVoteVersion: $0) }, settings: settings, logger: daemonLogger)
            let task = Task { try await engine.voting.run() }
            // Wait for the notification subscriptions (bounded).
            let subscribedBy = clock.now + .seconds(10)
            while !engine.voting.isSubscribed && clock.now < subscribedBy { try await Task.sleep(for: .milliseconds(1)) }
            return Daemon(engine: engine, task: task, close: close)
        }
        func setWalletDown(_ cluster: Int, _ down: Bool) {
            if let host {
                host.setWalletDown(cluster, down)
            } else {
                simnet.setFaults(SimnetWalletFaults(down: down), wallet: cluster)
            }
        }
        var daemons: [Int: Daemon] = [:]
        for cluster in 0..<clusters { daemons[cluster] = try await startDaemon(cluster) }

        var report = Report()
        var retired: [VotingMetrics] = []
        var winners: [String] = []
        var expected: [Int: Int] = [:]  // cluster → blocks its current daemon must have processed
        for cluster in daemons.keys { expected[cluster] = 0 }
        for block in 1...max(1, configuration.blocks) {
            if let outage = configuration.outage, outage.cluster < clusters {
                if block == outage.from { setWalletDown(outage.cluster, true) }
                if block == outage.from + outage.length { setWalletDown(outage.cluster, false) }
            }
            if let restart = configuration.restart, restart.cluster < clusters {
                if block == restart.at, let daemon = daemons.removeValue(forKey: restart.cluster) {
                    // kill -9: no shutdown, no cache save; only the sockets close, as the OS would.
                    daemon.task.cancel()
                    await daemon.close()
                    retired.append(daemon.engine.metrics)
                }
                if block == restart.at + restart.after {
                    daemons[restart.cluster] = try await startDaemon(restart.cluster)
                    expected[restart.cluster] = 0
                }
            }
            simnet.mine(1)
            let blockWinners = simnet.currentWinners
            let poolWinners = blockWinners.filter { owners[$0] != nil }
            winners += poolWinners
            if let restart = configuration.restart, block >= restart.at + restart.after {
                report.winnersAfterRestart += poolWinners.count
            }
            for cluster in daemons.keys { expected[cluster, default: 0] += 1 }
            // Wait until every running daemon has finished this block (or the wait runs out).
            let waitUntil = clock.now + configuration.blockWait
            while clock.now < waitUntil {
                if daemons.allSatisfy({ $0.value.blocksSeen >= expected[$0.key] ?? 0 }) { break }
                try await Task.sleep(for: .microseconds(200))
            }
            report.blocks += 1
        }
        // Let every daemon finish the blocks it was sent (on a loaded machine one may still be writing its audit
        // past `blockWait`; the report reads the audit), bounded so a stuck daemon cannot hold the run.
        let finishUntil = clock.now + .seconds(60)
        while clock.now < finishUntil, !daemons.allSatisfy({ $0.value.blocksSeen >= expected[$0.key] ?? 0 }) {
            try await Task.sleep(for: .milliseconds(2))
        }
        // Stop the daemons first (their votes for the last block are in the mempool), so they do not start on
        // the winners of the closing block.
        for daemon in daemons.values {
            daemon.task.cancel()
            await daemon.close()
        }
        simnet.mine(1)  // the last block's votes go into this one

        // Chain's view of every pool winner.
        report.poolWinners = winners.count
        for ticket in winners {
            if simnet.ticketStatus(ticket) == "voted" { report.voted += 1 } else { report.missed += 1 }
        }
        // Bits of every vote put on the wire, against the policy.
        let audits = try await storage.read { try $0.recentVoteAudits(limit: 10_000_000) }
        report.auditRecords = audits.count
        var tallies: [String: [String: Int]] = [:]
        for audit in audits where audit.result == .voted || audit.result == .duplicate {
            if let owner = owners[audit.ticketHash], audit.voteBits != expectedBits[owner] { report.wrongBits += 1 }
            if audit.result == .voted {
                for agenda in rules.agendas { tallies[agenda.id, default: [:]][agenda.choice(in: audit.voteBits)?.id ?? "invalid", default: 0] += 1 }
            }
        }
        report.network = network.name
        report.policy = policy.name
        report.voteVersion = rules.voteVersion
        report.agendaChoices = rules.agendas.map { agenda in
            (agenda.id, (tallies[agenda.id] ?? [:]).sorted { $0.value != $1.value ? $0.value > $1.value : $0.key < $1.key }
                .map { (choice: $0.key, votes: $0.value) })
        }
        if let restart = configuration.restart, let daemon = daemons[restart.cluster], !retired.isEmpty {
            let counts = daemon.engine.metrics.snapshot
            report.restartedDaemonVotes = counts.cast + counts.duplicate
        }
        let allMetrics = retired + daemons.values.map(\.engine.metrics)
        for metrics in allMetrics {
            let counts = metrics.snapshot
            report.cast += counts.cast
            report.duplicates += counts.duplicate
            report.failed += counts.failed + counts.deadline
        }
        let decision = allMetrics.flatMap(\.decisionLatency.samples).sorted()
        let endToEnd = allMetrics.flatMap(\.endToEndLatency.samples).sorted()
        let request = allMetrics.flatMap(\.requestLatency.samples).sorted()
        report.decisionP50 = LatencyRecorder.percentile(50, ofSorted: decision)
        report.decisionP99 = LatencyRecorder.percentile(99, ofSorted: decision)
        report.endToEndP50 = LatencyRecorder.percentile(50, ofSorted: endToEnd)
        report.endToEndP99 = LatencyRecorder.percentile(99, ofSorted: endToEnd)
        report.requestP99 = LatencyRecorder.percentile(99, ofSorted: request)
        report.transport = configuration.transport
        let serverSide = timer.latency.samples.sorted()
        report.notifyToRequestCount = serverSide.count
        report.notifyToRequestP50 = LatencyRecorder.percentile(50, ofSorted: serverSide)
        report.notifyToRequestP99 = LatencyRecorder.percentile(99, ofSorted: serverSide)
        report.elapsedSeconds = (clock.now - began).seconds
        return report
    }
}
