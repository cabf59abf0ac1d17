import Foundation
import PoolKernel
import PoolctlHost
import SimnetHost
import StorageSQLite
import VotePolicies

/// Vote-path benchmarks (JSON lines for `poolbench`):
/// - `vote_decision_5_winners_1m_tickets`: map look-up + policy + validation for 5 winners, 1,000,000 live tickets (goal p99 < 1 ms);
/// - `ticket_map_1m_bytes_per_ticket`: resident memory growth per ticket while building the map (goal 1M < 300 MB);
/// - `vote_notify_to_request_p99`: a stakepoold engine on the production dcrd/dcrwallet JSON-RPC clients against
///   an in-process `SimnetRPCHost` over TLS websockets on loopback: the node sends `winningtickets` → the wallet
///   receives the `generatevote` request, timed at the server (goal p99 < 5 ms).
public enum VoteBenchmarks {
    public static func run(print emit: (String) -> Void) async {
        decisionAndMemory(print: emit)
        await notifyToRequest(print: emit)
    }

    /// Notification → vote request over real JSON-RPC: 400 blocks, one daemon, five pool winners per block.
    static func notifyToRequest(print emit: (String) -> Void) async {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("votebench-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: directory) }
        let storage = SQLiteStorage(configuration: .init(path: directory.appendingPathComponent("bench.sqlite").path),
                                    logger: .disabled)
        do {
            try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
            var configuration = VoteSimulation.Configuration(storage: storage)
            configuration.transport = .rpc
            configuration.clusters = 1
            configuration.blocks = 400
            configuration.tickets = 2400
            configuration.users = 8
            configuration.certificateDirectory = directory.path
            let report = try await VoteSimulation.run(configuration, logger: .disabled)
            let p99 = (report.notifyToRequestP99 * 1e6).rounded() / 1000
            let p50 = (report.notifyToRequestP50 * 1e6).rounded() / 1000
            emit("{\"bench\":\"vote_notify_to_request_p99\",\"value\":\(p99),\"unit\":\"ms\",\"goal\":\"<5\","
                 + "\"p50\":\(p50),\"samples\":\(report.notifyToRequestCount),\"missed\":\(report.missed)}")
        } catch {
            let text = "\(error)".replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "\"", with: "\\\"")
            emit("{\"bench\":\"vote_notify_to_request_p99\",\"error\":\"\(text)\"}")
        }
        await storage.shutdown()
    }

    static func decisionAndMemory(print emit: (String) -> Void) {
        let before = residentBytes()
        var map = TicketMap()
        map.reserveCapacity(1_000_000)
        var hashes: [TicketHash] = []
        hashes.reserveCapacity(1_000_000)
        for n in 0..<1_000_000 {
            let hash = TicketHash(w0: UInt64(n) &* 0x9E37_79B9_7F4A_7C15, w1: UInt64(n), w2: ~UInt64(n), w3: 42)
            hashes.append(hash)
            map.add(hash, owner: "SsUser\(n % 5000)")
        }
        let after = residentBytes()
        let megabytes = Double(after - before) / 1_048_576
        emit("{\"bench\":\"ticket_map_1m_rss\",\"value\":\((megabytes * 10).rounded() / 10),\"unit\":\"MB\",\"goal\":\"<300\"}")

        let users = (0..<5000).map { VotingUser(userId: UserId(Int64($0 + 1)), multiSigAddress: "SsUser\($0)",
                                                  voteBits: 5, voteBitsVersion: 6) }
        let prefs = UserPrefsCache(storage: nil, logger: .disabled)
        prefs.replace(with: users)
        let rules = VoteRules(voteVersion: 6, agendas: [VoteRules.Agenda(id: "lnfeatures", mask: 6, choices: [
            VoteRules.Choice(id: "abstain", bits: 0), VoteRules.Choice(id: "no", bits: 2), VoteRules.Choice(id: "yes", bits: 4),
        ])], defaultBits: 1, defaultBitsExtended: "06000000")
        let step = VoteDecisionStep(policy: UserPrefsPolicy(), logger: .disabled)
        let clock = ContinuousClock()
        var samples: [Double] = []
        var checksum = 0
        for round in 0..<20_000 {
            let winners = (0..<5).map { hashes[(round &* 7919 &+ $0 &* 104_729) % hashes.count].hex }
            let start = clock.now
            for ticket in winners {
                guard let hash = TicketHash(hex: ticket), let owner = map.owner(of: hash) else { continue }
                let winner = WinningTicket(ticketHash: ticket, blockHash: ticket, blockHeight: Int64(round),
                                           multiSigAddress: owner, owner: prefs.user(multiSigAddress: owner))
                checksum &+= Int(step.decide(for: winner, rules: rules).bits)
            }
            samples.append((clock.now - start).seconds)
        }
        samples.sort()
        let p99 = LatencyRecorder.percentile(99, ofSorted: samples) * 1e6
        emit("{\"bench\":\"vote_decision_5_winners_1m_tickets_p99\",\"value\":\((p99 * 10).rounded() / 10),"
             + "\"unit\":\"us\",\"goal\":\"<1000\",\"checksum\":\(checksum)}")
        withExtendedLifetime(map) {}
    }

    /// Resident set size from /proc/self/statm (0 where unavailable).
    static func residentBytes() -> Int {
        guard let text = try? String(contentsOfFile: "/proc/self/statm", encoding: .utf8) else { return 0 }
        let fields = text.split(separator: " ")
        guard fields.count > 1, let pages = Int(fields[1]) else { return 0 }
        return pages * Int(sysconf(Int32(_SC_PAGESIZE)))
    }
}
