import BenchHost
import Foundation
import PoolKernel
import XCTest

/// The dashboard benchmark on a tiny data set prints its figures (the full size is `make bench`'s): p99, median and
/// fastest of `/admin` and of a ticket search, with the figures shared and with sharing off, between the machine's load
/// averages before and after.
final class DashboardBenchmarksTests: XCTestCase {
    func testDashboardBenchmarks_printTheDashboardAndSearchFigures() async throws {
        let templates = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().appendingPathComponent("templates").path
        let lines = LockedValue<[String]>([])
        await DashboardBenchmarks.runAll(users: 200, tickets: 1_000, templates: templates) { line in lines.withLock { $0.append(line) } }
        let objects = lines.value.compactMap { try? JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any] }
        let pages = ["dashboard", "dashboard_search", "dashboard_uncached", "dashboard_search_uncached"]
        let figures = pages.flatMap { page in ["p99", "p50", "fastest"].map { "\(page)_200_users_1k_tickets_\($0)" } }
        XCTAssertEqual(objects.compactMap { $0["bench"] as? String },
                       ["dashboard_load_average_start"] + figures + ["dashboard_load_average_end"], "\(lines.value)")
        var values: [String: Double] = [:]
        for object in objects {
            let bench = object["bench"] as? String ?? ""
            if bench.hasPrefix("dashboard_load_average") {
                let loads = (object["value"] as? String ?? "").split(separator: " ").compactMap { Double($0) }
                XCTAssertEqual(loads.count, 3, "\(object)")
                continue
            }
            values[bench] = object["value"] as? Double
            XCTAssertNotNil(values[bench], "\(object)")
            XCTAssertEqual(object["goal"] as? String, bench.hasSuffix("_p99") ? "<50" : "", "\(object)")
        }
        for page in pages {
            let name = "\(page)_200_users_1k_tickets_"
            let (fastest, median, p99) = (values[name + "fastest"] ?? -1, values[name + "p50"] ?? -1, values[name + "p99"] ?? -1)
            XCTAssertTrue(0 < fastest && fastest <= median && median <= p99, "\(page): \(fastest) ≤ \(median) ≤ \(p99)")
        }
    }
}
