import Foundation
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif
import HostKit
import HostTestSupport
import PoolKernel
import PoolNet
import PoolTestKit
import StorageSQLite
import XCTest

/// Issue 22 item 1, through real processes as scripts/dev-run.sh starts them (`DevStack`): simwallet, two stakepoolds
/// with their control API, the web app on SQLite with log mail talking to simwallet over the dcrwallet RPC plugin and
/// pushing to the stakepoolds, and the real `poolctl dev` commands reading the dev stack's configuration.
final class DevStackProcessTests: XCTestCase {
    private var harness: StakepooldProcessHarness?
    private var stack: DevStack?

    override func tearDown() async throws {
        harness?.stop()
        harness = nil
        stack?.stop()
        stack = nil
    }

    /// The demo account (created once), a user registered through the web app after everything started, `poolctl dev
    /// buy` for both, then `poolctl dev mine`: each registration and vote change reaches both stakepoolds at once
    /// (their control API, not the 240 s reload of `norpclisten`), and the tickets go immature → live → voted by
    /// stakepoold with the owner's preferences, as the user's tickets page, the stats page and `poolctl dev info` show.
    func testDevStack_boughtTicketsMatureAndAreVotedWithTheOwnersPreferences() async throws {
        let stack = try await DevStack(prefix: "dev-stack")
        self.stack = stack
        let poolctl = stack.poolctl, devConfig = stack.devConfig
        let world = try await stack.node.call("siminfo")
        let voteVersion = try XCTUnwrap(world["voteversion"]?.intValue)

        // A node that does not know the control methods (here a wallet endpoint) is refused in one sentence.
        let wrongNode = stack.harness.path("wrong-node.conf")
        try (stack.webLines + ["simwalletnode=\(stack.served.wallets[0])"]).joined(separator: "\n")
            .write(toFile: wrongNode, atomically: true, encoding: .utf8)
        let refused = try poolctl.run(["-C", wrongNode, "dev", "mine", "1"])
        XCTAssertEqual(refused.status, 1, refused.all)
        XCTAssertTrue(refused.err.contains("it is not simwallet"), refused.err)
        let untouched = try await stack.node.call("siminfo")
        XCTAssertEqual(untouched["height"]?.intValue, 0, "nothing mined")

        // The demo account: created once with a printed password, registered on every wallet and pushed to both
        // running stakepoolds; the second run changes nothing and prints no password.
        let first = try poolctl.run(["-C", devConfig, "dev", "demo-account"])
        XCTAssertEqual(first.status, 0, first.all)
        let demoPassword = try XCTUnwrap(first.out.range(of: #"with password [0-9a-f]{24}"#, options: .regularExpression)
            .map { String(first.out[$0].split(separator: " ").last!) }, first.all)
        for daemon in stack.daemons {
            try await stack.harness.waitForLine(daemon.process, daemon.log, containing: "reloaded voting prefs for 1 users",
                                                seconds: 30)
        }
        let second = try poolctl.run(["-C", devConfig, "dev", "demo-account"])
        XCTAssertEqual(second.status, 0, second.all)
        XCTAssertFalse(second.out.contains(demoPassword), "the password is shown only when created: \(second.out)")
        XCTAssertTrue(second.out.contains("exists"), second.out)
        let listed = try poolctl.run(["-C", devConfig, "user", "list"])
        XCTAssertTrue(listed.out.contains("1 of 1 users"), "no duplicate: \(listed.all)")

        // The web app; a second user registers an address through its API after everything started: both
        // stakepoolds reload their users within seconds (norpclisten would take up to 240 s).
        let port = try await stack.startWebApp()
        let passwordFile = stack.harness.path("alice.pass")
        try "alice-password-0123".write(toFile: passwordFile, atomically: true, encoding: .utf8)
        let added = try poolctl.run(["-C", devConfig, "user", "add", "--email", "alice@example.com", "--password-file", passwordFile, "--verified"])
        XCTAssertEqual(added.status, 0, added.all)
        let token = try poolctl.run(["-C", devConfig, "user", "token", "alice@example.com"]).out.trimmingCharacters(in: .whitespacesAndNewlines)
        // `poolctl user add` asked the running wallets for their vote version, as a sign-up through the web app stores it.
        let storage = SQLiteStorage(configuration: .init(path: stack.harness.path("data") + "/simnet/stakepool.sqlite"), logger: .disabled)
        let created = try await storage.user(email: "alice@example.com")
        XCTAssertEqual(created?.voteBitsVersion, UInt32(voteVersion), added.all)
        let session = URLSession(configuration: .ephemeral)
        let submitted = try await Self.post(session, port, "/api/v2/address", "UserPubKeyAddr=\(try SimnetHDVectors.load().children[0].pubKeyAddress)",
                                            bearer: token)
        XCTAssertTrue(submitted.contains(#""status":"success""#), submitted)
        for daemon in stack.daemons {
            try await stack.harness.waitForLine(daemon.process, daemon.log, containing: "reloaded voting prefs for 2 users",
                                                seconds: 30)
        }

        // Alice prefers the first agenda's first non-abstain choice (the wallets' default differs), set through the
        // API: pushed to both stakepoolds, which vote her tickets with it below.
        let agenda = try XCTUnwrap(NetParams.simnet.agendas(forVoteVersion: UInt32(voteVersion)).first)
        let choice = try XCTUnwrap(agenda.choices.first { !$0.isAbstain })
        let aliceBits = 1 | choice.bits
        let reloadsBefore = (0..<2).map { stack.reloads($0, users: 2) }
        let voted = try await Self.post(session, port, "/api/v2/voting", "VoteBits=\(aliceBits)", bearer: token)
        XCTAssertTrue(voted.contains(#""status":"success""#), voted)
        try await HostProcesses.waitFor("both stakepoolds reloading after alice's vote change", seconds: 30) {
            (0..<2).allSatisfy { stack.reloads($0, users: 2) > reloadsBefore[$0] }
        }
        let stored = try await storage.user(email: "alice@example.com")
        await storage.shutdown()
        let alice = try XCTUnwrap(stored, "alice is stored")
        XCTAssertEqual(alice.voteBits, aliceBits)

        // Tickets for both users, paying their own ticket and fee addresses.
        let boughtAlice = try poolctl.run(["-C", devConfig, "dev", "buy", "alice@example.com", "--count", "3"])
        XCTAssertEqual(boughtAlice.status, 0, boughtAlice.all)
        let aliceTickets = DevStack.hashes(boughtAlice.out)
        XCTAssertEqual(aliceTickets.count, 3, boughtAlice.out)
        XCTAssertTrue(boughtAlice.out.contains(alice.multiSigAddress) && boughtAlice.out.contains(alice.userFeeAddr), boughtAlice.out)
        let boughtDemo = try poolctl.run(["-C", devConfig, "dev", "buy", "demo@example.com", "--count", "2"])
        XCTAssertEqual(DevStack.hashes(boughtDemo.out).count, 2, boughtDemo.all)

        // Mined at height 16 (the first height purchases are accepted): immature (simnet's ticket maturity is 16).
        let signedIn = try await Self.signIn(session, port, "alice@example.com", "alice-password-0123")
        XCTAssertTrue(signedIn, "alice signs in")
        XCTAssertEqual(try poolctl.run(["-C", devConfig, "dev", "mine", "17"]).status, 0)
        var info = try poolctl.run(["-C", devConfig, "dev", "info"])
        XCTAssertTrue(info.out.contains("immature 5, live 0, voted 0"), info.all)
        var tickets = try await Self.get(session, port, "/tickets")
        XCTAssertTrue(tickets.contains("Immature Tickets (3)") && tickets.contains("Live Tickets (0)"), tickets)
        for hash in aliceTickets { XCTAssertTrue(Self.table("ticketsimmature", in: tickets).contains(hash), "ticket \(hash) immature") }
        var stats = try await Self.get(session, port, "/stats")
        XCTAssertTrue(stats.contains(#"<span id="Immature">5</span>"#) && stats.contains(#"<span id="Live">0</span>"#), stats)

        // 16 blocks later: live.
        XCTAssertEqual(try poolctl.run(["-C", devConfig, "dev", "mine", "16"]).status, 0)
        info = try poolctl.run(["-C", devConfig, "dev", "info"])
        XCTAssertTrue(info.out.contains("immature 0, live 5, voted 0"), info.all)
        tickets = try await Self.get(session, port, "/tickets")
        XCTAssertTrue(tickets.contains("Immature Tickets (0)") && tickets.contains("Live Tickets (3)"), tickets)
        for hash in aliceTickets { XCTAssertTrue(Self.table("ticketslive", in: tickets).contains(hash), "ticket \(hash) live") }
        stats = try await Self.get(session, port, "/stats")
        XCTAssertTrue(stats.contains(#"<span id="Immature">0</span>"#) && stats.contains(#"<span id="Live">5</span>"#), stats)

        // Through the stake validation height: every ticket called and voted, none missed.
        let mined = try poolctl.run(["-C", devConfig, "dev", "mine", "112"])
        XCTAssertEqual(mined.status, 0, mined.all)
        XCTAssertFalse(mined.err.contains("not voted"), mined.err)
        info = try poolctl.run(["-C", devConfig, "dev", "info"])
        XCTAssertTrue(info.out.contains("height 145"), info.out)
        XCTAssertTrue(info.out.contains("live 0, voted 5, missed 0"), info.all)
        for hash in aliceTickets {
            let vote = try await stack.node.call("simvote", [.string(hash)])
            XCTAssertEqual(vote["status"]?.stringValue, "voted", hash)
            XCTAssertEqual(vote["votebits"]?.intValue, Int64(aliceBits), "alice's preference: \(hash)")
        }
        tickets = try await Self.get(session, port, "/tickets")
        XCTAssertTrue(tickets.contains("Voted Tickets (3)") && tickets.contains("Live Tickets (0)"), tickets)
        for hash in aliceTickets { XCTAssertTrue(Self.table("ticketsvoted", in: tickets).contains(hash), "ticket \(hash) voted") }
        stats = try await Self.get(session, port, "/stats")
        XCTAssertTrue(stats.contains(#"<span id="Voted">5</span>"#) && stats.contains(#"<span id="Missed">0</span>"#), stats)
    }

    /// `DevStack` above replays scripts/dev-run.sh on free ports (the script's own ports are fixed, so the test cannot
    /// run it beside a developer's `make run`); this keeps the two in step: the script starts two stakepoolds with their
    /// control API behind a token — never `--norpclisten` — and gives the web app (and run/dev.conf) the same hosts,
    /// certificates and token.
    func testDevRunScript_startsTheStakepooldsWithTheirControlAPIAndTellsTheWebApp() throws {
        let script = try String(contentsOfFile: WebAppTestConfig.repoRoot + "/scripts/dev-run.sh", encoding: .utf8)
        XCTAssertFalse(script.contains("--norpclisten"), "stakepoold must listen for the web app's pushes")
        for needed in [#"--rpclisten="${DAEMON_CONTROL[$i]}""#, #"--controltoken="$CONTROL_TOKEN""#,
                       #"--wallethost="${DAEMON_WALLETS[$i]}""#, "for i in 0 1; do",
                       #""enablestakepoold=1" "stakepooldhosts=${DAEMON_CONTROL[0]},${DAEMON_CONTROL[1]}""#,
                       #""stakepooldcerts=$PWD/$(daemon_dir 0)/rpc.cert,$PWD/$(daemon_dir 1)/rpc.cert" "stakepooldtoken=$CONTROL_TOKEN""#,
                       #"printf '%s\n' "${WEB_OPTIONS[@]}""#, #""${WEB_OPTIONS[@]/#/--}""#] {
            XCTAssertTrue(script.contains(needed), "scripts/dev-run.sh: \(needed)")
        }
    }

    /// Only `poolctl dev` reads `run/dev.conf` by itself: a leftover file (here pointing at a database that does not
    /// exist) leaves `poolctl db status` on the usual dcrstakepool.conf; `-C run/dev.conf` uses it on request.
    func testLeftoverDevConf_retargetsOnlyTheDevCommands() throws {
        let harness = try StakepooldProcessHarness(prefix: "dev-conf")
        self.harness = harness
        let home = harness.path("home")
        try FileManager.default.createDirectory(atPath: home + "/.dcrstakepool", withIntermediateDirectories: true)
        try FileManager.default.createDirectory(atPath: harness.path("run"), withIntermediateDirectories: true)
        try "storage=sqlite\ndatadir=\(harness.path("home-data"))\n"
            .write(toFile: home + "/.dcrstakepool/dcrstakepool.conf", atomically: true, encoding: .utf8)
        let refusing = try ChildProcessHarness.refusingPort()   // held, never listening: nothing answers there
        defer { refusing.close() }
        let closed = refusing.localAddress.port
        try "not a certificate".write(toFile: harness.path("none.cert"), atomically: true, encoding: .utf8)
        try """
            simnet=1
            adminips=127.0.0.1
            apisecret=dev-conf-api-secret-0123456789abcdef
            cookiesecret=dev-conf-cookie-secret-0123456789abcdef
            votingwalletextpub=\(SimnetWalletPlugin.defaultKeys.voting)
            coldwalletextpub=\(SimnetWalletPlugin.defaultKeys.cold)
            storage=mysql
            dbhost=127.0.0.1
            dbport=\(closed)
            dbuser=nobody
            dbpassword=nothing
            wallet=dcrwallet
            wallethosts=127.0.0.1:\(closed),127.0.0.1:\(closed + 1)
            walletusers=u,u
            walletpasswords=p,p
            walletcerts=\(harness.path("none.cert")),\(harness.path("none.cert"))
            simwalletnode=127.0.0.1:\(closed)
            """.write(toFile: harness.path("run/dev.conf"), atomically: true, encoding: .utf8)
        let poolctl = ExecutableRunner(directory: harness.directory.path, home: home)

        let status = try poolctl.run(["db", "status"])
        XCTAssertEqual(status.status, 0, status.all)
        XCTAssertTrue(status.out.contains("storage sqlite"), "the home configuration: \(status.all)")
        XCTAssertTrue(FileManager.default.fileExists(atPath: harness.path("home-data")), "the home data directory")

        let explicit = try poolctl.run(["-C", "run/dev.conf", "db", "status"])
        XCTAssertEqual(explicit.status, 7, "the dev file's unreachable MariaDB, on request: \(explicit.all)")

        let dev = try poolctl.run(["dev", "info"])
        XCTAssertEqual(dev.status, 1, dev.all)
        XCTAssertTrue(dev.err.contains("cannot reach simwallet at 127.0.0.1:\(closed)"), "dev reads run/dev.conf: \(dev.all)")

        try FileManager.default.removeItem(atPath: harness.path("run/dev.conf"))
        let missing = try poolctl.run(["dev", "info"])
        XCTAssertEqual(missing.status, 2, missing.all)
        XCTAssertTrue(missing.err.contains("run/dev.conf does not exist"), missing.err)
    }

    /// Every executable's `--help` prints its usage and exits 0.
    func testEveryExecutable_helpPrintsUsageAndExitsZero() throws {
        let directory = try TestEnvironment.makeTemporaryDirectory(prefix: "help")
        defer { try? FileManager.default.removeItem(at: directory) }
        for name in ["hxstakepool", "stakepoold", "poolctl", "simwallet", "poolbench"] {
            let result = try ExecutableRunner(directory: directory.path, home: directory.path, binary: try BuiltExecutable.path(name))
                .run(["--help"])
            XCTAssertEqual(result.status, 0, "\(name) --help: \(result.all)")
            XCTAssertTrue(result.out.contains("Usage"), "\(name) --help prints its usage: \(result.all)")
        }
    }

    /// One version string for the operator's programs (issue 18 item 6: the daemons said "1.1.1" and "1.1.1+dev";
    /// poolctl and simwallet had no `--version` at all): `--version` prints `<name> version 1.1.1` and exits 0.
    func testEveryExecutable_versionPrintsTheOneVersionString() throws {
        let directory = try TestEnvironment.makeTemporaryDirectory(prefix: "version")
        defer { try? FileManager.default.removeItem(at: directory) }
        for name in ["hxstakepool", "stakepoold", "poolctl", "simwallet"] {
            for flag in ["--version", "-V"] {
                let result = try ExecutableRunner(directory: directory.path, home: directory.path, binary: try BuiltExecutable.path(name))
                    .run([flag])
                XCTAssertEqual(result.status, 0, "\(name) \(flag): \(result.all)")
                XCTAssertEqual(result.out.trimmingCharacters(in: .whitespacesAndNewlines), "\(name) version 1.1.1", "\(name) \(flag): \(result.all)")
            }
        }
    }

    // MARK: - Helpers

    /// The HTML of the table with `id` on a page ("" when absent).
    private static func table(_ id: String, in page: String) -> String {
        guard let start = page.range(of: "id=\"\(id)\"") else { return "" }
        return page[start.upperBound...].components(separatedBy: "</table>")[0]
    }

    private static func get(_ session: URLSession, _ port: UInt16, _ path: String) async throws -> String {
        var request = URLRequest(url: try XCTUnwrap(URL(string: "http://127.0.0.1:\(port)\(path)")))
        request.timeoutInterval = 10
        let (data, _) = try await session.data(for: request)
        return String(decoding: data, as: UTF8.self)
    }

    private static func post(_ session: URLSession, _ port: UInt16, _ path: String, _ body: String,
                             bearer: String? = nil) async throws -> String {
        var request = URLRequest(url: try XCTUnwrap(URL(string: "http://127.0.0.1:\(port)\(path)")))
        request.httpMethod = "POST"
        request.timeoutInterval = 60
        request.setValue("application/x-www-form-urlencoded", forHTTPHeaderField: "Content-Type")
        if let bearer { request.setValue("Bearer \(bearer)", forHTTPHeaderField: "Authorization") }
        request.httpBody = Data(body.utf8)
        let (data, _) = try await session.data(for: request)
        return String(decoding: data, as: UTF8.self)
    }

    /// Signs in through the real form (CSRF token from the page); true when the tickets page then opens.
    private static func signIn(_ session: URLSession, _ port: UInt16, _ email: String, _ password: String) async throws -> Bool {
        let form = try await get(session, port, "/signin")
        let csrf = try XCTUnwrap(form.range(of: #"name="csrf_token" value="[0-9a-f]+""#, options: .regularExpression)
            .map { String(form[$0].split(separator: "\"")[3]) })
        let escaped = email.replacingOccurrences(of: "@", with: "%40")
        _ = try await post(session, port, "/signin", "csrf_token=\(csrf)&email=\(escaped)&password=\(password)")
        return try await get(session, port, "/tickets").contains("Live Tickets")
    }
}
