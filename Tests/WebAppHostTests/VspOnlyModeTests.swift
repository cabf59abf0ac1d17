import Foundation
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif
import HostKit
import HostTestSupport
import PoolctlHost
import PoolKernel
import PoolTestKit
import WalletSimnet
import WebAppHost
import WebHost
import XCTest

/// vspd-only mode (`apifronts=vspd`, issue 24 item 4) through the real web app assembled from a config file that has
/// none of the legacy front's options, over the in-process simulation of today's dcrd and dcrwallet
/// (`SimnetVspNodeBackend`, `SimnetVspWalletBackend`) registered as the `vspnode` / `vspwallet` plugins.
final class VspOnlyModeTests: XCTestCase {
    private var apps: [(WebApp, Task<Void, any Error>)] = []
    private var directory = ""
    private var simnet: Simnet!

    override func setUp() async throws {
        directory = try TestEnvironment.makeTemporaryDirectory(prefix: "vsponly").path
        // A live ticket pool (vspinfo needs one) at a height past stake validation (a fee above 0), as the bench does.
        simnet = Simnet(configuration: .init(seed: 11, walletCount: 2), logger: .disabled)
        let user = try simnet.registerUser(1)
        _ = try simnet.buyTickets(ticketAddress: user.ticketAddress, feeAddress: user.feeAddress, count: 40)
        _ = simnet.mine(simnet.network.tickets.stakeValidationHeight + 2)
    }

    override func tearDown() async throws {
        for (app, runner) in apps {
            app.shutdown()
            _ = try? await runner.value
        }
        apps = []
        try? FileManager.default.removeItem(atPath: directory)
    }

    private var plugins: PoolPlugins {
        var plugins = PoolPlugins.builtIn()
        let simnet = simnet!
        plugins.vspNode.register("sim") { _ in
            ConnectableBackend(SimnetVspNodeBackend(simnet: simnet), label: "simnet dcrd", connect: {})
        }
        plugins.vspWallets.register("sim") { _ in
            VspWalletSet(wallets: (0..<simnet.walletCount).map { SimnetVspWalletBackend(simnet: simnet, walletIndex: $0) },
                         labels: (0..<simnet.walletCount).map { "simnet dcrwallet \($0)" })
        }
        return plugins
    }

    /// A vspd-only config as an operator writes it: no apisecret, coldwalletextpub, votingwalletextpub, wallet*,
    /// stakepoold or poolfees lines.
    private func vspOnlyLines(feeXPub: Bool = true) -> [String] {
        let templates = WebAppTestConfig.repoRoot + "/templates"
        return ["apifronts=vspd", "vspnode=sim", "vspwallet=sim", "vspfee=2.5",
                feeXPub ? "vspfeexpub=\(simnet.coldExtendedPublicKey)" : "",
                "cookiesecret=cookie-secret-value-0123456789abcdef", "adminips=127.0.0.1", "simnet=1", "listen=127.0.0.1:0",
                "datadir=\(directory)/data", "logdir=\(directory)/logs", "templatepath=\(templates)",
                "publicpath=\(WebAppTestConfig.repoRoot)/public", "bcryptcost=4", "ratelimit=0"]
    }

    private func writeConfig(_ lines: [String]) throws -> String {
        let path = directory + "/dcrstakepool.conf"
        try lines.joined(separator: "\n").write(toFile: path, atomically: true, encoding: .utf8)
        return path
    }

    private func start(_ lines: [String]) async throws -> Int {
        let path = try writeConfig(lines)
        let (loaded, _, _) = try PoolConfig.load(arguments: ["-C", path], home: directory, plugins: plugins,
                                                 hostOptions: WebAppHostOptions.all)
        let app = try await WebApp.assemble(config: try XCTUnwrap(loaded), plugins: plugins,
                                            logs: LogBackend(level: .error, sinks: [CapturingSink()]))
        XCTAssertNil(app.legacyServices, "no legacy wallet pool, sync or stakepoold clients")
        guard case let .tcp(_, port) = try app.bind() else { throw PageClient.ClientError("the web app did not bind TCP") }
        apps.append((app, Task { try await app.run() }))
        return Int(port)
    }

    func testVspOnly_withoutLegacyOptions_servesVspdAPIHealthAndTheVSPPages() async throws {
        let port = try await start(vspOnlyLines())
        let client = PageClient(port: port)

        // The vspd API: vspinfo, and a fee address for a ticket bought with keys of the test's own.
        let info = try client.get("/api/v3/vspinfo")
        XCTAssertEqual(info.status, 200, info.text)
        XCTAssertTrue(info.text.contains(#""feepercentage":2.5,"vspclosed":false"#), info.text)
        let pubkey = try XCTUnwrap(Self.capture(#""pubkey":"([^"]+)""#, in: info.text))
        let buyer = try SoloBuyer(simnet: simnet)
        let (quote, quoteStatus) = try await Self.post(port, "/api/v3/feeaddress", buyer.feeAddressBody,
                                                       signature: buyer.signature(of: buyer.feeAddressBody))
        XCTAssertEqual(quoteStatus, 200, quote)
        XCTAssertTrue(quote.contains(#""feeaddress":"Ss"#), quote)

        // /health: the database, mail and the vspd front's node and two wallets; no legacy wallet or dcrd check.
        let health = try client.get("/health")
        XCTAssertEqual(health.status, 200, health.text)
        let report = try XCTUnwrap(try JSONSerialization.jsonObject(with: Data(health.text.utf8)) as? [String: Any])
        XCTAssertEqual(report["status"] as? String, "ok", health.text)
        let components = (report["checks"] as? [[String: Any]] ?? []).compactMap { $0["component"] as? String }
        XCTAssertEqual(components.filter { $0 == "vsp-wallet" }.count, 2, health.text)
        XCTAssertTrue(components.contains("vsp-node"), health.text)
        XCTAssertFalse(components.contains("wallet") || components.contains("dcrd") || components.contains("wallet-pool"),
                       health.text)

        // The home and stats pages are the VSP's: its fee, status, ticket counts and response key.
        for path in ["/", "/stats"] {
            let page = try client.get(path)
            XCTAssertEqual(page.status, 200, path)
            XCTAssertTrue(page.text.contains(#"<span id="VspFee">2.5</span>"#), page.text)
            XCTAssertTrue(page.text.contains(#"<span id="VspTotal">1</span>"#), "the quoted ticket is counted: \(page.text)")
            XCTAssertTrue(page.text.contains(pubkey), path)
            XCTAssertFalse(page.text.contains("href=\"/signup\""), "no sign-up link on \(path)")
        }

        // Legacy pages: 404 naming the vspd API; the legacy API: 404 in its own JSON envelope, saying the same.
        for path in ["/signup", "/address", "/tickets", "/voting", "/settings", "/passwordreset", "/status"] {
            let page = try client.get(path)
            XCTAssertEqual(page.status, 404, path)
            XCTAssertTrue(page.text.contains(#"<p id="vsp-only">This pool serves the vspd API only"#), "\(path): \(page.text)")
        }
        for path in ["/api/v1/stats", "/api/v2/voting", "/api/v1/getpurchaseinfo"] {
            let answer = try client.get(path)
            XCTAssertEqual(answer.status, 404, path)
            XCTAssertEqual(answer.header("Content-Type"), "application/json; charset=utf-8", path)
            XCTAssertTrue(answer.text.hasPrefix(#"{"status":"error","code":14,"message":"this pool serves the vspd API (/api/v3) only"#),
                          answer.text)
        }

        // The operator side: /admin from adminips, /metrics with the vspd tickets.
        let admin = try client.get("/admin")
        XCTAssertEqual(admin.status, 200, admin.text)
        // Only what this mode has: the vspd tickets and their misses, the mail; no empty legacy sections.
        for present in [#"id="vsp-only-dashboard""#, #"id="vsp-figures""#, #"id="missed-tickets""#, "No vspd ticket was missed.",
                        #"id="fig-mail-queued""#] {
            XCTAssertTrue(admin.text.contains(present), "\(present): \(admin.text)")
        }
        for legacy in [#"id="dashboard-wallets""#, #"id="voting-health""#, #"id="unvoted-summary""#, #"id="lowfee-added""#,
                       #"action="/admin/lowfee""#, #"id="history""#, #"id="fig-users""#, "Stake info"] {
            XCTAssertFalse(admin.text.contains(legacy), "\(legacy) shown in vspd-only mode")
        }
        _ = try client.get("/signin")
        let token = try XCTUnwrap(client.csrfToken)
        let lowFee = try client.post("/admin/lowfee", [("csrf_token", token), ("ticket", String(repeating: "ab", count: 32))])
        XCTAssertEqual(lowFee.status, 404, "low-fee tickets are stakepoold's: \(lowFee.text)")
        let metrics = try client.get("/metrics")
        XCTAssertTrue(metrics.text.contains("\npool_vsp_tickets{feetxstatus=\"none\"} "), metrics.text)
        XCTAssertTrue(metrics.text.contains("\npool_wallets_configured 0\n"), "no legacy wallet: \(metrics.text)")
    }

    /// An unchanged dcrstakepool.conf with `apifronts=vspd` added: its legacy wallets and stakepoolds (pointed at a
    /// listener the test holds) are never connected to.
    func testVspOnly_unchangedLegacyOptions_neverConnectsTheLegacyWallets() async throws {
        let listener = try TCPListenerHolder()
        let cert = directory + "/legacy.cert"
        try "not read".write(toFile: cert, atomically: true, encoding: .utf8)
        let legacy = ["apisecret=api-secret-value-0123456789abcdef", "coldwalletextpub=\(SimnetWalletPlugin.defaultKeys.cold)",
                      "votingwalletextpub=\(SimnetWalletPlugin.defaultKeys.voting)", "wallet=dcrwallet",
                      "wallethosts=127.0.0.1:\(listener.port),localhost:\(listener.port)", "walletusers=u,u", "walletpasswords=p,p",
                      "walletcerts=\(cert),\(cert)", "enablestakepoold=1",
                      "stakepooldhosts=127.0.0.1:\(listener.port),localhost:\(listener.port)", "stakepooldcerts=\(cert),\(cert)",
                      "poolfees=5"]
        let port = try await start(vspOnlyLines() + legacy)
        let client = PageClient(port: port)
        XCTAssertEqual(try client.get("/api/v3/vspinfo").status, 200)
        let health = try client.get("/health")
        XCTAssertEqual(health.status, 200, health.text)
        XCTAssertFalse(health.text.contains("stakepoold"), health.text)
        // Start-up would have connected the legacy wallets before `assemble` returned; nothing knocked.
        XCTAssertFalse(listener.hasPendingConnection, "a legacy wallet or stakepoold connection was attempted")
    }

    /// Operators sign in with an account made by `poolctl user add` and land on the dashboard.
    func testVspOnly_operatorSignsInWithPoolctlAccountAndReachesDashboard() async throws {
        let path = try writeConfig(vspOnlyLines() + ["adminuserids=1"])
        let passwordFile = directory + "/password"
        try "operator-password-long-enough".write(toFile: passwordFile, atomically: true, encoding: .utf8)
        let (output, _, err) = Self.capture()
        let added = await PoolctlMain.run(arguments: ["-C", path, "user", "add", "--email", "op@example.com",
                                                      "--password-file", passwordFile, "--verified"],
                                          plugins: plugins, output: output, home: directory)
        XCTAssertEqual(added, ExitCode.ok, err.value)
        let port = try await start(vspOnlyLines() + ["adminuserids=1"])
        let client = PageClient(port: port)
        XCTAssertEqual(try client.get("/admin").status, 403, "adminuserids: sign in first")
        let signedIn = try client.postSignIn("op@example.com", "operator-password-long-enough")
        XCTAssertEqual(signedIn.status, 303, signedIn.text)
        XCTAssertEqual(signedIn.header("Location"), "/admin")
        XCTAssertEqual(try client.get("/admin").status, 200)
    }

    /// A missing `vspfeexpub` is one sentence, from the web app and from `poolctl config check` alike; the legacy
    /// options are not demanded, and `poolctl config check` accepts the vspd-only file.
    func testVspOnly_configCheck_demandsVspOptionsOnly() async throws {
        let valid = try writeConfig(vspOnlyLines())
        var (output, out, err) = Self.capture()
        var code = await PoolctlMain.run(arguments: ["-C", valid, "config", "check"], plugins: plugins, output: output, home: directory)
        XCTAssertEqual(code, ExitCode.ok, err.value)
        XCTAssertTrue(out.value.contains("vspd API only: vspnode sim, vspwallet sim"), out.value)
        // The legacy wallets' check has nothing to compare in this mode: it says so instead of demanding wallethosts.
        (output, out, err) = Self.capture()
        code = await PoolctlMain.run(arguments: ["-C", valid, "wallets", "check"], plugins: plugins, output: output, home: directory)
        XCTAssertEqual(code, ExitCode.usage)
        XCTAssertTrue(err.value.contains(WalletsCommand.vspOnlySentence), err.value)

        let missing = try writeConfig(vspOnlyLines(feeXPub: false))
        let sentence = "vspfeexpub is not set in config: apifronts=vspd serves the vspd API, which derives each ticket's fee "
            + "address from this extended public key of the fee wallet"
        XCTAssertThrowsError(try PoolConfig.load(arguments: ["-C", missing], home: directory, plugins: plugins,
                                                 hostOptions: WebAppHostOptions.all)) { error in
            XCTAssertEqual((error as? ConfigError)?.message, sentence)
        }
        (output, out, err) = Self.capture()
        code = await WebAppMain.run(arguments: ["-C", missing], plugins: plugins, output: output)
        XCTAssertEqual(code, ExitCode.usage)
        XCTAssertTrue(err.value.contains(sentence), err.value)
        (output, out, err) = Self.capture()
        code = await PoolctlMain.run(arguments: ["-C", missing, "config", "check"], plugins: plugins, output: output, home: directory)
        XCTAssertEqual(code, ExitCode.usage)
        XCTAssertTrue(err.value.contains(sentence), err.value)

        // The default front still demands the legacy options, as dcrstakepool does.
        let legacy = try writeConfig(vspOnlyLines().filter { !$0.hasPrefix("apifronts=") })
        XCTAssertThrowsError(try PoolConfig.load(arguments: ["-C", legacy], home: directory, plugins: plugins,
                                                 hostOptions: WebAppHostOptions.all)) { error in
            XCTAssertEqual((error as? ConfigError)?.message, "APIsecret is not set in config")
        }
    }

    /// `examples/vspd-only.conf` loads as a vspd-only config with the stock plugins (its certificate paths taken as
    /// present): no legacy option is missing, and the real dcrd/dcrwallet plugins of the vspd front are chosen.
    func testVspOnly_exampleConfigLoadsWithoutLegacyOptions() throws {
        let (loaded, _, _) = try PoolConfig.load(arguments: ["-C", WebAppTestConfig.repoRoot + "/examples/vspd-only.conf"],
                                                 home: directory, plugins: .builtIn(), hostOptions: WebAppHostOptions.all,
                                                 fileExists: { _ in true })
        let config = try XCTUnwrap(loaded)
        XCTAssertEqual(config.apiFronts, .vspd)
        XCTAssertEqual([config.vspNodePlugin, config.vspWalletPlugin], ["dcrd", "dcrwallet"])
        XCTAssertEqual([config.apiSecret, config.coldWalletExtPub, config.votingWalletExtPub], ["", "", ""])
        XCTAssertEqual(config.stakepoolds, [])
    }

    // MARK: - Helpers

    /// POSTs a vspd API request signed with `VSP-Client-Signature`; returns the body and status.
    private static func post(_ port: Int, _ path: String, _ body: String, signature: String) async throws -> (String, Int) {
        var request = URLRequest(url: try XCTUnwrap(URL(string: "http://127.0.0.1:\(port)\(path)")))
        request.httpMethod = "POST"
        request.httpBody = Data(body.utf8)
        request.setValue(signature, forHTTPHeaderField: "VSP-Client-Signature")
        let (data, response) = try await URLSession.shared.data(for: request)
        return (String(decoding: data, as: UTF8.self), (response as? HTTPURLResponse)?.statusCode ?? 0)
    }

    private static func capture() -> (HostOutput, LockedValue<String>, LockedValue<String>) {
        let out = LockedValue(""), err = LockedValue("")
        return (HostOutput(out: { text in out.withLock { $0 += text + "\n" } }, err: { text in err.withLock { $0 += text + "\n" } }),
                out, err)
    }

    private static func capture(_ pattern: String, in text: String) -> String? {
        guard let regex = try? NSRegularExpression(pattern: pattern),
              let match = regex.firstMatch(in: text, range: NSRange(text.startIndex..., in: text)),
              let range = Range(match.range(at: 1), in: text) else { return nil }
        return String(text[range])
    }

    /// A ticket bought on the simulated chain with fresh voting and commitment keys, and its signed feeaddress body.
    private struct SoloBuyer {
        let commitmentKey: [UInt8]
        let feeAddressBody: String

        init(simnet: Simnet) throws {
            let network = simnet.network
            commitmentKey = (1...32).map { UInt8($0 * 7 % 251 + 1) }
            let voting = try WIF(privateKey: (1...32).map { UInt8($0 * 11 % 241 + 3) }, network: network)
            let commitment = try WIF(privateKey: commitmentKey, network: network)
            let ticket = try simnet.buySoloTicket(
                votingAddress: try Address.pubKeyHash(publicKey: voting.publicKey(), network: network).encoded,
                commitmentAddress: try Address.pubKeyHash(publicKey: commitment.publicKey(), network: network).encoded,
                broadcast: true)
            feeAddressBody = #"{"timestamp":\#(Int64(Date().timeIntervalSince1970)),"tickethash":"\#(ticket.ticketHash)","tickethex":"\#(ticket.ticketHex)","parenthex":"\#(ticket.parentHex)"}"#
        }

        func signature(of body: String) throws -> String { try SignedMessage.sign(Array(body.utf8), privateKey: commitmentKey) }
    }
}
