import Foundation
import PoolKernel
import PoolTestKit
import XCTest
@testable import WebHost

final class PoolAPITests: WebHostTestCase {
    private let baseURL = "https://pool.example"
    private var storage: InMemoryStorage!
    private var failingStorage: WriteFailingStorage!
    private var wallets: FakeWalletPool!
    private var registrar: FakeRegistrar!
    private var signer: APITokenSigner!
    private var stats: StatsCache!
    private var port = 0
    private let notified = LockedValue<[UserId]>([])

    override func setUpWithError() throws {
        try super.setUpWithError()
        storage = InMemoryStorage()
        failingStorage = WriteFailingStorage(storage)
        wallets = FakeWalletPool()
        registrar = FakeRegistrar(storage: storage)
        signer = APITokenSigner(secret: "api-secret-for-tests", issuer: baseURL)
        let configuration = APIConfiguration(network: "testnet2", poolEmail: "ops<pool>@example.com", poolFees: 7.5)
        stats = StatsCache(storage: storage, wallets: wallets, configuration: configuration, logger: logger)
        let notified = self.notified
        let api = PoolAPI(configuration: configuration, storage: failingStorage, tokens: signer, registrar: registrar,
                          wallets: wallets, stats: stats,
                          isValidVoteBits: { $0 == 1 || $0 == 5 || $0 == 3 },
                          votingPreferencesChanged: { id in notified.withLock { $0.append(id) } },
                          logger: logger)
        port = try startServer(Router(routes: api.routes + [.health()])).1
    }

    // MARK: - Helpers

    private func golden(_ name: String) throws -> [UInt8] {
        let url = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("Golden/\(name).json")
        return Array(try Data(contentsOf: url))
    }

    /// Sends one request and checks status, content type and the body byte for byte.
    private func assertAPI(_ method: String, _ path: String, token: String? = nil, form: String? = nil,
                           status: Int = 200, golden name: String, file: StaticString = #filePath, line: UInt = #line) throws {
        let client = try RawHTTPClient(port: port)
        var text = "\(method) \(path) HTTP/1.1\r\nHost: pool\r\n"
        if let token { text += "Authorization: Bearer \(token)\r\n" }
        if let form {
            text += "Content-Type: application/x-www-form-urlencoded\r\nContent-Length: \(form.utf8.count)\r\n\r\n\(form)"
        } else {
            text += "\r\n"
        }
        try client.send(text)
        let response = try client.readResponse()
        XCTAssertEqual(response.status, status, "\(method) \(path)", file: file, line: line)
        XCTAssertEqual(response.header("Content-Type"), "application/json; charset=utf-8", file: file, line: line)
        let expected = try golden(name)
        XCTAssertEqual(response.text, String(decoding: expected, as: UTF8.self), "\(method) \(path)", file: file, line: line)
        XCTAssertEqual(response.body, expected, file: file, line: line)
    }

    /// A verified user with a stored token; returns (user, token).
    private func makeUser(email: String = "u@example.com", registered: Bool = false) async throws -> (User, String) {
        var user = try await storage.insertUser(User(email: email, passwordHash: "x", emailVerified: .verified))
        let token = signer.issue(for: user.id)
        user = try await storage.updateUser(id: user.id) { row in
            row.apiToken = token
            if registered {
                row.userPubKeyAddr = "TkKmVKG7u7PwhQaYr7wgMqBwHneJ2cN4e5YpMVUsWSopx81NFXEzK"
                row.multiSigAddress = "Tcbvn2hiEAXBDwUPDLDG2SxF9iANMKhdVev"
                row.multiSigScript = "512103af3c24d005ca8b755e7167617f3a5b4c60a65f8318a7fcd1b0cacb1abd2a97fc21027b81bc16954e28adb832248140eb58bedb6078ae5f4dabf21fde5a8ab7135cb652ae"
                row.userFeeAddr = "TsfDLrRkk9ciUuwfp2b8PawwnukYD7yAjGd"
                row.voteBits = 5
                row.voteBitsVersion = 6
            }
        }
        return (user, token)
    }

    // MARK: - Routing

    func testPoolAPI_unknownCommandsAndVersions() throws {
        for path in ["/api/v1/nope", "/api/v3/stats", "/api/v1/", "/api/v1/stats/", "/api/v2/startsession", "/api/"] {
            try assertAPI("GET", path, status: 404, golden: "invalid-command")
        }
        try assertAPI("GET", "/api/v1/address", status: 404, golden: "invalid-command")
        try assertAPI("POST", "/api/v1/stats", form: "", status: 404, golden: "invalid-command")
        let bare = try RawHTTPClient.get(port: port, "/api")
        XCTAssertEqual(bare.status, 404)
        XCTAssertEqual(bare.text, "404 page not found\n")
        let client = try RawHTTPClient(port: port)
        try client.send("DELETE /api/v2/stats HTTP/1.1\r\nHost: x\r\n\r\n")
        let response = try client.readResponse()
        XCTAssertEqual(response.status, 405)
        XCTAssertEqual(response.header("Allow"), "GET, HEAD")
    }

    // MARK: - stats

    func testPoolAPI_statsSuccessCachedAndGolden() async throws {
        wallets.state.withLock {
            $0.stakeInfo = StakeInfo(blockHeight: 12345, poolSize: 5000, difficulty: 12.34, allMempoolTix: 7, ownMempoolTix: 2,
                                     immature: 3, live: 40, proportionLive: 0.008, voted: 100, totalSubsidy: 12345678.5,
                                     missed: 1, proportionMissed: 0.0099, revoked: 1, expired: 0)
        }
        _ = try await makeUser(email: "a@x.com", registered: true)
        _ = try await makeUser(email: "b@x.com")
        _ = try await makeUser(email: "c@x.com")
        try assertAPI("GET", "/api/v1/stats", golden: "stats-success")
        try assertAPI("GET", "/api/v2/stats", golden: "stats-success")
        XCTAssertEqual(wallets.state.value.stakeInfoCalls, 1)  // second answer came from the cache
    }

    func testPoolAPI_statsErrors() throws {
        wallets.state.withLock { $0.stakeInfo = nil }
        try assertAPI("GET", "/api/v1/stats", golden: "stats-rpc-error")
        wallets.state.withLock { $0.stopped = true }
        try assertAPI("GET", "/api/v2/stats", golden: "stats-stopped")
    }

    // MARK: - getpurchaseinfo

    func testPoolAPI_purchaseInfo() async throws {
        try assertAPI("GET", "/api/v1/getpurchaseinfo", golden: "purchaseinfo-unauthenticated")
        try assertAPI("GET", "/api/v1/getpurchaseinfo", token: "not.a.token", golden: "purchaseinfo-unauthenticated")
        let (_, fresh) = try await makeUser(email: "new@x.com")
        try assertAPI("GET", "/api/v1/getpurchaseinfo", token: fresh, golden: "purchaseinfo-no-address")
        let (_, token) = try await makeUser(email: "reg@x.com", registered: true)
        try assertAPI("GET", "/api/v2/getpurchaseinfo", token: token, golden: "purchaseinfo-success")
    }

    func testPoolAPI_tokenMustMatchStoredTokenAndIssuer() async throws {
        let (user, token) = try await makeUser(registered: true)
        // Regenerating the token revokes the old one.
        let newer = APITokenSigner(secret: "api-secret-for-tests", issuer: baseURL).issue(for: user.id, at: Date().addingTimeInterval(-5))
        try await storage.updateUser(id: user.id) { $0.apiToken = newer }
        try assertAPI("GET", "/api/v1/getpurchaseinfo", token: token, golden: "purchaseinfo-unauthenticated")
        try assertAPI("GET", "/api/v1/getpurchaseinfo", token: newer, golden: "purchaseinfo-success")
        // A correctly signed token for another base URL is refused, even if stored.
        let foreign = APITokenSigner(secret: "api-secret-for-tests", issuer: "http://127.0.0.1:8000").issue(for: user.id)
        try await storage.updateUser(id: user.id) { $0.apiToken = foreign }
        try assertAPI("GET", "/api/v1/getpurchaseinfo", token: foreign, golden: "purchaseinfo-unauthenticated")
        // A token signed with another secret is refused.
        let forged = APITokenSigner(secret: "other", issuer: baseURL).issue(for: user.id)
        try await storage.updateUser(id: user.id) { $0.apiToken = forged }
        try assertAPI("GET", "/api/v1/getpurchaseinfo", token: forged, golden: "purchaseinfo-unauthenticated")
        XCTAssertFalse(logs.text.contains(forged), "tokens must not be logged")
    }

    // MARK: - address

    func testPoolAPI_addressErrorsAndSuccess() async throws {
        let valid = "TkKmVKG7u7PwhQaYr7wgMqBwHneJ2cN4e5YpMVUsWSopx81NFXEzK"
        try assertAPI("POST", "/api/v1/address", form: "UserPubKeyAddr=\(valid)", golden: "address-unauthenticated")
        let (_, registeredToken) = try await makeUser(email: "r@x.com", registered: true)
        try assertAPI("POST", "/api/v1/address", token: registeredToken, form: "UserPubKeyAddr=\(valid)", golden: "address-already-submitted")
        let (user, token) = try await makeUser(email: "n@x.com")
        try assertAPI("POST", "/api/v1/address", token: token, form: "UserPubKeyAddr=Tk123", golden: "address-too-short")
        try assertAPI("POST", "/api/v1/address", token: token, form: "UserPubKeyAddr=\(String(repeating: "T", count: 66))", golden: "address-too-long")
        let failures: [(any Error & Sendable, String)] = [
            (RegistrationError.undecodableAddress, "address-undecodable"),
            (RegistrationError.incorrectAddressType, "address-wrong-type"),
            (RegistrationError.walletsUnavailable, "address-wallet-failure"),
            (RegistrationError.alreadySubmitted, "address-already-submitted"),
            (RegistrationError.wrongNetwork(addressNetwork: "mainnet", poolNetwork: "testnet3"), "address-wrong-network"),
            (RegistrationError.notAPubKeyAddress, "address-too-short"),
            // Outside the registrar's contract: answered as the wallet failure it most likely is.
            (StorageError(.unavailable, "db down"), "address-wallet-failure")]
        for (error, name) in failures {
            registrar.failure.withLock { $0 = error }
            try assertAPI("POST", "/api/v2/address", token: token, form: "UserPubKeyAddr=\(valid)", golden: name)
        }
        registrar.failure.withLock { $0 = nil }
        // Query-string fallback, as Go's FormValue.
        try assertAPI("POST", "/api/v1/address?UserPubKeyAddr=\(valid)", token: token, form: "", golden: "address-success")
        XCTAssertEqual(registrar.calls.value.last?.0, user.id)
        XCTAssertEqual(registrar.calls.value.last?.1, valid)
        try assertAPI("POST", "/api/v1/address", token: token, form: "UserPubKeyAddr=\(valid)", golden: "address-already-submitted")
    }

    /// Every refusal the registrar can throw is answered with the code and message the error carries — the API
    /// restates none of them. The wire texts are also written out here from webapp.md §4.6, so a changed message
    /// is noticed.
    func testPoolAPI_addressRefusalsRenderTheErrorsOwnCodeAndMessage() async throws {
        let (_, token) = try await makeUser(email: "refused@x.com")
        let system = (14, "system error - unable to process wallet commands")
        let refusals: [(RegistrationError, (Int, String))] = [
            (.unknownUser, (16, "address error - invalid api token")),
            (.alreadySubmitted, (6, "address error - address already submitted")),
            (.addressTooShort, (3, "address error - address too short")),
            (.notAPubKeyAddress, (3, "address error - address too short")),
            (.addressTooLong, (3, "address error - address too long")),
            (.undecodableAddress, (3, "address error - couldn't decode address")),
            (.incorrectAddressType, (3, "address error - incorrect address type")),
            (.wrongNetwork(addressNetwork: "mainnet", poolNetwork: "testnet3"),
             (3, "address error - address is for the wrong network")),
            (.ticketAddressDerivation, system), (.feeAddressDerivation, system), (.poolAddressNotMine, system),
            (.inProgress, system), (.earlierSubmissionPending, system), (.walletsUnavailable, system),
            (.importInterrupted, system), (.walletsStopped, system), (.walletsFailed, system),
            (.accountUnreadable, system), (.addressUnsaved, system), (.unexpected, system),
        ]
        for (refusal, wire) in refusals {
            registrar.failure.withLock { $0 = refusal.with(detail: "operator detail \(refusal.codeName)") }
            let client = try RawHTTPClient(port: port)
            let form = "UserPubKeyAddr=TkKmVKG7u7PwhQaYr7wgMqBwHneJ2cN4e5YpMVUsWSopx81NFXEzK"
            try client.send("POST /api/v2/address HTTP/1.1\r\nHost: pool\r\nAuthorization: Bearer \(token)\r\n"
                + "Content-Type: application/x-www-form-urlencoded\r\nContent-Length: \(form.utf8.count)\r\n\r\n\(form)")
            let response = try client.readResponse()
            let body = try XCTUnwrap(JSONSerialization.jsonObject(with: Data(response.body)) as? [String: Any])
            XCTAssertEqual(body["code"] as? Int, refusal.apiCode, refusal.codeName)
            XCTAssertEqual(body["message"] as? String, refusal.apiMessage, refusal.codeName)
            XCTAssertEqual(body["code"] as? Int, wire.0, refusal.codeName)
            XCTAssertEqual(body["message"] as? String, wire.1, refusal.codeName)
            XCTAssertFalse(response.text.contains("operator detail"), "detail is for logs only")
        }
        registrar.failure.withLock { $0 = nil }
    }

    // MARK: - voting

    func testPoolAPI_votingErrorsAndSuccess() async throws {
        try assertAPI("POST", "/api/v1/voting", form: "VoteBits=5", golden: "voting-unauthenticated")
        let (user, token) = try await makeUser()
        for bad in ["", "abc", "1.5", "99999999999999999999"] {
            try assertAPI("POST", "/api/v1/voting", token: token, form: "VoteBits=\(bad)", golden: "voting-not-a-number")
        }
        try assertAPI("POST", "/api/v1/voting", token: token, form: "VoteBits=4", golden: "voting-invalid-bits")
        failingStorage.failWrites.withLock { $0 = true }
        try assertAPI("POST", "/api/v1/voting", token: token, form: "VoteBits=5", golden: "voting-database-failure")
        failingStorage.failWrites.withLock { $0 = false }
        // 65541 truncates to 5 (low 16 bits).
        try assertAPI("POST", "/api/v2/voting", token: token, form: "VoteBits=65541", golden: "voting-success")
        let stored = try await storage.user(id: user.id)
        XCTAssertEqual(stored?.voteBits, 5)
        XCTAssertEqual(notified.value, [user.id])
        // Same value again: success, no second notification.
        try assertAPI("POST", "/api/v2/voting", token: token, form: "VoteBits=5", golden: "voting-success")
        XCTAssertEqual(notified.value, [user.id])
        // -65535 is 1 in the low 16 bits.
        try assertAPI("POST", "/api/v2/voting", token: token, form: "VoteBits=-65535", golden: "voting-success")
        let after = try await storage.user(id: user.id)
        XCTAssertEqual(after?.voteBits, 1)
    }

    func testPoolAPI_goldenFieldTypes() throws {
        // Byte-level type checks on the golden files themselves: ints are bare digits, floats per Go.
        let stats = String(decoding: try golden("stats-success"), as: UTF8.self)
        XCTAssertTrue(stats.contains("\"APIVersionsSupported\":[1,2]"))
        XCTAssertTrue(stats.contains("\"PoolFees\":7.5,"))
        XCTAssertTrue(stats.contains("\"BlockHeight\":12345,"))
        XCTAssertTrue(stats.hasSuffix("}}\n"))
        let keys = ["AllMempoolTix", "APIVersionsSupported", "BlockHeight", "Difficulty", "Expired", "Immature", "Live", "Missed",
                    "OwnMempoolTix", "PoolSize", "ProportionLive", "ProportionMissed", "Revoked", "TotalSubsidy", "Voted",
                    "Network", "PoolEmail", "PoolFees", "PoolStatus", "UserCount", "UserCountActive", "Version"]
        var position = stats.startIndex
        for key in keys {
            guard let range = stats.range(of: "\"\(key)\":", range: position..<stats.endIndex) else { return XCTFail("\(key) out of order") }
            position = range.upperBound
        }
    }
}
