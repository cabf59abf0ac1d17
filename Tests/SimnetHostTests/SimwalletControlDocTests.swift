import Foundation
import HostTestSupport
import PoolKernel
import PoolNet
import SimnetHost
import WalletSimnet
import XCTest

/// docs/simwallet.md is the operator's and developer's only description of simwallet's fault-injection control
/// RPC (issue 18 item 6): its method table names exactly the control methods the node serves, and the running
/// node answers each name it lists.
final class SimwalletControlDocTests: XCTestCase {
    /// The methods of the table under "## Control methods" (first cell of each row).
    private static func documentedMethods() throws -> Set<String> {
        let path = WebAppTestConfig.repoRoot + "/docs/simwallet.md"
        let text = try String(contentsOfFile: path, encoding: .utf8)
        let section = try XCTUnwrap(text.components(separatedBy: "## Control methods").dropFirst().first)
            .components(separatedBy: "\n## ")[0]
        var methods: Set<String> = []
        for line in section.split(separator: "\n") where line.hasPrefix("| `sim") {
            let cell = line.dropFirst(3).prefix { $0 != "`" }
            methods.insert(String(cell))
        }
        return methods
    }

    func testSimwalletDoc_listsEveryControlMethodTheNodeServes() async throws {
        let documented = try Self.documentedMethods()
        let simnet = Simnet(configuration: .init(seed: 3, walletCount: 1), logger: .disabled)
        // The table's methods plus the one the host registers itself (it owns the wallets' servers).
        let served = Set(SimnetRPCHandlers.control(simnet, hooks: .init()).keys).union(["simstallimports"])
        XCTAssertEqual(documented.subtracting(served), [], "documented but not served")
        XCTAssertEqual(served.subtracting(documented), [], "served but missing from docs/simwallet.md")

        // The real node knows each documented name: too many parameters is a parameter error (-8), never
        // "Method not found" (-32601), and nothing runs.
        let host = try SimnetRPCHost(simnet: simnet, configuration: .init(nodePort: 0, walletPorts: [0], user: "u", password: "p",
                                                                                         certificateDirectory: nil),
                                     logger: .disabled)
        defer { host.stop() }
        let (node, _) = try host.start()
        let client = try JSONRPCClient(configuration: JSONRPCClientConfiguration(address: node, user: "u", password: "p",
                                                                                 name: "control"), logger: .disabled)
        try await client.connect()
        defer { client.close() }
        let tooMany: [JSONValue] = Array(repeating: .string("x"), count: 5)
        for method in documented.sorted() {
            do {
                _ = try await client.call(method, tooMany)
                XCTFail("\(method) accepted five parameters")
            } catch let error as NetError {
                XCTAssertEqual(error.rpcCode, -8, "\(method): \(error.message)")
            }
        }
    }
}
