import Foundation
import PoolKernel
import PoolNet
import PoolTestKit
import XCTest

/// The `make run` stack as scripts/dev-run.sh starts it, as child processes on free ports: simwallet (a node and
/// three voting wallets), two stakepoolds (wallets 0 and 1) with their control API behind a token, and — once
/// `startWebApp()` is called — the web app on SQLite with log mail over the dcrwallet plugin, pushing every
/// registration and vote change to both stakepoolds, and serving the vspd API too (`apifronts=both`) over simwallet's
/// endpoints as today's dcrd and dcrwallet. `devConfig` is what the script writes as run/dev.conf.
package final class DevStack: @unchecked Sendable {
    // @unchecked: used from one test method at a time.
    package static let controlToken = "dev-stack-control-token-0123456789"
    package let harness: StakepooldProcessHarness
    /// The simwallet node (its `sim…` control methods).
    package let node: JSONRPCClient
    package let served: (node: String, wallets: [String], certificate: String)
    /// simwallet's endpoints as today's dcrd and dcrwallet (the vspd front's node and wallets).
    package let servedVsp: (node: String, wallets: [String])
    /// The vspd front's fee xpub (the cold wallet's child 1, as scripts/dev-run.sh derives it).
    package let vspFeeXPub: ExtendedPublicKey
    /// The web app's options, one `name=value` each.
    package let webLines: [String]
    package let webConfig: String
    /// The web app's options plus `simwalletnode`.
    package let devConfig: String
    package let daemons: [(process: Process, log: String)]
    package let poolctl: ExecutableRunner

    /// Starts simwallet and both stakepoolds, and writes the two configuration files.
    package init(prefix: String) async throws {
        let harness = try StakepooldProcessHarness(prefix: prefix)
        self.harness = harness
        do {
            served = try await harness.startSimwallet(wallets: 3, seed: 1)
            node = try await harness.connect(served.node, certificate: served.certificate, name: "node")
            let world = try await node.call("siminfo")
            let voting = try XCTUnwrap(world["votingwalletextpub"]?.stringValue)
            let cold = try XCTUnwrap(world["coldwalletextpub"]?.stringValue)
            let user = StakepooldProcessHarness.rpcUser, password = StakepooldProcessHarness.rpcPassword
            servedVsp = try Self.vspEndpoints(announcedIn: harness.contents(harness.path("simwallet.log")))
            vspFeeXPub = try ExtendedPublicKey(parsing: cold, network: NetParams.named("simnet")).child(1)

            // One stakepoold per voting wallet, its control API on a free port, as the script starts them.
            var daemons: [(process: Process, log: String)] = [], controls: [String] = [], certs: [String] = []
            for index in 0..<2 {
                let home = harness.path("stakepoold\(index)"), log = harness.path("stakepoold\(index).out")
                let daemon = try harness.launch(try BuiltExecutable.path("stakepoold"), [
                    "--simnet", "--appdata", home, "--logdir", home + "/logs", "--datadir", home + "/data",
                    "--coldwalletextpub=\(cold)", "--poolfees=7.5", "--storage=sqlite",
                    "--sqlitepath=\(harness.path("data"))/simnet/stakepool.sqlite", "--dcrdhost=\(served.node)",
                    "--dcrduser=\(user)", "--dcrdpassword=\(password)", "--dcrdcert=\(served.certificate)",
                    "--wallethost=\(served.wallets[index])", "--walletuser=\(user)", "--walletpassword=\(password)",
                    "--walletcert=\(served.certificate)", "--rpclisten=127.0.0.1:0", "--controltoken=\(Self.controlToken)",
                ], log: log)
                let listening = try await harness.waitForLine(daemon, log, containing: "control API listening on ", seconds: 90)
                controls.append("\(try ChildProcessHarness.address(after: "control API listening on ", in: listening))")
                certs.append(home + "/rpc.cert")
                try await harness.waitForLine(daemon, log, containing: "subscribed to notifications from dcrd", seconds: 90)
                daemons.append((daemon, log))
            }
            self.daemons = daemons

            webLines = [
                "simnet=1", "listen=127.0.0.1:0", "baseurl=http://127.0.0.1", "datadir=\(harness.path("data"))",
                "logdir=\(harness.path("logs"))", "templatepath=\(WebAppTestConfig.repoRoot)/templates",
                "publicpath=\(WebAppTestConfig.repoRoot)/public", "apisecret=dev-stack-api-secret-0123456789abcdef",
                "cookiesecret=dev-stack-cookie-secret-0123456789abcdef", "adminips=127.0.0.1", "storage=sqlite", "mail=log",
                "poolfees=7.5", "wallet=dcrwallet", "wallethosts=\(served.wallets.joined(separator: ","))",
                "walletusers=\(user),\(user),\(user)", "walletpasswords=\(password),\(password),\(password)",
                "walletcerts=\(served.certificate),\(served.certificate),\(served.certificate)",
                "votingwalletextpub=\(voting)", "coldwalletextpub=\(cold)",
                "enablestakepoold=1", "stakepooldhosts=\(controls.joined(separator: ","))",
                "stakepooldcerts=\(certs.joined(separator: ","))", "stakepooldtoken=\(Self.controlToken)",
                "apifronts=both", "vspfeexpub=\(vspFeeXPub.serialized())",
                "vspnode=dcrd", "vspdcrdhost=\(servedVsp.node)", "vspdcrduser=\(user)", "vspdcrdpassword=\(password)",
                "vspdcrdcert=\(served.certificate)", "vspwallet=dcrwallet", "vspwallethosts=\(servedVsp.wallets.joined(separator: ","))",
                "vspwalletusers=\(user),\(user),\(user)", "vspwalletpasswords=\(password),\(password),\(password)",
                "vspwalletcerts=\(served.certificate),\(served.certificate),\(served.certificate)",
            ]
            webConfig = harness.path("web.conf")
            try webLines.joined(separator: "\n").write(toFile: webConfig, atomically: true, encoding: .utf8)
            devConfig = harness.path("dev.conf")
            try (webLines + ["simwalletnode=\(served.node)"]).joined(separator: "\n")
                .write(toFile: devConfig, atomically: true, encoding: .utf8)
            poolctl = ExecutableRunner(directory: harness.directory.path)
        } catch {
            harness.stop()
            throw error
        }
    }

    package func stop() { harness.stop() }

    /// The vsp node and wallet addresses from simwallet's start-up line
    /// (`vsp node (dcrd API 8) on A, vsp wallets (dcrwallet API 11) on B, C, D`).
    static func vspEndpoints(announcedIn log: String) throws -> (node: String, wallets: [String]) {
        let line = try XCTUnwrap(log.split(separator: "\n").first { $0.contains("vsp node (dcrd API 8) on ") }.map(String.init),
                                 "simwallet did not announce its vsp endpoints")
        let node = try XCTUnwrap(line.range(of: "vsp node (dcrd API 8) on "))
        let wallets = try XCTUnwrap(line.range(of: ", vsp wallets (dcrwallet API 11) on "))
        return (String(line[node.upperBound..<wallets.lowerBound]),
                line[wallets.upperBound...].split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) })
    }

    /// `poolctl -C devConfig …`.
    package func dev(_ arguments: [String]) throws -> ExecutableRunner.Result {
        try poolctl.run(["-C", devConfig] + arguments)
    }

    /// Starts the web app on the web configuration; returns the port it listens on (it binds port 0 and says).
    package func startWebApp() async throws -> UInt16 {
        let log = harness.path("web.log")
        let web = try harness.launch(try BuiltExecutable.path("hxstakepool"), ["-C", webConfig], log: log)
        let listening = try await harness.waitForLine(web, log, containing: "DCRS: listening on ", seconds: 90)
        return try ChildProcessHarness.address(after: "DCRS: listening on ", in: listening).port
    }

    /// How many times stakepoold `index` has reloaded its users' preferences with `users` users.
    package func reloads(_ index: Int, users: Int) -> Int {
        harness.contents(daemons[index].log).components(separatedBy: "reloaded voting prefs for \(users) users").count - 1
    }

    /// The ticket hashes `poolctl dev buy` printed, one a line.
    package static func hashes(_ output: String) -> [String] {
        output.split(separator: "\n").map { $0.trimmingCharacters(in: .whitespaces) }
            .filter { $0.count == 64 && $0.allSatisfy(\.isHexDigit) }
    }
}
