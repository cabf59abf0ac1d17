import BenchHost
import Foundation
import PoolKernel
import XCTest

/// The dashboard benchmark on a tiny data set prints its two figures (the full size is `make bench`'s).
final class DashboardBenchmarksTests: XCTestCase {
    func testDashboardBenchmarks_printTheDashboardAndSearchFigures() async throws {
        let templates = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().appendingPathComponent("templates").path
        let lines = LockedValue<[String]>([])
        await DashboardBenchmarks.runAll(users: 200, tickets: 1_000, templates: templates) { line in lines.withLock { $0.append(line) } }
        let objects = lines.value.compactMap { try? JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any] }
        XCTAssertEqual(objects.compactMap { $0["bench"] as? String },
                       ["dashboard_200_users_1k_tickets_p99", "dashboard_search_200_users_1k_tickets_p99"], "\(lines.value)")
        for object in objects {
            XCTAssertNotNil(object["value"] as? Double, "\(object)")
            XCTAssertEqual(object["goal"] as? String, "<50")
        }
    }
}
