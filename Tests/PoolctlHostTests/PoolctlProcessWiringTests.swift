import Foundation
import HostTestSupport
import PoolKernel
import PoolTestKit
import StorageSQLite
import XCTest

/// `poolctl` as an operator runs it — the real executable with `-C dcrstakepool.conf` against a real SQLite
/// database (issue 20): `tickets lowfee list|add`, `user token` (and `--regenerate`), and `db purge` deleting what
/// the config's `mailretentiondays` and `voteauditretentiondays` say, nothing else.
final class PoolctlProcessWiringTests: XCTestCase {
    private var processes: HostProcesses?

    override func tearDown() async throws {
        processes?.stopAll()
        processes = nil
    }

    /// A poolctl config (no listener) in its own directory, SQLite at `<dir>/pool.sqlite`.
    private func setUp(_ name: String, _ extra: String) throws -> (HostProcesses, config: String, database: String) {
        let hosts = try processes ?? HostProcesses(prefix: "poolctl-exec")
        processes = hosts
        let dir = hosts.path(name)
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        let config = try WebAppTestConfig.write(into: dir, serving: false, extra: "sqlitepath=\(dir)/pool.sqlite\nbcryptcost=4\n" + extra)
        return (hosts, config, dir + "/pool.sqlite")
    }

    private func migrated(_ path: String) async throws -> SQLiteStorage {
        let storage = SQLiteStorage(configuration: .init(path: path), logger: .disabled)
        try await storage.migrate()
        return storage
    }

    // MARK: - tickets lowfee

    func testTicketsLowfee_listShowsStakepooldsDetectionsAndAddStoresTheTicket() async throws {
        let (hosts, config, database) = try setUp("lowfee", "")
        // What stakepoold wrote in the data directory (`<datadir>/simnet/lowfeetickets.json`, README "Disk cache").
        let detected = String(repeating: "ab", count: 32), other = String(repeating: "cd", count: 32)
        let dataDir = (database as NSString).deletingLastPathComponent + "/data/simnet"
        try FileManager.default.createDirectory(atPath: dataDir, withIntermediateDirectories: true)
        try """
        [{"ticket":"\(detected)","multiSigAddress":"ScTestAddress","height":120,"requiredAtoms":5000,"committedAtoms":10,"detectedAt":1700000000}]
        """.write(toFile: dataDir + "/lowfeetickets.json", atomically: true, encoding: .utf8)

        var run = try await hosts.poolctl(["-C", config, "tickets", "lowfee", "list"])
        XCTAssertEqual(run.status, 0, run.err)
        XCTAssertEqual(run.out, "ticket\tmultisigaddress\theight\trequired_atoms\tcommitted_atoms\tstatus\n"
                       + "\(detected)\tScTestAddress\t120\t5000\t10\tskipped\n")

        run = try await hosts.poolctl(["-C", config, "tickets", "lowfee", "add", detected])
        XCTAssertEqual(run.status, 0, run.err)
        XCTAssertEqual(run.out, "added \(detected); stakepoold votes it after its next prefs reload\n")
        run = try await hosts.poolctl(["-C", config, "tickets", "lowfee", "add", other])
        XCTAssertEqual(run.status, 0, run.err)
        run = try await hosts.poolctl(["-C", config, "tickets", "lowfee", "add", other])
        XCTAssertEqual(run.out, "\(other) was already added\n")

        run = try await hosts.poolctl(["-C", config, "tickets", "lowfee", "list"])
        XCTAssertEqual(run.out, "ticket\tmultisigaddress\theight\trequired_atoms\tcommitted_atoms\tstatus\n"
                       + "\(detected)\tScTestAddress\t120\t5000\t10\tadded\n\(other)\t-\t-\t-\t-\tadded\n")
        let storage = SQLiteStorage(configuration: .init(path: database), logger: .disabled)
        let stored = try await storage.read { try $0.lowFeeTickets() }
        await storage.shutdown()
        XCTAssertEqual(Set(stored), [detected, other], "in the database stakepoold reads")

        run = try await hosts.poolctl(["-C", config, "tickets", "lowfee", "add", "not-a-hash"])
        XCTAssertEqual(run.status, 2)
        XCTAssertEqual(run.err, "usage: poolctl tickets lowfee add <64-hex ticket hash>\n")
    }

    // MARK: - user token

    func testUserToken_printsTheStoredTokenAndRegenerateReplacesIt() async throws {
        let (hosts, config, database) = try setUp("token", "")
        let passwordFile = hosts.path("token/password")
        try "a long enough password 123\n".write(toFile: passwordFile, atomically: true, encoding: .utf8)
        var run = try await hosts.poolctl(["-C", config, "user", "add", "--email", "v@example.com", "--password-file", passwordFile,
                                           "--verified"])
        XCTAssertEqual(run.status, 0, run.err)
        run = try await hosts.poolctl(["-C", config, "user", "add", "--email", "u@example.com", "--password-file", passwordFile])
        XCTAssertEqual(run.status, 0, run.err)

        run = try await hosts.poolctl(["-C", config, "user", "token", "v@example.com"])
        XCTAssertEqual(run.status, 0, run.err)
        let first = run.out.trimmingCharacters(in: .newlines)
        let storage = SQLiteStorage(configuration: .init(path: database), logger: .disabled)
        var stored = try await storage.read { try $0.user(email: "v@example.com")?.apiToken }
        XCTAssertEqual(stored, first, "the printed token is the one stored (what the API accepts)")

        run = try await hosts.poolctl(["-C", config, "user", "token", "1", "--regenerate"])
        XCTAssertEqual(run.status, 0, run.err)
        let second = run.out.trimmingCharacters(in: .newlines)
        XCTAssertNotEqual(second, first)
        stored = try await storage.read { try $0.user(email: "v@example.com")?.apiToken }
        await storage.shutdown()
        XCTAssertEqual(stored, second, "regenerating replaces (revokes) the old token")

        run = try await hosts.poolctl(["-C", config, "user", "token", "u@example.com"])
        XCTAssertEqual(run.status, 1)
        XCTAssertTrue(run.err.contains("has not verified their email address"), run.err)
        run = try await hosts.poolctl(["-C", config, "user", "token", "nobody@example.com"])
        XCTAssertEqual(run.status, 1)
        XCTAssertEqual(run.err, "poolctl: no user nobody@example.com\n")
    }

    // MARK: - user add: the wallets' vote version

    /// `poolctl user add` stores the voting wallets' vote version on the account, as a sign-up through the web app does
    /// (with 0, stakepoold ignored the account's vote choices until the web app's next start-up sync); the version is
    /// the one `poolctl wallets check` reads from every wallet, and `--vote-version N` sets it by hand.
    func testUserAdd_storesTheVotingWalletsVoteVersion() async throws {
        let (hosts, config, database) = try setUp("voteversion", "")
        let passwordFile = hosts.path("voteversion/password")
        try "a long enough password 123\n".write(toFile: passwordFile, atomically: true, encoding: .utf8)
        // The wallets' own answer, from the table's `votever` column (padded: cells start where the header's do).
        let check = try await hosts.poolctl(["-C", config, "wallets", "check"])
        let lines = check.out.split(separator: "\n").map(String.init)
        let header = try XCTUnwrap(lines.first, check.out)
        let column = header.distance(from: header.startIndex, to: try XCTUnwrap(header.range(of: "votever"), check.out).lowerBound)
        let versions = Set(lines.dropFirst().filter { $0.first?.isNumber == true && $0.count > column }
            .map { String($0.dropFirst(column).prefix { $0 != " " }) })
        XCTAssertEqual(versions.count, 1, check.out)
        let walletVersion = try XCTUnwrap(versions.first.flatMap { UInt32($0) }, check.out)
        XCTAssertNotEqual(walletVersion, 0)

        var run = try await hosts.poolctl(["-C", config, "user", "add", "--email", "w@example.com", "--password-file", passwordFile])
        XCTAssertEqual(run.status, 0, run.err)
        XCTAssertTrue(run.out.contains("vote version \(walletVersion)"), run.out)
        run = try await hosts.poolctl(["-C", config, "user", "add", "--email", "x@example.com", "--password-file", passwordFile,
                                       "--vote-version", "9"])
        XCTAssertEqual(run.status, 0, run.err)
        run = try await hosts.poolctl(["-C", config, "user", "add", "--email", "y@example.com", "--password-file", passwordFile,
                                       "--vote-version", "0"])
        XCTAssertEqual(run.status, 2)
        XCTAssertTrue(run.err.contains("--vote-version takes the wallets' vote version"), run.err)

        let storage = SQLiteStorage(configuration: .init(path: database), logger: .disabled)
        let stored = try await storage.read { reader in
            try ["w@example.com", "x@example.com", "y@example.com"].map { try reader.user(email: $0)?.voteBitsVersion }
        }
        await storage.shutdown()
        XCTAssertEqual(stored, [walletVersion, 9, nil], "the wallets' version, the one given, and nothing for a refused one")
    }

    // MARK: - db purge

    /// Rows of every kind, aged in days: delivered mail, queued mail, vote audits. Returns their ids.
    private func seed(_ path: String, deliveredAges: [Int64], queuedAge: Int64, auditAges: [Int64]) async throws
        -> (delivered: [Int64], queued: Int64)
    {
        let storage = try await migrated(path)
        let ids = try await storage.write { tx in
            try RetentionSeed.write(tx, deliveredAges: deliveredAges, queuedAge: queuedAge, auditAges: auditAges)
        }
        await storage.shutdown()
        return ids
    }

    private func remaining(_ path: String, _ ids: [Int64]) async throws -> (mail: [Int64], audits: [String]) {
        let storage = SQLiteStorage(configuration: .init(path: path), logger: .disabled)
        let result = try await storage.read { tx in
            (try ids.filter { try tx.outboxMessage(id: $0) != nil }, try tx.recentVoteAudits(limit: 100).map(\.ticketHash).sorted())
        }
        await storage.shutdown()
        return result
    }

    func testDBPurge_deletesWhatTheConfiguredRetentionSaysAndNothingElse() async throws {
        let (hosts, config, database) = try setUp("purge", "mailretentiondays=7\nvoteauditretentiondays=30")
        let ids = try await seed(database, deliveredAges: [10, 3], queuedAge: 100, auditAges: [40, 10])
        let run = try await hosts.poolctl(["-C", config, "db", "purge"])
        XCTAssertEqual(run.status, 0, run.err)
        XCTAssertEqual(run.out, "purged 1 finished mail(s) (older than 7 days) and 1 vote audit record(s) (older than 30 days)\n")
        let left = try await remaining(database, ids.delivered + [ids.queued])
        XCTAssertEqual(left.mail, [ids.delivered[1], ids.queued], "the 10-day-old delivered mail is gone; pending mail is never purged")
        XCTAssertEqual(left.audits, ["t10"])
    }

    func testDBPurge_zeroKeepsEverything() async throws {
        let (hosts, config, database) = try setUp("keep", "mailretentiondays=0\nvoteauditretentiondays=0")
        let ids = try await seed(database, deliveredAges: [4_000], queuedAge: 4_000, auditAges: [4_000])
        let run = try await hosts.poolctl(["-C", config, "db", "purge"])
        XCTAssertEqual(run.status, 0, run.err)
        XCTAssertEqual(run.out, "purged 0 finished mail(s) (kept for ever) and 0 vote audit record(s) (kept for ever)\n")
        let left = try await remaining(database, ids.delivered + [ids.queued])
        XCTAssertEqual(left.mail, ids.delivered + [ids.queued])
        XCTAssertEqual(left.audits, ["t4000"])
    }

    func testDBPurge_defaultsAreThirtyAndThreeHundredSixtyFiveDays() async throws {
        let (hosts, config, database) = try setUp("defaults", "")
        let ids = try await seed(database, deliveredAges: [31, 29], queuedAge: 400, auditAges: [366, 364])
        let run = try await hosts.poolctl(["-C", config, "db", "purge"])
        XCTAssertEqual(run.status, 0, run.err)
        XCTAssertEqual(run.out, "purged 1 finished mail(s) (older than 30 days) and 1 vote audit record(s) (older than 365 days)\n")
        let left = try await remaining(database, ids.delivered + [ids.queued])
        XCTAssertEqual(left.mail, [ids.delivered[1], ids.queued])
        XCTAssertEqual(left.audits, ["t364"])
    }
}
