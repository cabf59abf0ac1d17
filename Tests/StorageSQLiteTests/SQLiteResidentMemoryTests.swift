import Foundation
import PoolKernel
import PoolTestKit
@testable import StorageSQLite
import XCTest

/// The SQLite plugin keeps a large database out of the process's resident memory: a mapped database page stays
/// resident in each connection that touched it, so a full read of a million users' table (the web app's start-up
/// sync) mapped hundreds of MB into the web app (issue 23 item 4, RSS < 1 GB).
final class SQLiteResidentMemoryTests: XCTestCase {
    private var directory: URL!

    override func setUpWithError() throws { directory = try TestEnvironment.makeTemporaryDirectory(prefix: "sqlite-rss") }
    override func tearDownWithError() throws { try? FileManager.default.removeItem(at: directory) }

    func testReadingEveryUser_mapsNoPartOfTheDatabaseFile() async throws {
        let path = directory.path + "/pool.sqlite"
        let filling = SQLiteStorage(configuration: .init(path: path), logger: .disabled)
        try await filling.migrate()
        try await filling.write { tx in
            for n in 0..<2_000 {
                _ = try tx.insertUser(User(email: "rss-\(n)@example.com", passwordHash: "x",
                                           multiSigScript: String(repeating: "ab", count: 71), emailVerified: .verified))
            }
        }
        await filling.shutdown() // the last connection closing moves the write-ahead log into the database file
        let storage = SQLiteStorage(configuration: .init(path: path), logger: .disabled)
        // A pass like the start-up sync's: every user, a page at a time, through the readers.
        var after: UserId = 0, read = 0
        while true {
            let page = try await storage.read { [after] in try $0.users(afterId: after, limit: 500) }
            guard let last = page.last else { break }
            after = last.id
            read += page.count
        }
        XCTAssertEqual(read, 2_000)
        XCTAssertGreaterThan(try FileManager.default.attributesOfItem(atPath: path)[.size] as? Int ?? 0, 500_000)

        let maps = try String(contentsOfFile: "/proc/self/maps", encoding: .utf8)
        let mapped = maps.split(separator: "\n").filter { $0.hasSuffix(path) }
        XCTAssertEqual(mapped, [], "the database file is mapped into the process")
        await storage.shutdown()
    }
}
