import Foundation
import PoolKernel
import PoolTestKit
import StakepooldHost
import XCTest

/// The disk cache (stakepoold.md §9/§10): saved on shutdown, pruned and loaded at start when storage has no
/// users, so the daemon still votes with the users' choices through a database outage.
final class StakepooldDiskCacheTests: XCTestCase {
    var directory: String!

    override func setUpWithError() throws {
        directory = FileManager.default.temporaryDirectory.appendingPathComponent("spd-cache-\(UUID().uuidString)").path
    }

    override func tearDownWithError() throws { try? FileManager.default.removeItem(atPath: directory) }

    func testDiskCache_savedOnShutdownAndLoadedWhenStorageHasNoUsers() async throws {
        let wallet = StakepooldTestFixture.wallet()
        let first = try await StakepooldTestFixture.engine(wallet: wallet,
                                                           storage: try await StakepooldTestFixture.storageWithOwner(),
                                                           dataDirectory: directory)
        XCTAssertEqual(first.tracker.count, 3)
        let written = first.saveCache()
        XCTAssertEqual(written.count, 2, "live tickets + user prefs (no operator-added tickets)")
        let cache = VotingDiskCache(directory: directory, logger: .disabled)
        XCTAssertEqual(cache.loadLiveTickets()?.count, 3)
        XCTAssertEqual(cache.loadLiveTickets()?[StakepooldTestFixture.tickets[0]], StakepooldTestFixture.owner)
        let text = try String(contentsOfFile: try XCTUnwrap(cache.files(.userVotingConfig).last), encoding: .utf8)
        XCTAssertTrue(text.contains("\"VoteBitsVersion\":6"), text)

        // Restart against an empty database: the cached prefs attribute the tickets and give the user's bits.
        let second = try await StakepooldTestFixture.engine(wallet: wallet, storage: InMemoryStorage(),
                                                            dataDirectory: directory)
        XCTAssertEqual(second.prefs.count, 1)
        XCTAssertEqual(second.tracker.count, 3)
        let report = await second.loop.process(WinningTickets(blockHash: String(repeating: "c", count: 64),
                                                              blockHeight: 50, tickets: [StakepooldTestFixture.tickets[1]]))
        XCTAssertEqual(report.cast, 1)
        XCTAssertEqual(wallet.state.value.votes.last?.voteBits, 5, "the owner's bits, not the wallet default (1)")
    }

    func testDiskCache_storageUsersWinOverTheCache() async throws {
        let cache = VotingDiskCache(directory: directory, logger: .disabled)
        cache.save(liveTickets: [:], users: [VotingUser(userId: 9, multiSigAddress: "SsOld", voteBits: 3, voteBitsVersion: 6)],
                   manuallyAdded: [:])
        let engine = try await StakepooldTestFixture.engine(wallet: StakepooldTestFixture.wallet(),
                                                            storage: try await StakepooldTestFixture.storageWithOwner(),
                                                            dataDirectory: directory)
        XCTAssertNil(engine.prefs.user(multiSigAddress: "SsOld"))
        XCTAssertNotNil(engine.prefs.user(multiSigAddress: StakepooldTestFixture.owner))
    }

    func testDiskCache_pruneKeepsTheNewestTenAndLoadsTheNewest() throws {
        let cache = VotingDiskCache(directory: directory, logger: .disabled)
        let start = Date(timeIntervalSince1970: 1_700_000_000)
        for index in 0..<12 {
            cache.save(liveTickets: ["t\(index)": "SsA"],
                       users: [VotingUser(userId: UserId(Int64(index)), multiSigAddress: "SsA", voteBits: 1, voteBitsVersion: 6)],
                       manuallyAdded: index == 0 ? ["m": "SsA"] : [:], now: start + Double(index))
        }
        XCTAssertEqual(cache.files(.liveTickets).count, 12)
        try "not a cache".write(toFile: directory + "/livetickets-notes.txt", atomically: true, encoding: .utf8)
        cache.prune()
        XCTAssertEqual(cache.files(.liveTickets).count, 10)
        XCTAssertEqual(cache.files(.userVotingConfig).count, 10)
        XCTAssertEqual(cache.files(.manuallyAddedTickets).count, 1)
        XCTAssertTrue(FileManager.default.fileExists(atPath: directory + "/livetickets-notes.txt"), "other files stay")
        XCTAssertEqual(cache.loadLiveTickets(), ["t11": "SsA"])
        XCTAssertEqual(cache.loadUsers()?.first?.userId, 11)
    }

    func testDiskCache_badFilesAndEmptyMaps() throws {
        let cache = VotingDiskCache(directory: directory, logger: .disabled)
        XCTAssertNil(cache.loadUsers(), "no file is not an error")
        XCTAssertEqual(cache.save(liveTickets: [:], users: [], manuallyAdded: [:]), [], "empty maps are skipped")
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        try "{\"SsA\":{\"Userid\":\"x\"}".write(toFile: directory + "/uservotingconfig-2030_01_01_00_00_00-1.0.0.json",
                                                 atomically: true, encoding: .utf8)
        XCTAssertNil(cache.loadUsers(), "a corrupt file is logged and ignored")
    }
}
