import Foundation
import PoolKernel
import PoolNet
import PoolTestKit
@testable import VspRPC
import XCTest

/// The plugins' options: checked when the config loads (file:line in every message), built into working, checked
/// connections when chosen.
final class VspRPCPluginOptionTests: XCTestCase {
    private func plugins() -> PoolPlugins {
        var plugins = PoolPlugins()
        VspRPCPlugin.register(into: &plugins)
        return plugins
    }

    /// A context whose options come from `pool.conf`, one line each, in order.
    private func context(_ lines: [(String, String)], files: Set<String> = []) throws -> PluginContext {
        let plugins = plugins()
        var values = OptionValues(specs: plugins.vspNode.optionSpecs + plugins.vspWallets.optionSpecs)
        for (index, (key, value)) in lines.enumerated() {
            try values.set(key, value, source: .file(path: "/etc/pool.conf", line: index + 1))
        }
        return PluginContext(values: values, network: .simnet, params: .simnet, homeDir: "/home/op", dataDir: "/tmp",
                             fileExists: { files.contains($0) })
    }

    private func configError(_ body: () throws -> Void) -> ConfigError? {
        do {
            try body()
            return nil
        } catch let error as ConfigError {
            return error
        } catch {
            XCTFail("expected a ConfigError, got \(error)")
            return nil
        }
    }

    func testOptions_namesCannotClashWithTheLegacyPlugins() {
        let names = (plugins().vspNode.optionSpecs + plugins().vspWallets.optionSpecs).map(\.name)
        XCTAssertEqual(names, ["vspnode", "vspdcrdhost", "vspdcrduser", "vspdcrdpassword", "vspdcrdcert",
                               "vspwallet", "vspwallethosts", "vspwalletusers", "vspwalletpasswords", "vspwalletcerts"])
        let secrets = (plugins().vspNode.optionSpecs + plugins().vspWallets.optionSpecs).filter(\.isSecret).map(\.name)
        XCTAssertEqual(secrets, ["vspdcrdpassword", "vspwalletpasswords"])
    }

    func testNodeOptions_checkedWithFileAndLine() throws {
        let node = plugins().vspNode
        let unset = try context([])
        XCTAssertNil(configError { try node.checkOptions(unset, selected: nil) }, "not chosen, nothing set: fine")
        XCTAssertEqual(configError { try node.checkOptions(unset, selected: "dcrd") }?.message, "vspdcrdhost is not set in config")

        let badHost = try context([("vspdcrdhost", "node:99999")])
        XCTAssertEqual(configError { try node.checkOptions(badHost, selected: nil) }?.message,
                       "pool.conf:1: vspdcrdhost entry \"node:99999\" is not host or host:port", "checked even when not chosen")

        let noUser = try context([("vspdcrdhost", "node")])
        XCTAssertEqual(configError { try node.checkOptions(noUser, selected: "dcrd") }?.message, "vspdcrduser is not set in config")
        let noPassword = try context([("vspdcrdhost", "node"), ("vspdcrduser", "u")])
        XCTAssertEqual(configError { try node.checkOptions(noPassword, selected: "dcrd") }?.message, "vspdcrdpassword is not set in config")

        let noCert = try context([("vspdcrdhost", "node"), ("vspdcrduser", "u"), ("vspdcrdpassword", "p"), ("vspdcrdcert", "/nope/rpc.cert")])
        let missing = configError { try node.checkOptions(noCert, selected: "dcrd") }
        XCTAssertEqual(missing?.code, .unreadableFile)
        XCTAssertEqual(missing?.message, "vspdcrdcert /nope/rpc.cert does not exist")

        let good = try context([("vspdcrdhost", "node"), ("vspdcrduser", "u"), ("vspdcrdpassword", "p"), ("vspdcrdcert", "dcrd/rpc.cert")],
                               files: ["/home/op/dcrd/rpc.cert"])
        XCTAssertNil(configError { try node.checkOptions(good, selected: "dcrd") })
        let endpoint = try VspRPCPlugin.nodeEndpoint(good)
        XCTAssertEqual(endpoint.address.description, "node:19556", "simnet's dcrd port added")
        XCTAssertEqual(endpoint.tls, TLSClientConfiguration(trust: .certificateFile("/home/op/dcrd/rpc.cert")))
        XCTAssertNotNil(endpoint.reconnect, "the node is redialled and notifyblocks re-registered")
    }

    func testWalletOptions_checkedWithFileAndLine() throws {
        let wallets = plugins().vspWallets
        let unset = try context([])
        XCTAssertNil(configError { try wallets.checkOptions(unset, selected: nil) })
        XCTAssertEqual(configError { try wallets.checkOptions(unset, selected: "dcrwallet") }?.message, "vspwallethosts is not set in config")

        let badHost = try context([("vspwallethosts", "w1,w2:x")])
        XCTAssertEqual(configError { try wallets.checkOptions(badHost, selected: nil) }?.message,
                       "pool.conf:1: vspwallethosts entry \"w2:x\" is not host or host:port")

        let mismatch = try context([("vspwallethosts", "w1,w2"), ("vspwalletusers", "u"), ("vspwalletpasswords", "p,q"),
                                    ("vspwalletcerts", "a,b")])
        XCTAssertEqual(configError { try wallets.checkOptions(mismatch, selected: "dcrwallet") }?.message,
                       "pool.conf:2: vsp wallet configuration mismatch (vspwalletusers has 1 entries, vspwallethosts 2)")

        let noCert = try context([("vspwallethosts", "w1"), ("vspwalletusers", "u"), ("vspwalletpasswords", "p"),
                                  ("vspwalletcerts", "/c/missing")])
        XCTAssertEqual(configError { try wallets.checkOptions(noCert, selected: "dcrwallet") }?.message,
                       "vspwalletcerts /c/missing does not exist")
        let good = try context([("vspwallethosts", "w1,w2:9000,w1:19557"), ("vspwalletusers", "u,v"), ("vspwalletpasswords", "p,q"),
                                ("vspwalletcerts", "/c/a,/c/b")], files: ["/c/a", "/c/b"])
        let endpoints = try VspRPCPlugin.walletEndpoints(good)
        XCTAssertEqual(endpoints.map(\.address.description), ["w1:19557", "w2:9000"], "default port added, the duplicate dropped")
        XCTAssertEqual(endpoints.map(\.user), ["u", "v"])
        XCTAssertEqual(endpoints.map(\.password), ["p", "q"])
        XCTAssertEqual(endpoints.map(\.tls), [TLSClientConfiguration(trust: .certificateFile("/c/a")),
                                              TLSClientConfiguration(trust: .certificateFile("/c/b"))])
    }

    func testChosenPlugins_connectAndRunTheChecks() async throws {
        let dcrd = try FakeDcrd(), good = try FakeDcrwallet(), spv = try FakeDcrwallet()
        defer { dcrd.rpc.stop(); good.rpc.stop(); spv.rpc.stop() }
        let node = try dcrd.rpc.start(name: "n"), first = try good.rpc.start(name: "a"), second = try spv.rpc.start(name: "b")
        spv.wallet.withLock { $0.spv = true }
        let user = RecordingRPCServer.user, password = RecordingRPCServer.password
        let context = try context([
            ("vspdcrdhost", node.address.description), ("vspdcrduser", user), ("vspdcrdpassword", password),
            ("vspdcrdcert", dcrd.rpc.certificateFile),
            ("vspwallethosts", "\(first.address),\(second.address)"), ("vspwalletusers", "\(user),\(user)"),
            ("vspwalletpasswords", "\(password),\(password)"), ("vspwalletcerts", "\(good.rpc.certificateFile),\(spv.rpc.certificateFile)"),
        ], files: [dcrd.rpc.certificateFile, good.rpc.certificateFile, spv.rpc.certificateFile])
        let plugins = plugins()

        let vspNode = try plugins.vspNode.make("dcrd", context)
        try await vspNode.connect()
        let tip = try await vspNode.backend.bestBlockHeader()
        XCTAssertEqual(tip.height, 9)
        await vspNode.backend.close()
        dcrd.chain.withLock { $0.txIndex = false }
        let unindexed = try plugins.vspNode.make("dcrd", context)
        do {
            try await unindexed.connect()
            XCTFail("a dcrd without txindex is refused at connect")
        } catch let error as WalletError {
            XCTAssertEqual(error.code, .vspBackendRefused)
            XCTAssertTrue(error.message.contains("--txindex"), error.message)
        }

        let set = try plugins.vspWallets.make("dcrwallet", context)
        XCTAssertEqual(set.labels, [first.address.description, second.address.description])
        do {
            try await set.connect()
            XCTFail("the SPV wallet is refused")
        } catch let error as WalletError {
            XCTAssertEqual(error.code, .vspBackendRefused)
            XCTAssertTrue(error.message.contains("SPV"), error.message)
        }
        let info = try await set.wallets[0].walletInfo()
        XCTAssertTrue(info.voting, "the good wallet is connected and answers")
        do {
            _ = try await set.wallets[1].walletInfo()
            XCTFail("the refused wallet is closed")
        } catch let error as WalletError {
            XCTAssertEqual(error.code, .walletShutdown)
        }
        for wallet in set.wallets { await wallet.close() }
    }
}
