import Foundation
import PoolKernel
import PoolNet
import XCTest

/// Issue 19 item 3, a fork end to end through real processes: `simwallet` runs the fork's chain from
/// examples/fork-chainparams.json; the stock web app (`hxstakepool` with `chainparams` = that file and
/// `wallet=dcrwallet` on simwallet's wallets) registers three users' addresses and takes their preference on the
/// fork's own agenda `poolfeecap` over API v2; this package's `fork-stakepoold` (the stock daemon with
/// `followmajority` added to its plugin set) votes their winning tickets. Every winner must carry, read back from
/// the chain, exactly the bits of the policy's rule — on poolfeecap the choice of the majority of the previous
/// `blocks` blocks' winners' owners, abstain without a majority; every other agenda the wallet default — and the
/// fork's vote version. Expected values come from the JSON file and the users' choices, computed here.
final class ForkStakepooldEndToEndTests: XCTestCase {
    private static let rpcUser = "fork-e2e"
    private static let rpcPassword = "fork-e2e-pass"
    private static let password = "a long enough pass phrase 42"
    /// The users' own keys: secp256k1's G, 2G and 3G (compressed) — any valid public key serves.
    private static let userKeys = [
        "0279be667ef9dcbbac55a06295ce870b07029bfcdb2dce28d959f2815b16f81798",
        "02c6047f9441ed7d6d3045406e95c07cd85c778e4b8cef3ca7abac09b95c709ee5",
        "02f9308a019258c31049344f85f89d5229b531c845836f99b08601f113bce036f9",
    ]
    /// Two users prefer "yes" on poolfeecap, one "no"; each buys the same number of tickets.
    private static let choices = ["yes", "yes", "no"]
    private static let ticketsPerUser = 40
    /// `votepolicyoptions=…,blocks=3`: the majority is counted over the last three blocks' winners.
    private static let window = 3
    private static let votedBlocks = 8

    private struct PoolUser {
        var email: String
        var choiceBits: Int
        var ticketAddress: String
        var poolAddress: String
    }

    private var processes: ExampleProcesses?
    private var clients: [JSONRPCClient] = []

    override func tearDown() async throws {
        for client in clients { client.close() }
        clients = []
        processes?.stop()
        processes = nil
    }

    func testForkStakepoold_votesEveryWinnerWithTheUsersMajorityOnTheForkAgenda() async throws {
        let simwallet = try ExampleProcesses.rootExecutable("simwallet")
        let hxstakepool = try ExampleProcesses.rootExecutable("hxstakepool")
        let poolctl = try ExampleProcesses.rootExecutable("poolctl")
        let forkStakepoold = try ExampleProcesses.ownExecutable("fork-stakepoold")
        let fork = try ForkFile()
        let feeCap = try fork.agenda("poolfeecap")
        let processes = try ExampleProcesses()
        self.processes = processes

        // simwallet on the fork: one node, two voting wallets (the web app's dcrwallet plugin wants at least two).
        let simLog = processes.path("simwallet.out")
        let sim = try processes.launch(simwallet, [
            "--appdata", processes.path("simwallet"), "--wallets", "2", "--nodeport", "0", "--walletports", "0,0",
            "--blockms", "0", "--seed", "19", "--rpcuser", Self.rpcUser, "--rpcpass", Self.rpcPassword,
            "--chainparams", ForkFile.path,
        ], log: simLog)
        let (nodeAddress, walletAddresses) = try Self.simwalletAddresses(
            try await processes.waitForLine(sim, simLog, containing: "wallets on "))
        let certificate = processes.path("simwallet/rpc.cert")
        let node = try await connect(nodeAddress, certificate)
        let info = try await node.call("siminfo")
        XCTAssertEqual(info["network"]?.stringValue, fork.name)
        let votingKey = try XCTUnwrap(info["votingwalletextpub"]?.stringValue)
        let coldKey = try XCTUnwrap(info["coldwalletextpub"]?.stringValue)
        let walletInfo = try await connect(walletAddresses[0], certificate).call("walletinfo")
        XCTAssertEqual(walletInfo["voteversion"]?.intValue, Int64(fork.newestVersion))
        let defaultBits = Int(try XCTUnwrap(walletInfo["votebits"]?.intValue))

        // The stock web app on the fork, configured by file.
        let database = processes.path("stakepool.sqlite")
        let config = processes.path("dcrstakepool.conf")
        try webAppConfig(wallets: walletAddresses, certificate: certificate, votingKey: votingKey, coldKey: coldKey,
                         database: database).write(toFile: config, atomically: true, encoding: .utf8)
        let webLog = processes.path("hxstakepool.out")
        let web = try processes.launch(hxstakepool, ["-C", config], log: webLog)
        let listening = try await processes.waitForLine(web, webLog, containing: "listening on ", seconds: 300)
        let webAddress = try HostPort(parsing: String(listening[try XCTUnwrap(listening.range(of: "listening on ")).upperBound...])
            .trimmingCharacters(in: .whitespaces))
        let api = LoopbackHTTPClient(webAddress)

        // Three users: poolctl adds them and prints their API tokens; the web app registers each one's address
        // (importing the multisig script into both wallets) and stores their poolfeecap choice.
        let passwordFile = processes.path("password")
        try Self.password.write(toFile: passwordFile, atomically: true, encoding: .utf8)
        let forkParams = try NetParams.load(contentsOf: URL(fileURLWithPath: ForkFile.path))
        var users: [PoolUser] = []
        for (index, choice) in Self.choices.enumerated() {
            let email = "fork\(index)@example.com"
            let added = try await processes.run(poolctl, ["-C", config, "user", "add", "--email", email,
                                                          "--password-file", passwordFile, "--verified"])
            XCTAssertEqual(added.status, 0, added.output)
            let issued = try await processes.run(poolctl, ["-C", config, "user", "token", email])
            XCTAssertEqual(issued.status, 0, issued.output)
            let token = try XCTUnwrap(issued.output.split(separator: "\n").last.map(String.init), issued.output)

            let pubKeyAddress = try Address.pubKey(publicKey: try Hex.decode(Self.userKeys[index]), network: forkParams).encoded
            let submitted = try await api.post("/api/v2/address", form: [("UserPubKeyAddr", pubKeyAddress)], bearer: token).json
            XCTAssertEqual(submitted["status"] as? String, "success", "address of \(email): \(submitted)")
            let choiceBits = try XCTUnwrap(feeCap.choices[choice])
            let voted = try await api.post("/api/v2/voting", form: [("VoteBits", String(1 | choiceBits))], bearer: token).json
            XCTAssertEqual(voted["status"] as? String, "success", "vote bits of \(email): \(voted)")

            let purchase = try await api.get("/api/v2/getpurchaseinfo", bearer: token).json
            let data = try XCTUnwrap(purchase["data"] as? [String: Any], "\(purchase)")
            let ticketAddress = try XCTUnwrap(data["TicketAddress"] as? String, "\(purchase)")
            XCTAssertEqual(try Base58Check.decode(ticketAddress).version, fork.scriptHashID, "a fork P2SH address: \(ticketAddress)")
            XCTAssertEqual(data["VoteBits"] as? Int, 1 | choiceBits, "\(purchase)")
            users.append(PoolUser(email: email, choiceBits: choiceBits, ticketAddress: ticketAddress,
                                  poolAddress: try XCTUnwrap(data["PoolAddress"] as? String, "\(purchase)")))
        }

        // The web voting page lists the fork's own agenda.
        let browser = LoopbackHTTPClient(webAddress)
        try await signIn(browser, users[0].email)
        let votingPage = try await browser.get("/voting")
        XCTAssertEqual(votingPage.status, 200, votingPage.body.prefix(300).description)
        XCTAssertTrue(votingPage.body.contains(feeCap.id), "the voting page lists \(feeCap.id)")
        XCTAssertTrue(votingPage.body.contains(feeCap.description), "with its description from the fork file")

        // Tickets paying each user's ticket address, matured up to two blocks before stake validation.
        _ = try await node.call("simmine", [.int(Int64(fork.maturity))])
        var owner: [String: Int] = [:]
        for (index, user) in users.enumerated() {
            let bought = try await node.call("simbuytickets", [.string(user.ticketAddress), .string(user.poolAddress),
                                                              .int(Int64(Self.ticketsPerUser))])
            let tickets = try XCTUnwrap(bought["tickets"]?.arrayValue?.compactMap(\.stringValue), "\(bought)")
            XCTAssertEqual(tickets.count, Self.ticketsPerUser)
            for ticket in tickets { owner[ticket] = index }
        }
        let afterPurchase = try await node.call("siminfo")
        let height = try XCTUnwrap(afterPurchase["height"]?.intValue)
        _ = try await node.call("simmine", [.int(Int64(fork.stakeValidationHeight - 2) - height)])

        // fork-stakepoold: the stock daemon with followmajority, on wallet 0 and the web app's database.
        let home = processes.path("stakepoold")
        let daemonLog = processes.path("fork-stakepoold.out")
        let daemonArguments = [
            "--chainparams=\(ForkFile.path)", "--appdata", home, "--logdir", home + "/logs", "--datadir", home + "/data",
            "--coldwalletextpub=\(coldKey)", "--storage=sqlite", "--sqlitepath=\(database)",
            "--dcrdhost=\(nodeAddress)", "--dcrduser=\(Self.rpcUser)", "--dcrdpassword=\(Self.rpcPassword)",
            "--dcrdcert=\(certificate)", "--wallethost=\(walletAddresses[0])", "--walletuser=\(Self.rpcUser)",
            "--walletpassword=\(Self.rpcPassword)", "--walletcert=\(certificate)", "--norpclisten",
            "--votepolicy=followmajority",
        ]
        // The stock daemon does not know the fork's policy; fork-stakepoold checks its options at load. Both: exit 2.
        let stock = try await processes.run(try ExampleProcesses.rootExecutable("stakepoold"),
                                            daemonArguments + ["--votepolicyoptions=agenda=\(feeCap.id)"])
        XCTAssertEqual(stock.status, 2, stock.output)
        XCTAssertTrue(stock.output.contains(#"unknown vote policy plugin "followmajority""#), stock.output)
        let typo = try await processes.run(forkStakepoold, daemonArguments + ["--votepolicyoptions=agenda=poolfeecaps"])
        XCTAssertEqual(typo.status, 2, typo.output)
        XCTAssertTrue(typo.output.contains("--votepolicyoptions: agenda poolfeecaps is not an agenda of \(fork.name)"), typo.output)

        let daemon = try processes.launch(forkStakepoold, daemonArguments + [
            "--votepolicyoptions=agenda=\(feeCap.id),blocks=\(Self.window)",
        ], log: daemonLog)
        try await processes.waitForLine(daemon, daemonLog, containing: "subscribed to notifications from dcrd", seconds: 300)

        // One block at a time: the next is mined once the policy has observed this one's decided votes.
        var winnersByBlock: [[String]] = []
        for _ in 0..<Self.votedBlocks {
            let tip = try await node.call("simmine", [.int(1)])
            let blockHeight = try XCTUnwrap(tip["height"]?.intValue)
            let winners = try await node.call("siminfo")["winners"]?.arrayValue?.compactMap(\.stringValue) ?? []
            XCTAssertFalse(winners.isEmpty, "winners at height \(blockHeight)")
            try await processes.waitForLine(daemon, daemonLog, containing: "followmajority observed block \(blockHeight):")
            winnersByBlock.append(winners)
        }
        _ = try await node.call("simmine", [.int(1)])  // the last block's votes go into this one

        // Expected bits: bit 0, the wallet default's choice on every other agenda, and on poolfeecap the choice held
        // by more than half of the window's winners' owners (abstain, 0, without one).
        var otherAgendas = 0
        for agenda in fork.agendas where agenda.id != feeCap.id { otherAgendas |= defaultBits & agenda.mask }
        let abstain = try XCTUnwrap(feeCap.choices["abstain"])
        var followedMajority = 0
        for (index, winners) in winnersByBlock.enumerated() {
            let window = winnersByBlock[max(0, index - Self.window)..<index].flatMap { $0 }
            let preferred = try window.map { users[try XCTUnwrap(owner[$0], "ticket \($0) is a user's")].choiceBits }
            let counts = Dictionary(preferred.map { ($0, 1) }, uniquingKeysWith: +)
            let majority = counts.first { $0.value * 2 > preferred.count }?.key ?? abstain
            if majority != abstain { followedMajority += winners.count }
            for ticket in winners {
                let vote = try await node.call("simvote", [.string(ticket)])
                XCTAssertEqual(vote["status"]?.stringValue, "voted", "ticket \(ticket)")
                XCTAssertEqual(vote["votebits"]?.intValue, Int64(1 | majority | otherAgendas),
                               "block \(index) ticket \(ticket): poolfeecap \(majority) from \(counts)")
                XCTAssertEqual(vote["voteversion"]?.intValue, Int64(fork.newestVersion), "ticket \(ticket)")
            }
        }
        XCTAssertGreaterThan(followedMajority, 0, "some votes carry a majority's choice, not only abstain")

        let daemonStopped = await processes.terminate(daemon)
        XCTAssertTrue(daemonStopped, "fork-stakepoold stops on SIGTERM")
        let webStopped = await processes.terminate(web)
        XCTAssertTrue(webStopped, "hxstakepool stops on SIGTERM")
    }

    // MARK: - Helpers

    private func webAppConfig(wallets: [String], certificate: String, votingKey: String, coldKey: String,
                              database: String) -> String {
        let count = wallets.count
        return [
            "chainparams=\(ForkFile.path)",
            "storage=sqlite", "sqlitepath=\(database)", "mail=log", "wallet=dcrwallet",
            "wallethosts=" + wallets.joined(separator: ","),
            "walletusers=" + Array(repeating: Self.rpcUser, count: count).joined(separator: ","),
            "walletpasswords=" + Array(repeating: Self.rpcPassword, count: count).joined(separator: ","),
            "walletcerts=" + Array(repeating: certificate, count: count).joined(separator: ","),
            "votingwalletextpub=\(votingKey)", "coldwalletextpub=\(coldKey)",
            "apisecret=fork-e2e-api-secret-0123456789abcdef", "cookiesecret=fork-e2e-cookie-secret-0123456789abcdef",
            "baseurl=http://127.0.0.1:8000", "adminips=127.0.0.1", "listen=127.0.0.1:0", "bcryptcost=4",
            "datadir=\(processes?.path("web/data") ?? "")", "logdir=\(processes?.path("web/logs") ?? "")",
            "templatepath=\(ExampleProcesses.repoRoot)/templates", "publicpath=\(ExampleProcesses.repoRoot)/public",
        ].joined(separator: "\n") + "\n"
    }

    private func connect(_ address: String, _ certificate: String) async throws -> JSONRPCClient {
        let client = try JSONRPCClient(configuration: JSONRPCClientConfiguration(
            address: try HostPort(parsing: address), tls: TLSClientConfiguration(trust: .certificateFile(certificate)),
            user: Self.rpcUser, password: Self.rpcPassword, name: "simwallet"), logger: .disabled)
        clients.append(client)
        try await client.connect()
        return client
    }

    /// The sign-in form as a browser fills it: GET for the CSRF token, then POST; success redirects.
    private func signIn(_ browser: LoopbackHTTPClient, _ email: String) async throws {
        let form = try await browser.get("/signin")
        let marker = #"name="csrf_token" value=""#
        let start = try XCTUnwrap(form.body.range(of: marker), "no csrf token on /signin").upperBound
        let token = String(form.body[start...].prefix { $0 != "\"" })
        let response = try await browser.post("/signin", form: [("csrf_token", token), ("email", email),
                                                                 ("password", Self.password)])
        XCTAssertTrue((300..<400).contains(response.status), "sign-in of \(email): \(response.status) \(response.body.prefix(300))")
    }

    /// `simwallet: node on A, wallets on B, C` → (A, [B, C]).
    private static func simwalletAddresses(_ line: String) throws -> (node: String, wallets: [String]) {
        let node = try XCTUnwrap(line.range(of: "node on "), line)
        let wallets = try XCTUnwrap(line.range(of: ", wallets on "), line)
        return (String(line[node.upperBound..<wallets.lowerBound]),
                line[wallets.upperBound...].split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) })
    }
}
