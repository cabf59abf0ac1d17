import HostKit
import PoolKernel
import XCTest

/// vspplugins: the shipped plugin set offers the vspd front today's dcrd and dcrwallet, chosen by default, beside
/// the v1.1-era `dcrwallet`/`dcrd` of the legacy registries.
final class VspBuiltInPluginsTests: XCTestCase {
    func testBuiltIn_registersTheVspNodeAndWalletPluginsAsDefaults() {
        let plugins = PoolPlugins.builtIn()
        XCTAssertEqual(plugins.vspNode.names, ["dcrd"])
        XCTAssertEqual(plugins.vspNode.defaultName, "dcrd")
        XCTAssertEqual(plugins.vspWallets.names, ["dcrwallet"])
        XCTAssertEqual(plugins.vspWallets.defaultName, "dcrwallet")
        // The v1.1-era registries (the web app's set also holds the vsp ones since the front is configurable).
        let legacyRegistries: [any PluginSelection] = [plugins.storage, plugins.mail, plugins.wallets, plugins.votePolicies,
                                                       plugins.votingWallet, plugins.node]
        let legacy = Set(legacyRegistries.flatMap(\.optionSpecs).map(\.name))
        let vsp = Set((plugins.vspNode.optionSpecs + plugins.vspWallets.optionSpecs).map(\.name))
        XCTAssertTrue(legacy.isDisjoint(with: vsp), "no vsp option shadows a legacy one: \(legacy.intersection(vsp))")
    }
}
