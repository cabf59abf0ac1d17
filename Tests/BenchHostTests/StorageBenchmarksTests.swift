import BenchHost
import Foundation
import PoolKernel
import PoolTestKit
import XCTest

/// The storage benchmark functions on a tiny data set (SQLite; MySQL too with `POOL_MYSQL_DSN`).
final class StorageBenchmarksTests: XCTestCase {
    func testStorageBenchmarks_printOneJSONLinePerFigure() async throws {
        let lines = LockedValue<[String]>([])
        await StorageBenchmarks.runAll(users: 300) { line in lines.withLock { $0.append(line) } }
        let names = lines.value.compactMap { line in
            (try? JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any])?["bench"] as? String
        }
        for figure in ["insert_300_users", "lookup_api_token", "lookup_id"] {
            XCTAssertTrue(names.contains("sqlite_\(figure)"), "\(lines.value)")
        }
        for line in lines.value {
            let object = try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any]
            XCTAssertNotNil(object?["value"] as? Double, line)
        }
        if TestEnvironment.optional("POOL_MYSQL_DSN") != nil {
            for figure in ["insert_300_users", "lookup_api_token", "lookup_id"] {
                XCTAssertTrue(names.contains("mysql_\(figure)"), "\(lines.value)")
            }
        }
    }
}
