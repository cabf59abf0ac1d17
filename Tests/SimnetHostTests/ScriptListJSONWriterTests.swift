import Foundation
import PoolKernel
import PoolNet
import SimnetHost
import WalletDcrwallet
import WalletSimnet
import XCTest

/// simwallet writes `listscripts` straight into bytes; the bytes must be exactly those of the `JSONValue` tree it used
/// to build (`WalletWire.json(_:).encoded()`): same members, same order, same escaping.
final class ScriptListJSONWriterTests: XCTestCase {
    /// Strings that need every kind of escape Go's encoding/json (and `JSONValue`) applies, and some that need none.
    private static let awkward = ["", "\"", "\\", "<script>&</script>", "a\nb\rc\td", "\u{0}\u{1}\u{1f}", "\u{7f}",
                                  "line\u{2028}para\u{2029}", "é€𝄞", "\u{e2}\u{80}", "Sc" + String(repeating: "z", count: 300)]

    /// A deterministic byte pattern of `count` bytes (no randomness in the expected values).
    private func bytes(_ count: Int, seed: Int) -> [UInt8] {
        (0..<count).map { UInt8(truncatingIfNeeded: $0 &* 31 &+ seed &* 7 &+ ($0 >> 3)) }
    }

    func testWriter_stringScriptsAreTheTreesBytes() {
        XCTAssertEqual(encoded(ScriptListJSONWriter().finish()), WalletWire.json([ImportedScript]()).encoded(),
                       "no scripts: {\"scripts\":[]}")
        var scripts: [ImportedScript] = []
        for index in 0..<300 {
            let pick = { (offset: Int) in Self.awkward[(index + offset) % Self.awkward.count] }
            let hex = Hex.encode(bytes(index % 90, seed: index))
            switch index % 3 {
            case 0: scripts.append(ImportedScript(hash160: hex, address: "Sc\(index)", redeemScript: hex))
            case 1: scripts.append(ImportedScript(hash160: pick(0), address: pick(1), redeemScript: pick(2)))
            default: scripts.append(ImportedScript(hash160: pick(3), address: hex, redeemScript: pick(5) + hex))
            }
        }
        var writer = ScriptListJSONWriter(expectedScripts: 1) // smaller than needed: growing must not matter
        for script in scripts { writer.append(script) }
        XCTAssertEqual(String(decoding: encoded(writer.finish()), as: UTF8.self),
                       String(decoding: WalletWire.json(scripts).encoded(), as: UTF8.self))
    }

    func testWriter_byteScriptsAreTheTreeOfTheirLowercaseHex() {
        var scripts: [ImportedScript] = []
        var writer = ScriptListJSONWriter(expectedScripts: 300)
        for index in 0..<300 {
            let hash160 = index == 0 ? [] : index == 1 ? [UInt8](repeating: 0xFF, count: 20) : bytes(20, seed: index)
            let script = index == 2 ? Array(0...255) : index == 3 ? [] : bytes(index % 140, seed: index + 1)
            let address = index % 4 == 0 ? Self.awkward[index / 4 % Self.awkward.count] : "ScAddr\(index)"
            writer.append(hash160: hash160, address: address, redeemScript: script)
            scripts.append(ImportedScript(hash160: Hex.encode(hash160), address: address, redeemScript: Hex.encode(script)))
        }
        XCTAssertEqual(String(decoding: encoded(writer.finish()), as: UTF8.self),
                       String(decoding: WalletWire.json(scripts).encoded(), as: UTF8.self))
    }

    /// simwallet over its real JSON-RPC server: the reply's result is byte for byte the old tree of the wallet's
    /// scripts, and the pool's client reads every script from it.
    func testSimwallet_listscriptsReplyIsTheTreesBytes() async throws {
        let simnet = Simnet(configuration: .init(seed: 23, walletCount: 2), logger: .disabled)
        let host = try SimnetRPCHost(simnet: simnet, configuration: .init(
            nodePort: 0, walletPorts: [0, 0], user: "u", password: "p", certificateDirectory: nil), logger: .disabled)
        let (_, walletAddresses) = try host.start()
        defer { host.stop() }
        let client = try JSONRPCClient(configuration: JSONRPCClientConfiguration(
            address: walletAddresses[1], user: "u", password: "p", name: "raw"), logger: .disabled)
        try await client.connect()
        defer { client.close() }

        let none = try await client.callRaw("listscripts")
        XCTAssertEqual(String(decoding: none.bytes[none.range], as: UTF8.self), #"{"scripts":[]}"#)
        var addresses: [String] = []
        for uid in [0, 1, 2, 999_999] + Array(10..<260) { addresses.append(try simnet.registerUser(uid).ticketAddress) }

        let reply = try await client.callRaw("listscripts")
        let inProcess = try await SimnetWalletBackend(simnet: simnet, walletIndex: 1).listScripts()
        XCTAssertEqual(inProcess.map(\.address), addresses, "import order")
        XCTAssertEqual(Array(reply.bytes[reply.range]), WalletWire.json(inProcess).encoded())

        let wallet = try DcrwalletBackend(configuration: RPCEndpointConfiguration(
            host: walletAddresses[1].description, defaultPort: walletAddresses[1].port, user: "u", password: "p",
            certificatePath: nil, disableTLS: true, callTimeout: .seconds(10), name: "wallet 1"), logger: .disabled)
        try await wallet.connect()
        defer { Task { await wallet.close() } }
        let overTheWire = try await wallet.listScripts()
        XCTAssertEqual(overTheWire, inProcess)
        do {
            _ = try await client.call("listscripts", [1])
            XCTFail("listscripts takes no params")
        } catch let error as NetError {
            XCTAssertEqual(error.rpcCode, WalletRPCCode.invalidRequest)
        }
    }

    private func encoded(_ raw: RawJSON) -> [UInt8] { Array(raw.bytes[raw.range]) }
}
