import BenchHost
import Foundation
import PoolKernel
import XCTest

/// `poolbench vsp` run tiny (the full size is `make bench`'s): the real web app with the vspd front over the simulated
/// dcrd and wallets answers vspinfo under wrk beside nginx, and a few signed feeaddress and payfee requests per ticket
/// (any non-200 answer would print an error line instead of figures); every figure line parses with its goal.
final class VspBenchmarksTests: XCTestCase {
    func testVspBenchmarks_printVspInfoAgainstNginxAndFeeAddressPayFeeFigures() async throws {
        let templates = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().appendingPathComponent("templates").path
        let lines = LockedValue<[String]>([])
        await VspBenchmarks.runAll(tickets: 12, connections: 4, wrkSeconds: 1, templates: templates) { line in
            lines.withLock { $0.append(line) }
        }
        let objects = lines.value.compactMap { try? JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any] }
        XCTAssertEqual(objects.count, lines.value.count, "every line is JSON: \(lines.value)")
        let goals = ["vsp_vspinfo_rps": ">=0.6x nginx", "nginx_vspinfo_rps": "reference", "vsp_vspinfo_vs_nginx": ">=0.6",
                     "vsp_vspinfo_p99": "reference", "vsp_feeaddress_rps": ">=1000", "vsp_feeaddress_p99": "<20",
                     "vsp_payfee_rps": ">=1000", "vsp_payfee_p99": "<20"]
        XCTAssertEqual(objects.compactMap { $0["bench"] as? String },
                       ["vsp_load_average_start", "vsp_vspinfo_rps", "nginx_vspinfo_rps", "vsp_vspinfo_vs_nginx", "vsp_vspinfo_p99",
                        "vsp_feeaddress_rps", "vsp_feeaddress_p99", "vsp_payfee_rps", "vsp_payfee_p99", "vsp_load_average_end"],
                       "\(lines.value)")
        for object in objects {
            let bench = object["bench"] as? String ?? ""
            if bench.hasPrefix("vsp_load_average") {
                XCTAssertEqual((object["value"] as? String ?? "").split(separator: " ").compactMap { Double($0) }.count, 3, "\(object)")
                continue
            }
            let value = try XCTUnwrap(object["value"] as? Double, "\(object)")
            XCTAssertGreaterThan(value, 0, "\(object)")
            XCTAssertEqual(object["goal"] as? String, goals[bench], "\(object)")
            XCTAssertEqual(object["unit"] as? String, bench.hasSuffix("_p99") ? "ms" : bench.hasSuffix("_vs_nginx") ? "ratio" : "req/s",
                           "\(object)")
        }
    }
}
