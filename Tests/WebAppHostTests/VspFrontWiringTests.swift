import Foundation
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif
import HostKit
import HostTestSupport
import PoolKernel
import PoolTestKit
import WebAppHost
import WebHost
import XCTest

/// The vspd API v3 front wired through the real web app: assembled from a config file (SQLite storage, the simnet
/// legacy wallets) with in-memory vspd node and wallet plugins registered into the plugin set it is given, served
/// over HTTP. Requests are signed with the kernel's message signing from test keys; every 200 answer's
/// `VSP-Server-Signature` is checked against the key vspinfo publishes.
final class VspFrontWiringTests: XCTestCase {
    private var apps: [(WebApp, Task<Void, any Error>)] = []
    private var directories: [URL] = []
    private let node = InMemoryVspNode()
    private let wallet = InMemoryVspWallet()

    override func tearDown() async throws {
        for (app, runner) in apps {
            app.shutdown()
            _ = try? await runner.value
        }
        apps = []
        for directory in directories { try? FileManager.default.removeItem(at: directory) }
    }

    private var plugins: PoolPlugins {
        var plugins = PoolPlugins.builtIn()
        let (node, wallet) = (node, wallet)
        // One node and wallet across restarts: connecting reopens what the previous app's shutdown closed.
        plugins.vspNode.register("memory") { _ in
            ConnectableBackend(node, label: "memory node", connect: { node.state.withLock { $0.isClosed = false } })
        }
        plugins.vspWallets.register("memory") { _ in
            VspWalletSet(wallets: [wallet], labels: ["memory wallet"], connect: { wallet.state.withLock { $0.isClosed = false } })
        }
        return plugins
    }

    private static let vspOptions = "apifronts=both\nvspnode=memory\nvspwallet=memory\nvspfee=2.5\n"
        + "vspfeexpub=\(SimnetWalletPlugin.defaultKeys.voting)\n"

    private func config(_ extra: String, in directory: URL? = nil) throws -> (PoolConfig, URL) {
        let directory = try directory ?? {
            let made = try TestEnvironment.makeTemporaryDirectory(prefix: "vspfront")
            directories.append(made)
            return made
        }()
        let path = try WebAppTestConfig.write(into: directory.path, extra: "bcryptcost=4\n" + extra)
        let (loaded, _, _) = try PoolConfig.load(arguments: ["-C", path], home: directory.path, plugins: plugins,
                                                 hostOptions: WebAppHostOptions.all)
        return (try XCTUnwrap(loaded), directory)
    }

    private func start(_ extra: String = vspOptions, in directory: URL? = nil) async throws -> (port: Int, directory: URL) {
        let (config, directory) = try config(extra, in: directory)
        let app = try await WebApp.assemble(config: config, plugins: plugins, logs: LogBackend(level: .error, sinks: [CapturingSink()]))
        guard case let .tcp(_, port) = try app.bind() else { throw PageClient.ClientError("the web app did not bind TCP") }
        apps.append((app, Task { try await app.run() }))
        return (Int(port), directory)
    }

    private struct Answer {
        let status: Int
        let body: Data
        let headers: [String: String]
        var text: String { String(decoding: body, as: UTF8.self) }
        var json: [String: Any] { (try? JSONSerialization.jsonObject(with: body) as? [String: Any]) ?? [:] }
    }

    private func send(_ port: Int, _ path: String, method: String = "POST", body: Data = Data(),
                      headers: [String: String] = [:]) async throws -> Answer {
        var request = URLRequest(url: try XCTUnwrap(URL(string: "http://127.0.0.1:\(port)\(path)")))
        request.httpMethod = method
        if method != "GET" { request.httpBody = body }
        for (name, value) in headers { request.setValue(value, forHTTPHeaderField: name) }
        let (data, response) = try await URLSession.shared.data(for: request)
        let http = try XCTUnwrap(response as? HTTPURLResponse)
        var fields: [String: String] = [:]
        for (name, value) in http.allHeaderFields { fields[String(describing: name).lowercased()] = String(describing: value) }
        return Answer(status: http.statusCode, body: data, headers: fields)
    }

    private func post(_ port: Int, _ endpoint: String, _ json: String, as fixture: VspTicketFixture,
                      key: [UInt8]? = nil) async throws -> Answer {
        let body = Data(json.utf8)
        return try await send(port, "/api/v3/\(endpoint)", body: body,
                              headers: ["VSP-Client-Signature": try fixture.sign(Array(body), key: key)])
    }

    /// The answer's `VSP-Server-Signature` is the Ed25519 signature of its exact body under `pubkey` (base64).
    private func assertSigned(_ answer: Answer, by pubkey: String, file: StaticString = #filePath, line: UInt = #line) throws {
        let signature = try XCTUnwrap(Data(base64Encoded: answer.headers["vsp-server-signature"] ?? ""), file: file, line: line)
        let key = try XCTUnwrap(Data(base64Encoded: pubkey), file: file, line: line)
        XCTAssertTrue(Ed25519.isValid(signature: Array(signature), message: Array(answer.body), publicKey: Array(key)),
                      "VSP-Server-Signature verifies with the vspinfo pubkey", file: file, line: line)
    }

    func testVspFront_bothFronts_signedFeeAddressPayFeeTicketStatusOverHTTP() async throws {
        node.mine(200)
        let (port, directory) = try await start()
        let info = try await send(port, "/api/v3/vspinfo", method: "GET")
        XCTAssertEqual(info.status, 200, info.text)
        XCTAssertEqual(info.headers["content-type"], "application/json; charset=utf-8")
        XCTAssertTrue(info.text.hasPrefix(#"{"apiversions":[3],"timestamp":"#), info.text)
        XCTAssertTrue(info.text.contains(#""feepercentage":2.5,"vspclosed":false,"vspclosedmsg":"","network":"simnet""#), info.text)
        let pubkey = try XCTUnwrap(info.json["pubkey"] as? String)
        try assertSigned(info, by: pubkey)
        // The key was made at first start in the data directory, readable by the owner only.
        let keyFile = directory.path + "/data/simnet/" + VspResponseSigner.keyFileName
        let attributes = try FileManager.default.attributesOfItem(atPath: keyFile)
        XCTAssertEqual((attributes[.posixPermissions] as? NSNumber)?.intValue, 0o600)
        XCTAssertEqual(try VspResponseSigner(dataDirectory: directory.path + "/data/simnet").publicKeyBase64, pubkey)
        // The legacy API still answers beside it.
        let stats = try await send(port, "/api/v1/stats", method: "GET")
        XCTAssertEqual(stats.status, 200)
        XCTAssertTrue(stats.text.contains(#""status":"success""#), stats.text)
        // /health covers both fronts: the legacy wallets and the vspd front's node and voting wallets.
        let health = try await send(port, "/health", method: "GET")
        let components = ((health.json["checks"] as? [[String: Any]]) ?? []).compactMap { $0["component"] as? String }
        XCTAssertTrue(components.contains("wallet"), health.text)
        XCTAssertTrue(components.contains("vsp-node"), health.text)
        XCTAssertTrue(components.contains("vsp-wallet"), health.text)

        let fixture = try VspTicketFixture(seed: 1)
        let feeAddressBody = #"{"timestamp":1700000000,"tickethash":"\#(fixture.ticketHash)","tickethex":"\#(fixture.ticketHex)","parenthex":"\#(fixture.parentHex)"}"#
        let quote = try await post(port, "feeaddress", feeAddressBody, as: fixture)
        XCTAssertEqual(quote.status, 200, quote.text)
        try assertSigned(quote, by: pubkey)
        XCTAssertEqual(quote.json["request"] as? String, Data(feeAddressBody.utf8).base64EncodedString())
        let feeAddress = try XCTUnwrap(quote.json["feeaddress"] as? String)
        XCTAssertTrue(feeAddress.hasPrefix("Ss"), feeAddress)
        let amount = try XCTUnwrap(quote.json["feeamount"] as? NSNumber).int64Value
        XCTAssertGreaterThan(amount, 0)

        let feeTx = try fixture.feeTransaction(paying: feeAddress, amount: amount)
        let paid = try await post(port, "payfee", #"{"timestamp":1700000001,"tickethash":"\#(fixture.ticketHash)","feetx":"\#(feeTx)","votingkey":"\#(try fixture.votingWIF)","votechoices":{"maxtreasuryspend":"no"},"tspendpolicy":{},"treasurypolicy":{}}"#, as: fixture)
        XCTAssertEqual(paid.status, 200, paid.text)
        try assertSigned(paid, by: pubkey)

        let status = try await post(port, "ticketstatus", #"{"tickethash":"\#(fixture.ticketHash)"}"#, as: fixture)
        XCTAssertEqual(status.status, 200, status.text)
        try assertSigned(status, by: pubkey)
        XCTAssertEqual(status.json["feetxstatus"] as? String, "received")
        XCTAssertEqual(status.json["feetxhash"] as? String, try DecredTransaction(hex: feeTx).txid)
        XCTAssertEqual(status.json["votechoices"] as? [String: String], ["maxtreasuryspend": "no"])

        // Refusals: exact bodies and statuses, signed too.
        let stranger = try await post(port, "ticketstatus", #"{"tickethash":"\#(fixture.ticketHash)"}"#, as: fixture,
                                      key: VspTicketFixture.privateKey(4242))
        XCTAssertEqual(stranger.status, 400)
        XCTAssertEqual(stranger.text, #"{"code":10,"message":"bad request signature"}"#)
        try assertSigned(stranger, by: pubkey)
        let again = try await post(port, "payfee", #"{"timestamp":1700000002,"tickethash":"\#(fixture.ticketHash)","feetx":"\#(feeTx)","votingkey":"\#(try fixture.votingWIF)","votechoices":{}}"#, as: fixture)
        XCTAssertEqual(again.text, #"{"code":3,"message":"fee tx already received for ticket"}"#)
        let replay = try await post(port, "setvotechoices", #"{"timestamp":1700000001,"tickethash":"\#(fixture.ticketHash)","votechoices":{"maxtreasuryspend":"yes"}}"#, as: fixture)
        XCTAssertEqual(replay.text, #"{"code":17,"message":"old or reused timestamp"}"#)
        let newer = try await post(port, "setvotechoices", #"{"timestamp":1700000009,"tickethash":"\#(fixture.ticketHash)","votechoices":{"maxtreasuryspend":"yes"}}"#, as: fixture)
        XCTAssertEqual(newer.status, 200, newer.text)
        try assertSigned(newer, by: pubkey)
    }

    func testVspFront_hostileInput_neverACrash_exactAnswers() async throws {
        node.mine(200)
        let (port, _) = try await start()
        let fixture = try VspTicketFixture(seed: 2)
        // Malformed JSON: vspd's code 0 with the decoder's text.
        let malformed = try await send(port, "/api/v3/ticketstatus", body: Data("{x".utf8), headers: ["VSP-Client-Signature": "AA=="])
        XCTAssertEqual(malformed.status, 400)
        XCTAssertEqual(malformed.text, #"{"code":0,"message":"invalid character 'x' looking for beginning of object key string"}"#)
        let empty = try await send(port, "/api/v3/feeaddress")
        XCTAssertEqual(empty.text, #"{"code":0,"message":"EOF"}"#)
        // A GET on a POST route, an unknown v3 path: gin's plain 404.
        for (method, path) in [("GET", "/api/v3/payfee"), ("POST", "/api/v3/vspinfo"), ("POST", "/api/v3/nothing")] {
            let answer = try await send(port, path, method: method)
            XCTAssertEqual(answer.status, 404, path)
            XCTAssertEqual(answer.text, "404 page not found", path)
        }
        // CSRF (§1.2): a cross-origin browser POST is refused before anything runs; a same-origin one passes.
        let body = Data(#"{"tickethash":"\#(fixture.ticketHash)"}"#.utf8)
        let signature = try fixture.sign(Array(body))
        for headers in [["Origin": "http://evil.example"], ["Sec-Fetch-Site": "cross-site"], ["Sec-Fetch-Site": "same-site"]] {
            let answer = try await send(port, "/api/v3/ticketstatus", body: body, headers: headers.merging(["VSP-Client-Signature": signature]) { $1 })
            XCTAssertEqual(answer.status, 400, "\(headers)")
            XCTAssertEqual(answer.text, "CSRF failure", "\(headers)")
        }
        node.add(fixture.ticketHex, txid: fixture.ticketHash, confirmations: 1)
        for headers in [["Origin": "http://127.0.0.1:\(port)"], ["Sec-Fetch-Site": "same-origin"], ["Content-Type": "text/plain"]] {
            let answer = try await send(port, "/api/v3/ticketstatus", body: body, headers: headers.merging(["VSP-Client-Signature": signature]) { $1 })
            XCTAssertEqual(answer.text, #"{"code":6,"message":"unknown ticket"}"#, "\(headers)")
        }
        // Past the server's maxbodybytes (1 MiB by default) the request is refused whole.
        let huge = try await send(port, "/api/v3/ticketstatus", body: Data(repeating: 0x20, count: (1 << 20) + 1))
        XCTAssertEqual(huge.status, 413)
        // Deep nesting is a decoder error, not a stack overflow.
        let deep = try await send(port, "/api/v3/ticketstatus", body: Data((#"{"x":"# + String(repeating: "[", count: 200_000)).utf8),
                                  headers: ["VSP-Client-Signature": signature])
        XCTAssertEqual(deep.text, #"{"code":0,"message":"exceeded max depth"}"#)
        // Still serving; a trailing slash is redirected to the route (followed here).
        let info = try await send(port, "/api/v3/vspinfo/", method: "GET")
        XCTAssertEqual(info.status, 200)
        XCTAssertTrue(info.text.hasPrefix(#"{"apiversions":[3],"#), info.text)
    }

    func testVspFront_bodyCutAt1MiB_signatureAndEchoCoverTheCutBytes() async throws {
        node.mine(200)
        let (port, _) = try await start(Self.vspOptions + "maxbodybytes=3000000\n")
        let fixture = try VspTicketFixture(seed: 3)
        node.add(fixture.ticketHex, txid: fixture.ticketHash, confirmations: 1)
        let json = Data(#"{"tickethash":"\#(fixture.ticketHash)"}"#.utf8)
        let cut = json + Data(repeating: 0x20, count: (1 << 20) - json.count)
        let sent = cut + Data(repeating: 0x41, count: 500_000)  // bytes past 1 MiB: ignored, as vspd's LimitReader does
        let answer = try await send(port, "/api/v3/ticketstatus", body: sent, headers: ["VSP-Client-Signature": try fixture.sign(Array(cut))])
        XCTAssertEqual(answer.text, #"{"code":6,"message":"unknown ticket"}"#, "authenticated over exactly the first 1 MiB")
        let wrong = try await send(port, "/api/v3/ticketstatus", body: sent, headers: ["VSP-Client-Signature": try fixture.sign(Array(sent))])
        XCTAssertEqual(wrong.text, #"{"code":10,"message":"bad request signature"}"#)
    }

    func testVspFront_configuration_frontsFeeXPubAndPlugins() async throws {
        // Default: legacy only; /api/v3 is not the vspd API.
        var (port, _) = try await start("")
        var answer = try await send(port, "/api/v3/vspinfo", method: "GET")
        XCTAssertFalse(answer.text.contains("apiversions"), answer.text)
        // vspd only: the legacy API routes are gone, vspinfo answers.
        node.mine(200)
        (port, _) = try await start(Self.vspOptions.replacingOccurrences(of: "apifronts=both", with: "apifronts=vspd"))
        answer = try await send(port, "/api/v1/stats", method: "GET")
        XCTAssertFalse(answer.text.contains(#""status":"success""#), answer.text)
        answer = try await send(port, "/api/v3/vspinfo", method: "GET")
        XCTAssertEqual(answer.status, 200)
        // Closed: vspinfo says so with the message; new tickets are refused with code 2.
        (port, _) = try await start(Self.vspOptions + "vspclosed=1\nvspclosedmsg=Moving to a new host\n")
        answer = try await send(port, "/api/v3/vspinfo", method: "GET")
        XCTAssertTrue(answer.text.contains(#""vspclosed":true,"vspclosedmsg":"Moving to a new host""#), answer.text)
        let fixture = try VspTicketFixture(seed: 9)
        answer = try await post(port, "feeaddress", #"{"timestamp":1,"tickethash":"\#(fixture.ticketHash)","tickethex":"\#(fixture.ticketHex)","parenthex":"\#(fixture.parentHex)"}"#, as: fixture)
        XCTAssertEqual(answer.status, 400)
        XCTAssertEqual(answer.text, #"{"code":2,"message":"vsp is closed"}"#)

        // Option checks at load.
        func refusal(_ extra: String) -> String {
            do {
                _ = try config(extra)
                return "accepted"
            } catch { return "\(error)" }
        }
        XCTAssertTrue(refusal("apifronts=all").contains("apifronts must be legacy, vspd or both"))
        let fee = { (value: String) in Self.vspOptions.replacingOccurrences(of: "vspfee=2.5", with: "vspfee=\(value)") }
        XCTAssertTrue(refusal(fee("0.001")).contains("vspfee: The VSP fee percentage must be at least 0.01"), refusal(fee("0.001")))
        XCTAssertTrue(refusal(fee("100.01")).contains("vspfee: The VSP fee percentage"))
        XCTAssertEqual(refusal(fee("100")), "accepted")
        XCTAssertEqual(refusal(fee("0.01")), "accepted")
        XCTAssertTrue(refusal(Self.vspOptions.replacingOccurrences(of: "vspfeexpub=", with: "#")).contains("vspfeexpub is not set"))
        XCTAssertTrue(refusal(Self.vspOptions.replacingOccurrences(of: "vspnode=memory", with: "vspnode=nosuch")).contains("vsp node plugin"))
        XCTAssertTrue(refusal(Self.vspOptions.replacingOccurrences(of: SimnetWalletPlugin.defaultKeys.voting, with: "spubNOTAKEY")).contains("vspfeexpub"))
        XCTAssertEqual(refusal("vspnode=nosuch\n"), "accepted", "the vspd plugins are demanded only when its front is on")
    }

    func testVspFront_feeXPub_storedWhenNew_retiredKeyRefused_signingKeyKept() async throws {
        node.mine(200)
        let (firstPort, directory) = try await start()
        let first = try await send(firstPort, "/api/v3/vspinfo", method: "GET").json["pubkey"] as? String
        XCTAssertNotNil(first)
        await stopAll()
        // A new key retires the first.
        let second = Self.vspOptions.replacingOccurrences(of: SimnetWalletPlugin.defaultKeys.voting, with: SimnetWalletPlugin.defaultKeys.cold)
        let (port, _) = try await start(second, in: directory)
        let again = try await send(port, "/api/v3/vspinfo", method: "GET").json["pubkey"] as? String
        XCTAssertEqual(again, first, "the response key is made once and kept")
        await stopAll()
        // Going back to the retired key is refused at start.
        let (config, _) = try config(Self.vspOptions, in: directory)
        do {
            _ = try await WebApp.assemble(config: config, plugins: plugins, logs: LogBackend(level: .critical, sinks: []))
            XCTFail("a retired fee xpub was accepted")
        } catch let failure as WebApp.StartupFailure {
            XCTAssertTrue(failure.message.contains("vspfeexpub was used before"), failure.message)
        }
    }

    private func stopAll() async {
        for (app, runner) in apps {
            app.shutdown()
            _ = try? await runner.value
        }
        apps = []
    }
}
