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

/// Issue 22 item 1, through real processes as scripts/dev-run.sh starts them: simwallet, the web app on SQLite with
/// log mail talking to it over the dcrwallet RPC plugin, stakepoold, and the real `poolctl dev` commands reading the
/// dev stack's configuration.
final class DevStackProcessTests: XCTestCase {
    private var harness: StakepooldProcessHarness?

    override func tearDown() async throws {
        harness?.stop()
        harness = nil
    }

    /// The demo account (created once), a user registered through the web app, `poolctl dev buy` for both, then
    /// `poolctl dev mine`: the tickets go immature → live → voted by stakepoold with the owner's preferences, as the
    /// user's tickets page, the stats page and `poolctl dev info` show.
    func testDevStack_boughtTicketsMatureAndAreVotedWithTheOwnersPreferences() async throws {
        let harness = try StakepooldProcessHarness(prefix: "dev-stack")
        self.harness = harness
        let served = try await harness.startSimwallet(wallets: 3, seed: 1)
        let node = try await harness.connect(served.node, certificate: served.certificate, name: "node")
        let world = try await node.call("siminfo")
        let voting = try XCTUnwrap(world["votingwalletextpub"]?.stringValue)
        let cold = try XCTUnwrap(world["coldwalletextpub"]?.stringValue)
        let voteVersion = try XCTUnwrap(world["voteversion"]?.intValue)

        // The web app's file, and the dev file `make run` writes: the same plus the simwallet node.
        let user = StakepooldProcessHarness.rpcUser, password = StakepooldProcessHarness.rpcPassword
        let webConfig = harness.path("web.conf")
        let lines = [
            "simnet=1", "listen=127.0.0.1:0", "baseurl=http://127.0.0.1", "datadir=\(harness.path("data"))",
            "logdir=\(harness.path("logs"))", "templatepath=\(WebAppTestConfig.repoRoot)/templates",
            "publicpath=\(WebAppTestConfig.repoRoot)/public", "apisecret=dev-stack-api-secret-0123456789abcdef",
            "cookiesecret=dev-stack-cookie-secret-0123456789abcdef", "adminips=127.0.0.1", "storage=sqlite", "mail=log",
            "poolfees=7.5", "wallet=dcrwallet", "wallethosts=\(served.wallets.joined(separator: ","))",
            "walletusers=\(user),\(user),\(user)", "walletpasswords=\(password),\(password),\(password)",
            "walletcerts=\(served.certificate),\(served.certificate),\(served.certificate)",
            "votingwalletextpub=\(voting)", "coldwalletextpub=\(cold)",
        ]
        try lines.joined(separator: "\n").write(toFile: webConfig, atomically: true, encoding: .utf8)
        let devConfig = harness.path("dev.conf")
        try (lines + ["simwalletnode=\(served.node)"]).joined(separator: "\n").write(toFile: devConfig, atomically: true, encoding: .utf8)
        let poolctl = PoolctlRunner(directory: harness.directory.path)

        // A node that does not know the control methods (here a wallet endpoint) is refused in one sentence.
        let wrongNode = harness.path("wrong-node.conf")
        try (lines + ["simwalletnode=\(served.wallets[0])"]).joined(separator: "\n").write(toFile: wrongNode, atomically: true, encoding: .utf8)
        let refused = try poolctl.run(["-C", wrongNode, "dev", "mine", "1"])
        XCTAssertEqual(refused.status, 1, refused.all)
        XCTAssertTrue(refused.err.contains("it is not simwallet"), refused.err)
        let untouched = try await node.call("siminfo")
        XCTAssertEqual(untouched["height"]?.intValue, 0, "nothing mined")

        // The demo account: created once with a printed password, registered on every wallet; the second run
        // changes nothing and prints no password.
        let first = try poolctl.run(["-C", devConfig, "dev", "demo-account"])
        XCTAssertEqual(first.status, 0, first.all)
        let demoPassword = try XCTUnwrap(first.out.range(of: #"with password [0-9a-f]{24}"#, options: .regularExpression)
            .map { String(first.out[$0].split(separator: " ").last!) }, first.all)
        let second = try poolctl.run(["-C", devConfig, "dev", "demo-account"])
        XCTAssertEqual(second.status, 0, second.all)
        XCTAssertFalse(second.out.contains(demoPassword), "the password is shown only when created: \(second.out)")
        XCTAssertTrue(second.out.contains("exists"), second.out)
        let listed = try poolctl.run(["-C", devConfig, "user", "list"])
        XCTAssertTrue(listed.out.contains("1 of 1 users"), "no duplicate: \(listed.all)")

        // The web app; a second user registers an address through its API.
        let web = try harness.launch(try BuiltExecutable.path("hxstakepool"), ["-C", webConfig], log: harness.path("web.log"))
        // The web app binds port 0 and says where it listens.
        let listening = try await harness.waitForLine(web, harness.path("web.log"), containing: "DCRS: listening on ", seconds: 90)
        let port = try ChildProcessHarness.address(after: "DCRS: listening on ", in: listening).port
        let passwordFile = harness.path("alice.pass")
        try "alice-password-0123".write(toFile: passwordFile, atomically: true, encoding: .utf8)
        let added = try poolctl.run(["-C", devConfig, "user", "add", "--email", "alice@example.com", "--password-file", passwordFile, "--verified"])
        XCTAssertEqual(added.status, 0, added.all)
        let token = try poolctl.run(["-C", devConfig, "user", "token", "alice@example.com"]).out.trimmingCharacters(in: .whitespacesAndNewlines)
        let session = URLSession(configuration: .ephemeral)
        let submitted = try await Self.post(session, port, "/api/v2/address", "UserPubKeyAddr=\(try SimnetHDVectors.load().children[0].pubKeyAddress)",
                                            bearer: token)
        XCTAssertTrue(submitted.contains(#""status":"success""#), submitted)

        // Alice prefers the first agenda's first non-abstain choice (the wallets' default differs).
        let agenda = try XCTUnwrap(NetParams.simnet.agendas(forVoteVersion: UInt32(voteVersion)).first)
        let choice = try XCTUnwrap(agenda.choices.first { !$0.isAbstain })
        let aliceBits = 1 | choice.bits
        let storage = SQLiteStorage(configuration: .init(path: harness.path("data") + "/simnet/stakepool.sqlite"), logger: .disabled)
        let stored = try await storage.user(email: "alice@example.com")
        let alice = try XCTUnwrap(stored, "alice is stored")
        _ = try await storage.updateUser(id: alice.id) { $0.voteBits = aliceBits; $0.voteBitsVersion = UInt32(voteVersion) }
        await storage.shutdown()

        // Tickets for both users, paying their own ticket and fee addresses.
        let boughtAlice = try poolctl.run(["-C", devConfig, "dev", "buy", "alice@example.com", "--count", "3"])
        XCTAssertEqual(boughtAlice.status, 0, boughtAlice.all)
        let aliceTickets = Self.hashes(boughtAlice.out)
        XCTAssertEqual(aliceTickets.count, 3, boughtAlice.out)
        XCTAssertTrue(boughtAlice.out.contains(alice.multiSigAddress) && boughtAlice.out.contains(alice.userFeeAddr), boughtAlice.out)
        let boughtDemo = try poolctl.run(["-C", devConfig, "dev", "buy", "demo@example.com", "--count", "2"])
        XCTAssertEqual(Self.hashes(boughtDemo.out).count, 2, boughtDemo.all)

        // stakepoold on the same database, voting through wallet 0.
        let daemonLog = harness.path("stakepoold.out")
        let daemon = try harness.launch(try BuiltExecutable.path("stakepoold"), [
            "--simnet", "--appdata", harness.path("stakepoold"), "--logdir", harness.path("stakepoold/logs"),
            "--datadir", harness.path("stakepoold/data"), "--coldwalletextpub=\(cold)", "--poolfees=7.5", "--storage=sqlite",
            "--sqlitepath=\(harness.path("data"))/simnet/stakepool.sqlite", "--dcrdhost=\(served.node)", "--dcrduser=\(user)",
            "--dcrdpassword=\(password)", "--dcrdcert=\(served.certificate)", "--wallethost=\(served.wallets[0])",
            "--walletuser=\(user)", "--walletpassword=\(password)", "--walletcert=\(served.certificate)", "--norpclisten",
        ], log: daemonLog)
        try await harness.waitForLine(daemon, daemonLog, containing: "subscribed to notifications from dcrd", seconds: 60)

        // Mined at height 16 (the first height purchases are accepted): immature.
        let signedIn = try await Self.signIn(session, port, "alice@example.com", "alice-password-0123")
        XCTAssertTrue(signedIn, "alice signs in")
        XCTAssertEqual(try poolctl.run(["-C", devConfig, "dev", "mine", "17"]).status, 0)
        var info = try poolctl.run(["-C", devConfig, "dev", "info"])
        XCTAssertTrue(info.out.contains("immature 5, live 0, voted 0"), info.all)
        var tickets = try await Self.get(session, port, "/tickets")
        XCTAssertTrue(tickets.contains("Live/Immature (3)"), tickets)
        for hash in aliceTickets { XCTAssertTrue(tickets.contains(hash), "ticket \(hash) listed") }

        // 16 blocks later: live.
        XCTAssertEqual(try poolctl.run(["-C", devConfig, "dev", "mine", "16"]).status, 0)
        info = try poolctl.run(["-C", devConfig, "dev", "info"])
        XCTAssertTrue(info.out.contains("immature 0, live 5, voted 0"), info.all)

        // Through the stake validation height: every ticket called and voted, none missed.
        let mined = try poolctl.run(["-C", devConfig, "dev", "mine", "112"])
        XCTAssertEqual(mined.status, 0, mined.all)
        XCTAssertFalse(mined.err.contains("not voted"), mined.err)
        info = try poolctl.run(["-C", devConfig, "dev", "info"])
        XCTAssertTrue(info.out.contains("height 145"), info.out)
        XCTAssertTrue(info.out.contains("live 0, voted 5, missed 0"), info.all)
        for hash in aliceTickets {
            let vote = try await node.call("simvote", [.string(hash)])
            XCTAssertEqual(vote["status"]?.stringValue, "voted", hash)
            XCTAssertEqual(vote["votebits"]?.intValue, Int64(aliceBits), "alice's preference: \(hash)")
        }
        tickets = try await Self.get(session, port, "/tickets")
        XCTAssertTrue(tickets.contains("Voted Tickets (3)"), tickets)
        let stats = try await Self.get(session, port, "/stats")
        XCTAssertTrue(stats.contains("5 voted, 0 missed"), stats)
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
        let poolctl = PoolctlRunner(directory: harness.directory.path, home: home)

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
            let result = try PoolctlRunner(directory: directory.path, home: directory.path, binary: try BuiltExecutable.path(name))
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
                let result = try PoolctlRunner(directory: directory.path, home: directory.path, binary: try BuiltExecutable.path(name))
                    .run([flag])
                XCTAssertEqual(result.status, 0, "\(name) \(flag): \(result.all)")
                XCTAssertEqual(result.out.trimmingCharacters(in: .whitespacesAndNewlines), "\(name) version 1.1.1", "\(name) \(flag): \(result.all)")
            }
        }
    }

    // MARK: - Helpers

    private static func hashes(_ output: String) -> [String] {
        output.split(separator: "\n").map { $0.trimmingCharacters(in: .whitespaces) }
            .filter { $0.count == 64 && $0.allSatisfy(\.isHexDigit) }
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
        return try await get(session, port, "/tickets").contains("Live/Immature")
    }
}

/// Runs an executable (poolctl by default) to completion in `directory` with `HOME` set, capturing its output.
private struct PoolctlRunner {
    let directory: String
    var home: String?
    var binary: String?

    struct Result {
        var status: Int32
        var out: String
        var err: String
        var all: String { "exit \(status)\nstdout: \(out)\nstderr: \(err)" }
    }

    func run(_ arguments: [String]) throws -> Result {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: try binary ?? BuiltExecutable.path("poolctl"))
        process.arguments = arguments
        process.currentDirectoryURL = URL(fileURLWithPath: directory)
        var environment = ProcessInfo.processInfo.environment
        environment["HOME"] = home ?? directory
        process.environment = environment
        let out = harnessFile("out"), err = harnessFile("err")
        process.standardInput = FileHandle.nullDevice
        process.standardOutput = try FileHandle(forWritingTo: out)
        process.standardError = try FileHandle(forWritingTo: err)
        try process.run()
        process.waitUntilExit()
        defer { try? FileManager.default.removeItem(at: out); try? FileManager.default.removeItem(at: err) }
        return Result(status: process.terminationStatus, out: (try? String(contentsOf: out, encoding: .utf8)) ?? "",
                      err: (try? String(contentsOf: err, encoding: .utf8)) ?? "")
    }

    private func harnessFile(_ name: String) -> URL {
        let url = URL(fileURLWithPath: directory).appendingPathComponent("runner-\(name)-\(UUID().uuidString)")
        FileManager.default.createFile(atPath: url.path, contents: nil)
        return url
    }
}
