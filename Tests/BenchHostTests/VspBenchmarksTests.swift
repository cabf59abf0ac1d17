import BenchHost
import Foundation
import PoolKernel
import XCTest

/// `poolbench vsp` run tiny (the full size is `make bench`'s): the real web app with the vspd front over the simulated
/// dcrd and wallets answers vspinfo under wrk beside nginx, and a few signed feeaddress and payfee requests per ticket
/// (any non-200 answer would print an error line instead of figures), closed loop and then open loop at a fixed
/// rate, with the CPU per request of server and client; every figure line parses with its goal and unit.
final class VspBenchmarksTests: XCTestCase {
    func testVspBenchmarks_printVspInfoAgainstNginxAndFeeAddressPayFeeFigures() async throws {
        let templates = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().appendingPathComponent("templates").path
        let lines = LockedValue<[String]>([])
        await VspBenchmarks.runAll(tickets: 12, connections: 4, openLoopRate: 200, wrkSeconds: 1, templates: templates) { line in
            lines.withLock { $0.append(line) }
        }
        let objects = lines.value.compactMap { try? JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any] }
        XCTAssertEqual(objects.count, lines.value.count, "every line is JSON: \(lines.value)")
        let goals = ["vsp_vspinfo_rps": ">=0.6x nginx", "nginx_vspinfo_rps": "reference", "vsp_vspinfo_vs_nginx": ">=0.6",
                     "vsp_vspinfo_p99": "reference", "vsp_feeaddress_rps": ">=1000", "vsp_feeaddress_p99": "<20",
                     "vsp_payfee_rps": ">=1000", "vsp_payfee_p99": "<20",
                     "vsp_feeaddress_open_rps": "offered 200", "vsp_feeaddress_open_p50": "reference", "vsp_feeaddress_open_p99": "<20",
                     "vsp_payfee_open_rps": "offered 200", "vsp_payfee_open_p50": "reference", "vsp_payfee_open_p99": "<20",
                     "vsp_feeaddress_server_cpu": "reference", "vsp_payfee_server_cpu": "reference", "vsp_client_cpu": "reference"]
        XCTAssertEqual(objects.compactMap { $0["bench"] as? String },
                       ["vsp_load_average_start", "vsp_vspinfo_rps", "nginx_vspinfo_rps", "vsp_vspinfo_vs_nginx", "vsp_vspinfo_p99",
                        "vsp_feeaddress_rps", "vsp_feeaddress_p99", "vsp_payfee_rps", "vsp_payfee_p99",
                        "vsp_feeaddress_open_rps", "vsp_feeaddress_open_p50", "vsp_feeaddress_open_p99",
                        "vsp_payfee_open_rps", "vsp_payfee_open_p50", "vsp_payfee_open_p99",
                        "vsp_feeaddress_server_cpu", "vsp_payfee_server_cpu", "vsp_client_cpu", "vsp_load_average_end"],
                       "\(lines.value)")
        let values = Dictionary(objects.compactMap { object in (object["value"] as? Double).map { (object["bench"] as? String ?? "", $0) } },
                                uniquingKeysWith: { $1 })
        for name in ["feeaddress", "payfee"] {
            // Open loop: the 12th request is due 11/200 s after the first, so no run can be faster than 12 in 55 ms.
            XCTAssertLessThanOrEqual(values["vsp_\(name)_open_rps"] ?? .infinity, 200.0 * 12 / 11 + 0.01, "\(values)")
            XCTAssertLessThanOrEqual(values["vsp_\(name)_open_p50"] ?? .infinity, values["vsp_\(name)_open_p99"] ?? 0, "\(values)")
        }
        for object in objects {
            let bench = object["bench"] as? String ?? ""
            if bench.hasPrefix("vsp_load_average") {
                XCTAssertEqual((object["value"] as? String ?? "").split(separator: " ").compactMap { Double($0) }.count, 3, "\(object)")
                continue
            }
            let value = try XCTUnwrap(object["value"] as? Double, "\(object)")
            XCTAssertGreaterThan(value, 0, "\(object)")
            XCTAssertEqual(object["goal"] as? String, goals[bench], "\(object)")
            let unit = bench.hasSuffix("_p99") || bench.hasSuffix("_p50") ? "ms" : bench.hasSuffix("_vs_nginx") ? "ratio"
                : bench.hasSuffix("_cpu") ? "ms/req" : "req/s"
            XCTAssertEqual(object["unit"] as? String, unit, "\(object)")
        }
    }
}
