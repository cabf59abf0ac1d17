import Foundation
import PoolKernel
import PoolTestKit
import XCTest

/// The vspd API v3 service (vspd-api.md §2–§9) over in-memory storage, dcrd and dcrwallet. Expected values come
/// from the spec (codes, messages, the RFC 8032 response-signature vector) or are computed here by hand (the fee).
final class VspServiceTests: XCTestCase {
    /// RFC 8032 TEST 1, the seed of the spec's response-signature vectors (§3.2).
    static let rfc8032Seed = try! Hex.decode("9d61b19deffd5a60ba844af492ec2cc44449c5697b326919703bac031cae7f60")

    final class Harness: @unchecked Sendable {
        let storage = InMemoryStorage()
        let node = InMemoryVspNode()
        let wallet = InMemoryVspWallet()
        let clock = LockedValue(1_800_000_000.25)
        let sleeps = LockedValue(0)
        var service: VspService!
        var feeXPub = ""

        func post(_ endpoint: VspEndpoint, _ json: String, as fixture: VspTicketFixture, key: [UInt8]? = nil,
                  signature: String? = nil) async throws -> (VspReply, [String: Any]) {
            let body = Array(json.utf8)
            let reply = await service.handle(endpoint, body: body, signature: try signature ?? fixture.sign(body, key: key))
            XCTAssertTrue(try verifies(reply), "every JSON answer is signed by the vspinfo key")
            return (reply, (try? JSONSerialization.jsonObject(with: Data(reply.body)) as? [String: Any]) ?? [:])
        }

        func verifies(_ reply: VspReply) throws -> Bool {
            guard let signature = reply.signature, let bytes = Data(base64Encoded: signature) else { return false }
            return Ed25519.isValid(signature: Array(bytes), message: reply.body, publicKey: service.signer.key.publicKey)
        }

        func feeAddressBody(_ fixture: VspTicketFixture, timestamp: Int = 1_700_000_000) -> String {
            #"{"timestamp":\#(timestamp),"tickethash":"\#(fixture.ticketHash)","tickethex":"\#(fixture.ticketHex)","parenthex":"\#(fixture.parentHex)"}"#
        }

        func quote(_ fixture: VspTicketFixture) async throws -> [String: Any] {
            let (reply, json) = try await post(.feeAddress, feeAddressBody(fixture), as: fixture)
            XCTAssertEqual(reply.status, 200, String(decoding: reply.body, as: UTF8.self))
            return json
        }

        func payFeeBody(_ fixture: VspTicketFixture, feeTx: String, wif: String? = nil, choices: String = #"{"maxtreasuryspend":"yes"}"#,
                        timestamp: Int = 1_700_000_001) throws -> String {
            #"{"timestamp":\#(timestamp),"tickethash":"\#(fixture.ticketHash)","feetx":"\#(feeTx)","votingkey":"\#(try wif ?? fixture.votingWIF)","votechoices":\#(choices),"tspendpolicy":{},"treasurypolicy":{}}"#
        }

        func pay(_ fixture: VspTicketFixture, quote: [String: Any], amount: Int64? = nil) async throws -> (VspReply, [String: Any]) {
            let feeTx = try fixture.feeTransaction(paying: quote["feeaddress"] as! String, amount: amount ?? (quote["feeamount"] as! NSNumber).int64Value)
            return try await post(.payFee, payFeeBody(fixture, feeTx: feeTx), as: fixture)
        }
    }

    private func harness(closed: Bool = false) async throws -> Harness {
        let h = Harness()
        try await h.storage.migrate()
        let derived = try XCTUnwrap(try ChainVectors.file("hdkeychain")["extractor_derived"] as? [[String: Any]])
        h.feeXPub = try XCTUnwrap(derived.first { $0["network"] as? String == "simnet" }?["account_ext_pub"] as? String)
        _ = try await VspFeeAddressAllocator.addFeeXPub(h.feeXPub, storage: h.storage, network: .simnet, now: 1)
        h.node.mine(200)  // best height 200: past simnet's stake validation height, so the fee is not 0
        var configuration = VspConfiguration(network: .simnet, feePercent: try VspFeePercent(3.0), version: "1.5.0-test")
        configuration.closed = closed
        configuration.closedMessage = "closed for maintenance"
        h.service = VspService(configuration: configuration, storage: h.storage, node: h.node, wallets: [h.wallet],
                               signer: VspResponseSigner(key: try Ed25519SigningKey(seed: Self.rfc8032Seed)),
                               clock: { [clock = h.clock] in clock.value },
                               sleep: { [sleeps = h.sleeps] _ in sleeps.withLock { $0 += 1 } },
                               logger: LogBackend(level: .critical, sinks: []).logger("VSPD"))
        return h
    }

    private func error(_ reply: VspReply) -> String { String(decoding: reply.body, as: UTF8.self) }

    /// The fee at best height 200 on simnet, by hand from dcrd's simnet parameters and the spec's formula (§6.1):
    /// base subsidy 50,000,000,000 reduced ⌊200/128⌋ = 1 time by 100/101; DCP-0012's 89/100 over 5 votes; one
    /// look-ahead reduction (⌈64/128⌉); then ⌊300·s·(v+10000) / (10000·(s+v))⌋ with v = 1 DCR.
    private let expectedFee: Int64 = {
        let block: Int64 = 50_000_000_000 * 100 / 101
        let vote = block * 89 / 500
        let s = vote * 100 / 101
        let v: Int64 = 100_000_000
        return Int64(Int128(300) * Int128(s) * Int128(v + 10_000) / (Int128(10_000) * Int128(s + v)))
    }()

    // MARK: - Response signing and vspinfo (§3, §5.1)

    func testErrorBody_isExactlyCodeAndMessage_signedAsTheSpecVector() async throws {
        let h = try await harness()
        let fixture = try VspTicketFixture(seed: 1)
        h.node.add(fixture.ticketHex, txid: fixture.ticketHash, confirmations: 3)
        let (reply, _) = try await h.post(.ticketStatus, #"{"tickethash":"\#(fixture.ticketHash)"}"#, as: fixture)
        XCTAssertEqual(reply.status, 400)
        XCTAssertEqual(error(reply), #"{"code":6,"message":"unknown ticket"}"#)
        // §3.2's vector: this exact body under the RFC 8032 TEST 1 key.
        XCTAssertEqual(reply.signature, "mqeXrIokJEKXgw89NPWvvJHPRyX0k8LSx+dMb3e12jERzF3rWnu6DKTRDPM3dOGV9gw4f1OiEaCRoczZqp7aCQ==")
    }

    /// The spec's two vectors end to end on testnet: the §2.4 request (body, `VSP-Client-Signature`, commitment
    /// address) is accepted, and the ticketstatus answer is byte for byte §3.2's body with its signature.
    func testTicketStatus_specVectors_requestAcceptedAndAnswerSignedByteForByte() async throws {
        let storage = InMemoryStorage()
        try await storage.migrate()
        let hash = "484a68f7148e55d05f0b64a29fe7b148572cb5272d1ce2438cf15466d347f4f4"
        let ticket = VspTicket(hash: hash, purchaseHeight: 1_000, commitmentAddress: "TsmfmUitQApgnNxQypdGd2x36djCCpDpERU",
                               feeAddressXPubID: 1, feeAddressIndex: 1, feeAddress: "TsFee", feeAmount: 24_064,
                               feeExpiration: 1_700_003_600, confirmed: true, votingWIF: "Pt",
                               voteChoices: ["maxtreasuryspend": "yes"],
                               feeTxHash: "e1c02b04b5bbdae66cf8e3c88366c4918d458a2d27a26144df37f54a2bc956ac", feeTxStatus: .confirmed)
        try await storage.write { try $0.insertVspTicket(ticket) }
        let service = VspService(configuration: VspConfiguration(network: .testnet3, feePercent: try VspFeePercent(3), version: "t"),
                                 storage: storage, node: InMemoryVspNode(), wallets: [InMemoryVspWallet()],
                                 signer: VspResponseSigner(key: try Ed25519SigningKey(seed: Self.rfc8032Seed)),
                                 clock: { 1_700_000_000.9 }, logger: LogBackend(level: .critical, sinks: []).logger("VSPD"))
        let body = Array(#"{"tickethash":"484a68f7148e55d05f0b64a29fe7b148572cb5272d1ce2438cf15466d347f4f4"}"#.utf8)
        let reply = await service.handle(.ticketStatus, body: body,
                                         signature: "IMOHEANs3DarNBiadV1BJBn8x/aZS35qefIBlUhWMtXPeoabGzQNYnzVGJDjOkw5Ys/Um8I5HexOrRiLAHqxrRg=")
        XCTAssertEqual(reply.status, 200)
        XCTAssertEqual(error(reply), #"{"timestamp":1700000000,"ticketconfirmed":true,"feetxstatus":"confirmed","feetxhash":"e1c02b04b5bbdae66cf8e3c88366c4918d458a2d27a26144df37f54a2bc956ac","altsignaddress":"","votechoices":{"maxtreasuryspend":"yes"},"tspendpolicy":{},"treasurypolicy":{},"request":"eyJ0aWNrZXRoYXNoIjoiNDg0YTY4ZjcxNDhlNTVkMDVmMGI2NGEyOWZlN2IxNDg1NzJjYjUyNzJkMWNlMjQzOGNmMTU0NjZkMzQ3ZjRmNCJ9"}"#)
        XCTAssertEqual(reply.signature, "NauhhMCL6UWwtBWjdPlXOeIGL1VrNy9URYXEK2WizWak/Z96ltBFJsBd1eyn+PIjbEo0aLODW3kSnvv4VmYfBQ==")
        // One byte more (the same JSON to a parser) no longer matches the signature: the raw bytes are what is signed.
        let refused = await service.handle(.ticketStatus, body: body + [0x20],
                                           signature: "IMOHEANs3DarNBiadV1BJBn8x/aZS35qefIBlUhWMtXPeoabGzQNYnzVGJDjOkw5Ys/Um8I5HexOrRiLAHqxrRg=")
        XCTAssertEqual(error(refused), #"{"code":10,"message":"bad request signature"}"#)
    }

    func testVspInfo_keysInSpecOrder_pubkeyVerifiesItsSignature_reusedWithinTheSecond() async throws {
        let h = try await harness()
        let first = await h.service.vspInfo()
        XCTAssertEqual(first.status, 200)
        let text = error(first)
        let keys = ["apiversions", "timestamp", "pubkey", "feepercentage", "vspclosed", "vspclosedmsg", "network",
                    "vspdversion", "voting", "voted", "totalvotingwallets", "votingwalletsonline", "expired", "missed",
                    "blockheight", "estimatednetworkproportion"]
        let positions = keys.map { text.range(of: "\"\($0)\":")?.lowerBound }
        XCTAssertFalse(positions.contains(nil), text)
        XCTAssertEqual(positions.compactMap { $0 }, positions.compactMap { $0 }.sorted(), "keys in the spec's order")
        XCTAssertTrue(text.hasPrefix(#"{"apiversions":[3],"timestamp":1800000000,"pubkey":"11qYAYKxCrfVS/7TyWQHOg7hcvPapiMlrwIaaPcHURo=","feepercentage":3,"vspclosed":false,"vspclosedmsg":"","network":"simnet""#), text)
        XCTAssertTrue(text.hasSuffix(#""totalvotingwallets":1,"votingwalletsonline":1,"expired":0,"missed":0,"blockheight":200,"estimatednetworkproportion":0}"#), text)
        let json = try XCTUnwrap(JSONSerialization.jsonObject(with: Data(first.body)) as? [String: Any])
        let pubkey = try XCTUnwrap(Data(base64Encoded: try XCTUnwrap(json["pubkey"] as? String)))
        XCTAssertTrue(Ed25519.isValid(signature: Array(try XCTUnwrap(Data(base64Encoded: first.signature ?? ""))),
                                      message: first.body, publicKey: Array(pubkey)))
        h.clock.withLock { $0 += 0.5 }
        let again = await h.service.vspInfo()
        XCTAssertEqual(again, first, "the same second: the signed answer is reused")
        h.clock.withLock { $0 += 1 }
        let later = await h.service.vspInfo()
        XCTAssertTrue(error(later).contains(#""timestamp":1800000001,"#))
    }

    /// What a front may answer on its I/O thread without waiting: only an answer already signed for this second
    /// whose figures are still fresh.
    func testCachedVspInfo_onlyTheAnswerSignedThisSecondWithFreshFigures() async throws {
        let h = try await harness()
        XCTAssertNil(h.service.cachedVspInfo(), "nothing signed yet: the figures must be read first")
        let first = await h.service.vspInfo()
        XCTAssertEqual(h.service.cachedVspInfo(), first)
        h.clock.withLock { $0 += 0.5 }  // .75
        XCTAssertEqual(h.service.cachedVspInfo(), first, "the same second")
        h.clock.withLock { $0 += 0.3 }  // the next second
        XCTAssertNil(h.service.cachedVspInfo(), "a new second needs a new timestamp and signature")
        let next = await h.service.vspInfo()
        XCTAssertNotEqual(next, first)
        XCTAssertEqual(h.service.cachedVspInfo(), next)
        // Figures read at .25 are fresh for 60 s: signed again at 60.1, handed out until 60.25, not after, even
        // though the second the answer names lasts until 61.
        h.clock.withLock { $0 = 1_800_000_060.1 }
        let lastFresh = await h.service.vspInfo()
        XCTAssertEqual(h.service.cachedVspInfo(), lastFresh)
        h.clock.withLock { $0 = 1_800_000_060.5 }
        XCTAssertNil(h.service.cachedVspInfo(), "stale figures: the caller must go through vspInfo()")
    }

    func testVspInfo_failingNodeBeforeFirstFill_isPlainCacheNotInitialized() async throws {
        let h = try await harness()
        h.node.state.withLock { $0.failure = WalletError(.walletUnreachable, "down") }
        let reply = await h.service.vspInfo()
        XCTAssertEqual(reply.status, 500)
        XCTAssertEqual(error(reply), "Cache is not initialized")
        XCTAssertNil(reply.signature)
        XCTAssertFalse(reply.isJSON)
    }

    func testVspInfo_closedReportsItsMessage() async throws {
        let h = try await harness(closed: true)
        let awaited1 = await h.service.vspInfo()
        XCTAssertTrue(error(awaited1).contains(#""vspclosed":true,"vspclosedmsg":"closed for maintenance""#))
    }

    func testVspInfo_countsConfirmedTicketsByOutcome_refreshedAfterSixtySeconds() async throws {
        let h = try await harness()
        h.node.state.withLock { $0.poolSize = 64 }
        _ = await h.service.vspInfo()  // fills the figures: no tickets yet
        let outcomes: [(VspFeeTxStatus, VspTicketOutcome)] = [(.confirmed, .none), (.confirmed, .none), (.confirmed, .voted),
                                                              (.confirmed, .expired), (.confirmed, .revoked), (.confirmed, .missed),
                                                              (.broadcast, .none), (.received, .none)]
        for (index, (status, outcome)) in outcomes.enumerated() {
            let ticket = VspTicket(hash: String(format: "%064x", index + 1), commitmentAddress: "Ss", feeAddressXPubID: 1,
                                   feeAddressIndex: UInt32(index + 1), feeAddress: "Ss", feeAmount: 1, feeExpiration: 1,
                                   feeTxStatus: status, outcome: outcome)
            try await h.storage.write { try $0.insertVspTicket(ticket) }
        }
        h.clock.withLock { $0 += 59 }
        let reused = await h.service.vspInfo()
        XCTAssertTrue(error(reused).contains(#""voting":0,"voted":0,"#), "figures are reused for 60 s")
        h.clock.withLock { $0 += 1 }
        let refreshed = await h.service.vspInfo()
        let text = error(refreshed)
        // voting 2 (confirmed, no outcome); expired counts legacy revoked; 2 / 64 = 0.03125.
        XCTAssertTrue(text.contains(#""voting":2,"voted":1,"totalvotingwallets":1,"votingwalletsonline":1,"expired":2,"missed":1,"blockheight":200,"estimatednetworkproportion":0.03125}"#), text)
    }

    // MARK: - feeaddress (§4.2, §5.3, §6)

    func testFeeAddress_immatureTicketRelayedAndQuoted_feeAndAddressAsComputedIndependently() async throws {
        let h = try await harness()
        let fixture = try VspTicketFixture(seed: 2)
        let json = try await h.quote(fixture)
        // broadcast-ticket relayed the unknown parent, then the ticket (§4.2 steps 7, 8).
        XCTAssertEqual(h.node.state.value.sent, [fixture.parentHex, fixture.ticketHex])
        XCTAssertEqual((json["feeamount"] as? NSNumber)?.int64Value, expectedFee)
        XCTAssertEqual((json["expiration"] as? NSNumber)?.int64Value, 1_800_000_000 + 3600)
        XCTAssertEqual((json["timestamp"] as? NSNumber)?.int64Value, 1_800_000_000)
        XCTAssertEqual(json["request"] as? String, Data(h.feeAddressBody(fixture).utf8).base64EncodedString())
        // Index 1 of the vector xpub's external branch (hdkeychain.json child 1).
        let derived = try XCTUnwrap(try ChainVectors.file("hdkeychain")["extractor_derived"] as? [[String: Any]])
        let children = try XCTUnwrap(derived.first { $0["network"] as? String == "simnet" }?["children"] as? [[String: Any]])
        let child1 = try Hex.decode(try XCTUnwrap(children[1]["public_key_hex"] as? String))
        XCTAssertEqual(json["feeaddress"] as? String,
                       try Address(kind: .pubKeyHash, payload: Hash160.hash(child1), network: .simnet).encoded)
        let stored = try await h.storage.read { try $0.vspTicket(hash: fixture.ticketHash) }
        XCTAssertEqual(stored?.confirmed, false)
        XCTAssertEqual(stored?.commitmentAddress, try fixture.commitmentAddress)
        // Asking again within the hour returns the same quote.
        h.clock.withLock { $0 += 100 }
        let again = try await h.quote(fixture)
        XCTAssertEqual(again["feeaddress"] as? String, json["feeaddress"] as? String)
        XCTAssertEqual((again["expiration"] as? NSNumber)?.int64Value, 1_800_003_600)
    }

    /// broadcast-ticket's lookup of a ticket dcrd already has is the one authentication uses: dcrd is asked for it
    /// once per feeaddress, not twice. A ticket it did not have is sent, then fetched for its commitment address.
    func testFeeAddress_knownTicketFetchedOnce_sentTicketFetchedAfterSending() async throws {
        let h = try await harness()
        let calls = LockedValue<[String]>([])
        h.node.state.withLock { state in
            state.beforeCall = { method, argument in calls.withLock { $0.append("\(method) \(argument)") } }
        }
        let known = try VspTicketFixture(seed: 30)
        h.node.add(known.parentHex, txid: known.parent.txid, confirmations: 3)
        h.node.add(known.ticketHex, txid: known.ticketHash, confirmations: 2)
        _ = try await h.quote(known)
        XCTAssertEqual(calls.value, ["getrawtransaction \(known.parent.txid)", "getrawtransaction \(known.ticketHash)"])

        calls.withLock { $0 = [] }
        let sent = try VspTicketFixture(seed: 31)
        h.node.add(sent.parentHex, txid: sent.parent.txid, confirmations: 3)
        _ = try await h.quote(sent)
        XCTAssertEqual(calls.value, ["getrawtransaction \(sent.parent.txid)", "getrawtransaction \(sent.ticketHash)",
                                     "sendrawtransaction \(sent.ticketHex)", "getrawtransaction \(sent.ticketHash)"])
        let stored = try await h.storage.read { try $0.vspTicket(hash: sent.ticketHash) }
        XCTAssertEqual(stored?.commitmentAddress, try sent.commitmentAddress)
    }

    func testFeeAddress_expiredQuoteRefreshedKeepsAddress() async throws {
        let h = try await harness()
        let fixture = try VspTicketFixture(seed: 3)
        let first = try await h.quote(fixture)
        h.clock.withLock { $0 = 1_800_003_600.5 }  // just past the expiration (sub-second comparison)
        let second = try await h.quote(fixture)
        XCTAssertEqual(second["feeaddress"] as? String, first["feeaddress"] as? String)
        XCTAssertEqual((second["expiration"] as? NSNumber)?.int64Value, 1_800_003_600 + 3600)
    }

    func testFeeAddress_checksInSpecOrder() async throws {
        let h = try await harness()
        let fixture = try VspTicketFixture(seed: 4)
        let other = try VspTicketFixture(seed: 5)
        func expect(_ json: String, _ body: String, status: Int = 400) async throws {
            let (reply, _) = try await h.post(.feeAddress, json, as: fixture)
            XCTAssertEqual(error(reply), body, json)
            XCTAssertEqual(reply.status, status)
        }
        try await expect(#"{"timestamp":1,"tickethash":"\#(fixture.ticketHash)","parenthex":"00"}"#,
                         #"{"code":0,"message":"Key: 'TicketHex' Error:Field validation for 'TicketHex' failed on the 'required' tag"}"#)
        try await expect(#"{"timestamp":1,"tickethash":"\#(fixture.ticketHash)","tickethex":"zz","parenthex":"00"}"#,
                         #"{"code":0,"message":"cannot decode ticket hex"}"#)
        try await expect(#"{"timestamp":1,"tickethash":"\#(fixture.ticketHash)","tickethex":"\#(fixture.parentHex)","parenthex":"00"}"#,
                         #"{"code":13,"message":"not a valid ticket tx"}"#)
        try await expect(#"{"timestamp":1,"tickethash":"\#(other.ticketHash)","tickethex":"\#(fixture.ticketHex)","parenthex":"00"}"#,
                         #"{"code":0,"message":"ticket hex does not match hash"}"#)
        try await expect(#"{"timestamp":1,"tickethash":"\#(fixture.ticketHash)","tickethex":"\#(fixture.ticketHex)","parenthex":"00"}"#,
                         #"{"code":0,"message":"cannot decode parent hex"}"#)
        try await expect(#"{"timestamp":1,"tickethash":"\#(fixture.ticketHash)","tickethex":"\#(fixture.ticketHex)","parenthex":"\#(other.parentHex)"}"#,
                         #"{"code":0,"message":"invalid ticket parent"}"#)
        // Relayed, authenticated, then FeeAddressRequest's own binding: timestamp 0 is "missing".
        try await expect(#"{"timestamp":0,"tickethash":"\#(fixture.ticketHash)","tickethex":"\#(fixture.ticketHex)","parenthex":"\#(fixture.parentHex)"}"#,
                         #"{"code":0,"message":"Key: 'FeeAddressRequest.Timestamp' Error:Field validation for 'Timestamp' failed on the 'required' tag"}"#)
    }

    func testFeeAddress_ticketTooOldToVote_E7_andAlreadyPaid_E3() async throws {
        let h = try await harness()
        let old = try VspTicketFixture(seed: 6)
        h.node.add(old.parentHex, txid: old.parent.txid, confirmations: 500)
        h.node.add(old.ticketHex, txid: old.ticketHash, confirmations: 16 + 384 + 2)  // beyond maturity + expiry + 1
        var (reply, _) = try await h.post(.feeAddress, h.feeAddressBody(old), as: old)
        XCTAssertEqual(error(reply), #"{"code":7,"message":"ticket not eligible to vote"}"#)
        let live = try VspTicketFixture(seed: 7)
        h.node.add(live.ticketHex, txid: live.ticketHash, confirmations: 20)  // mature: dcrd's live set decides
        (reply, _) = try await h.post(.feeAddress, h.feeAddressBody(live), as: live)
        XCTAssertEqual(error(reply), #"{"code":7,"message":"ticket not eligible to vote"}"#)
        h.node.state.withLock { _ = $0.liveTickets.insert(live.ticketHash) }
        let quote = try await h.quote(live)
        let awaited2 = try await h.storage.read { try $0.vspTicket(hash: live.ticketHash) }
        XCTAssertEqual(awaited2?.confirmed, true)
        let awaited3 = try await h.pay(live, quote: quote).0.status
        XCTAssertEqual(awaited3, 200)
        (reply, _) = try await h.post(.feeAddress, h.feeAddressBody(live), as: live)
        XCTAssertEqual(error(reply), #"{"code":3,"message":"fee tx already received for ticket"}"#)
    }

    func testFeeAddress_parallelFirstRequests_registerOneTicketWithOneAddress() async throws {
        let h = try await harness()
        let fixture = try VspTicketFixture(seed: 8)
        let replies = await withTaskGroup(of: VspReply.self) { group in
            for _ in 0..<2 {
                group.addTask { await h.service.handle(.feeAddress, body: Array(h.feeAddressBody(fixture).utf8),
                                                       signature: try? fixture.sign(Array(h.feeAddressBody(fixture).utf8))) }
            }
            return await group.reduce(into: []) { $0.append($1) }
        }
        let awaited4 = try await h.storage.read { try $0.vspTicket(hash: fixture.ticketHash) }
        let stored = try XCTUnwrap(awaited4)
        let successes = replies.filter { $0.status == 200 }
        XCTAssertGreaterThanOrEqual(successes.count, 1)
        for reply in successes {
            let json = try XCTUnwrap(JSONSerialization.jsonObject(with: Data(reply.body)) as? [String: Any])
            XCTAssertEqual(json["feeaddress"] as? String, stored.feeAddress, "every success names the registered address")
        }
        for reply in replies where reply.status != 200 {
            XCTAssertEqual(error(reply), #"{"code":1,"message":"internal error"}"#)
        }
    }

    func testFeeAddress_orphanParentRetried7TimesInASlot_thenE14() async throws {
        let h = try await harness()
        let fixture = try VspTicketFixture(seed: 9)
        let orphan = WalletError.rpc(code: -22, message: "orphan transaction \(fixture.parent.txid) references output abc:0 of unknown or fully-spent transaction")
        h.node.state.withLock { $0.rejections[fixture.parentHex] = orphan }
        let (reply, _) = try await h.post(.feeAddress, h.feeAddressBody(fixture), as: fixture)
        XCTAssertEqual(reply.status, 500)
        XCTAssertEqual(error(reply), #"{"code":14,"message":"ticket transaction could not be broadcast"}"#)
        XCTAssertEqual(h.sleeps.value, 7)
        XCTAssertEqual(h.node.state.value.sent.count, 8, "one send and seven retries")
        // Another rejection is not retried.
        let other = try VspTicketFixture(seed: 10)
        h.node.state.withLock { $0.rejections[other.parentHex] = WalletError.rpc(code: -26, message: "rejected") }
        let awaited5 = try await h.post(.feeAddress, h.feeAddressBody(other), as: other).0.status
        XCTAssertEqual(awaited5, 500)
        XCTAssertEqual(h.sleeps.value, 7)
    }

    func testFeeAddress_orphanParents_atMost16InSlots_the17thRefusedAtOnce() async throws {
        let h = try await harness()
        // The sleeper parks each retry until the test opens the gate: 16 requests hold the 16 slots.
        let parked = LockedValue<[CheckedContinuation<Void, Never>]>([])
        let open = LockedValue(false)
        let service = VspService(configuration: h.service.configuration, storage: h.storage, node: h.node, wallets: [h.wallet],
                                 signer: h.service.signer, clock: { [clock = h.clock] in clock.value },
                                 sleep: { _ in
                                     await withCheckedContinuation { continuation in
                                         let parkedNow = open.withLock { isOpen in
                                             isOpen ? false : parked.withLock { $0.append(continuation); return true }
                                         }
                                         if !parkedNow { continuation.resume() }
                                     }
                                 },
                                 logger: LogBackend(level: .critical, sinks: []).logger("VSPD"))
        var fixtures: [VspTicketFixture] = []
        for seed in 100..<117 {
            let fixture = try VspTicketFixture(seed: UInt16(seed))
            h.node.state.withLock { $0.rejections[fixture.parentHex] = WalletError.rpc(code: -22, message: "orphan transaction x references output y:0 of unknown or fully-spent transaction") }
            fixtures.append(fixture)
        }
        var holders: [Task<VspReply, Never>] = []
        for fixture in fixtures.prefix(16) {
            let body = Array(h.feeAddressBody(fixture).utf8)
            let signature = try fixture.sign(body)
            holders.append(Task { await service.handle(.feeAddress, body: body, signature: signature) })
        }
        for _ in 0..<2_000 where parked.value.count < 16 { try await Task.sleep(for: .milliseconds(5)) }
        XCTAssertEqual(parked.value.count, 16, "16 requests wait in the 16 slots")
        let last = try XCTUnwrap(fixtures.last)
        let body = Array(h.feeAddressBody(last).utf8)
        let refused = await service.handle(.feeAddress, body: body, signature: try last.sign(body))
        XCTAssertEqual(String(decoding: refused.body, as: UTF8.self), #"{"code":14,"message":"ticket transaction could not be broadcast"}"#)
        XCTAssertEqual(h.node.state.value.sent.filter { $0 == last.parentHex }.count, 1, "no slot: not retried")
        let waiting = open.withLock { $0 = true; return parked.withLock { list in defer { list = [] }; return list } }
        waiting.forEach { $0.resume() }
        for holder in holders { _ = await holder.value }
    }

    // MARK: - auth (§2, §4.3)

    func testAuth_missingAndBadSignatures() async throws {
        let h = try await harness()
        let fixture = try VspTicketFixture(seed: 11)
        _ = try await h.quote(fixture)
        let body = #"{"tickethash":"\#(fixture.ticketHash)"}"#
        var (reply, _) = try await h.post(.ticketStatus, body, as: fixture, signature: "")
        XCTAssertEqual(error(reply), #"{"code":0,"message":"no VSP-Client-Signature header"}"#)
        (reply, _) = try await h.post(.ticketStatus, body, as: fixture, key: VspTicketFixture.privateKey(77))
        XCTAssertEqual(error(reply), #"{"code":10,"message":"bad request signature"}"#)
        let signedOther = try fixture.sign(Array((body + " ").utf8))
        (reply, _) = try await h.post(.ticketStatus, body, as: fixture, signature: signedOther)
        XCTAssertEqual(error(reply), #"{"code":10,"message":"bad request signature"}"#)
        (reply, _) = try await h.post(.ticketStatus, body, as: fixture, signature: "not base64!")
        XCTAssertEqual(error(reply), #"{"code":10,"message":"bad request signature"}"#)
        (reply, _) = try await h.post(.ticketStatus, #"{"tickethash":"\#(fixture.ticketHash.uppercased())x"}"#, as: fixture)
        XCTAssertEqual(error(reply), #"{"code":0,"message":"invalid ticket hash"}"#)
        let unknown = try VspTicketFixture(seed: 12)
        (reply, _) = try await h.post(.ticketStatus, #"{"tickethash":"\#(unknown.ticketHash)"}"#, as: unknown)
        XCTAssertEqual(error(reply), #"{"code":1,"message":"internal error"}"#, "unknown to the database and to dcrd")
        (reply, _) = try await h.post(.ticketStatus, body, as: fixture)
        XCTAssertEqual(reply.status, 200)
    }

    func testSetAltSignAddr_thenAlternateKeySigns_onlyOnce() async throws {
        let h = try await harness()
        let fixture = try VspTicketFixture(seed: 13)
        let altKey = VspTicketFixture.privateKey(555)
        let altAddress = try Address.pubKeyHash(publicKey: WIF(privateKey: altKey, network: .simnet).publicKey(), network: .simnet).encoded
        let body = #"{"timestamp":5,"tickethash":"\#(fixture.ticketHash)","tickethex":"\#(fixture.ticketHex)","parenthex":"\#(fixture.parentHex)","altsignaddress":"\#(altAddress)"}"#
        var (reply, _) = try await h.post(.setAltSignAddr, body, as: fixture, key: altKey)
        XCTAssertEqual(error(reply), #"{"code":10,"message":"bad request signature"}"#, "the alternate is not registered yet")
        (reply, _) = try await h.post(.setAltSignAddr, body, as: fixture)
        XCTAssertEqual(reply.status, 200, error(reply))
        (reply, _) = try await h.post(.setAltSignAddr, body, as: fixture)
        XCTAssertEqual(error(reply), #"{"code":0,"message":"alternate sign address data already exists"}"#)
        // The ticket was not registered: feeaddress now, signed by the alternate key.
        (reply, _) = try await h.post(.feeAddress, h.feeAddressBody(fixture), as: fixture, key: altKey)
        XCTAssertEqual(reply.status, 200, error(reply))
        let (status, json) = try await h.post(.ticketStatus, #"{"tickethash":"\#(fixture.ticketHash)"}"#, as: fixture, key: altKey)
        XCTAssertEqual(status.status, 200)
        XCTAssertEqual(json["altsignaddress"] as? String, altAddress)
        let scriptHash = try Address.scriptHash(script: [0x51], network: .simnet).encoded
        let second = try VspTicketFixture(seed: 14)
        (reply, _) = try await h.post(.setAltSignAddr, body.replacingOccurrences(of: fixture.ticketHash, with: second.ticketHash)
            .replacingOccurrences(of: fixture.ticketHex, with: second.ticketHex).replacingOccurrences(of: fixture.parentHex, with: second.parentHex)
            .replacingOccurrences(of: altAddress, with: scriptHash), as: second)
        XCTAssertEqual(error(reply), #"{"code":0,"message":"wrong type for alternate signing address"}"#)
    }

    // MARK: - payfee (§5.4)

    func testPayFee_refusalsInSpecOrder() async throws {
        let h = try await harness()
        let fixture = try VspTicketFixture(seed: 15)
        // Known to dcrd, never quoted: E(6) before the binding.
        h.node.add(fixture.ticketHex, txid: fixture.ticketHash, confirmations: 2)
        var (reply, _) = try await h.post(.payFee, #"{"tickethash":"\#(fixture.ticketHash)"}"#, as: fixture)
        XCTAssertEqual(error(reply), #"{"code":6,"message":"unknown ticket"}"#)
        let quote = try await h.quote(fixture)
        let address = quote["feeaddress"] as! String
        (reply, _) = try await h.post(.payFee, #"{"timestamp":1,"tickethash":"\#(fixture.ticketHash)","feetx":"00","votingkey":"x","tspendpolicy":{"a":"1","b":"2","c":"3","d":"4"}}"#, as: fixture)
        XCTAssertEqual(error(reply), #"{"code":0,"message":"Key: 'PayFeeRequest.VoteChoices' Error:Field validation for 'VoteChoices' failed on the 'required' tag\nKey: 'PayFeeRequest.TSpendPolicy' Error:Field validation for 'TSpendPolicy' failed on the 'max' tag"}"#)
        let goodTx = try fixture.feeTransaction(paying: address, amount: expectedFee)
        (reply, _) = try await h.post(.payFee, try h.payFeeBody(fixture, feeTx: goodTx, wif: "PsNotAKey"), as: fixture)
        XCTAssertEqual(error(reply), #"{"code":11,"message":"invalid private key"}"#)
        (reply, _) = try await h.post(.payFee, try h.payFeeBody(fixture, feeTx: "0100"), as: fixture)
        XCTAssertEqual(error(reply), #"{"code":4,"message":"invalid fee tx"}"#)
        let elsewhere = try Address.pubKeyHash(publicKey: WIF(privateKey: VspTicketFixture.privateKey(9), network: .simnet).publicKey(), network: .simnet).encoded
        (reply, _) = try await h.post(.payFee, try h.payFeeBody(fixture, feeTx: try fixture.feeTransaction(paying: elsewhere, amount: expectedFee * 2)), as: fixture)
        XCTAssertEqual(error(reply), #"{"code":4,"message":"feetx did not include any payments for fee address \#(address)"}"#)
        (reply, _) = try await h.pay(fixture, quote: quote, amount: expectedFee - 1)
        XCTAssertEqual(error(reply), #"{"code":5,"message":"fee too small"}"#)
        let otherKey = try WIF(privateKey: VspTicketFixture.privateKey(31), network: .simnet).encoded
        (reply, _) = try await h.post(.payFee, try h.payFeeBody(fixture, feeTx: goodTx, wif: otherKey), as: fixture)
        XCTAssertEqual(error(reply), #"{"code":11,"message":"voting address does not match provided private key"}"#)
        let awaited6 = try await h.storage.read { try $0.vspTicket(hash: fixture.ticketHash) }
        XCTAssertEqual(awaited6?.feeTxStatus, VspFeeTxStatus.none,
                       "nothing written by a refused payment")
        h.clock.withLock { $0 = 1_800_003_600.5 }
        (reply, _) = try await h.pay(fixture, quote: quote)
        XCTAssertEqual(error(reply), #"{"code":8,"message":"fee has expired"}"#)
    }

    /// vspd's dcrd middleware runs before payfee's handler: with the node unreachable a quoted ticket's payfee is
    /// E(1) even where a later check (bind, fee status) would have refused it otherwise; a bad signature still wins
    /// (auth needs no dcrd for a ticket in the database).
    func testPayFee_nodeUnreachable_isE1BeforeTheBindAndStatusChecks() async throws {
        let h = try await harness()
        let fixture = try VspTicketFixture(seed: 16)
        _ = try await h.quote(fixture)
        h.node.state.withLock { $0.failure = WalletError(.walletUnreachable, "dcrd down") }
        var (reply, _) = try await h.post(.payFee, #"{"tickethash":"\#(fixture.ticketHash)"}"#, as: fixture)
        XCTAssertEqual(error(reply), #"{"code":1,"message":"internal error"}"#, "not the bind failure E(0)")
        let stranger = try VspTicketFixture(seed: 17)
        (reply, _) = try await h.post(.payFee, #"{"tickethash":"\#(fixture.ticketHash)"}"#, as: stranger)
        XCTAssertEqual(error(reply), #"{"code":10,"message":"bad request signature"}"#)
        // A node that answers but fails one call is not "unavailable": the checks before that call run as before.
        h.node.state.withLock { $0.failure = WalletError.rpc(code: -32603, message: "internal") }
        (reply, _) = try await h.post(.payFee, #"{"tickethash":"\#(fixture.ticketHash)"}"#, as: fixture)
        XCTAssertEqual(error(reply).prefix(10), #"{"code":0,"#)
    }

    func testPayFee_acceptedThenE3_invalidChoicesDroppedNotFatal_recordKept() async throws {
        let h = try await harness()
        let fixture = try VspTicketFixture(seed: 16)
        let quote = try await h.quote(fixture)
        let feeTx = try fixture.feeTransaction(paying: quote["feeaddress"] as! String, amount: expectedFee)
        let body = try h.payFeeBody(fixture, feeTx: feeTx, choices: #"{"headercommitments":"yes"}"#)
        let writesBefore = h.storage.writeTransactions
        var (reply, _) = try await h.post(.payFee, body, as: fixture)
        XCTAssertEqual(reply.status, 200, error(reply))
        XCTAssertEqual(h.storage.writeTransactions - writesBefore, 1,
                       "an unconfirmed ticket's fee, preferences and vote-change record are one transaction")
        let awaited7 = try await h.storage.read { try $0.vspTicket(hash: fixture.ticketHash) }
        let stored = try XCTUnwrap(awaited7)
        XCTAssertEqual(stored.feeTxStatus, .received)
        XCTAssertEqual(stored.voteChoices, [:], "an agenda of an older vote version is dropped, not fatal")
        XCTAssertEqual(stored.votingWIF, try fixture.votingWIF)
        XCTAssertEqual(stored.feeTxHash, try DecredTransaction(hex: feeTx).txid)
        XCTAssertEqual(h.node.state.value.sent.count, 2, "an unconfirmed ticket's fee waits for the block handler")
        let changes = try await h.storage.read { try $0.vspVoteChanges(ticketHash: fixture.ticketHash) }
        XCTAssertEqual(changes.map(\.request), [Data(body.utf8)])
        XCTAssertEqual(changes.first?.response, Data(reply.body))
        (reply, _) = try await h.post(.payFee, body, as: fixture)
        XCTAssertEqual(error(reply), #"{"code":3,"message":"fee tx already received for ticket"}"#)
    }

    func testPayFee_confirmedTicket_broadcastAtOnce_orE16WithStatusError() async throws {
        let h = try await harness()
        let fixture = try VspTicketFixture(seed: 17)
        h.node.add(fixture.ticketHex, txid: fixture.ticketHash, confirmations: 8)
        let quote = try await h.quote(fixture)
        var (reply, _) = try await h.pay(fixture, quote: quote)
        XCTAssertEqual(reply.status, 200)
        let awaited8 = try await h.storage.read { try $0.vspTicket(hash: fixture.ticketHash) }
        XCTAssertEqual(awaited8?.feeTxStatus, .broadcast)

        let orphaned = try VspTicketFixture(seed: 18)
        h.node.add(orphaned.ticketHex, txid: orphaned.ticketHash, confirmations: 8)
        let quote2 = try await h.quote(orphaned)
        let feeTx = try orphaned.feeTransaction(paying: quote2["feeaddress"] as! String, amount: expectedFee)
        h.node.state.withLock { $0.rejections[feeTx] = WalletError.rpc(code: -22, message: "orphan transaction aa references output bb:1 of unknown or fully-spent transaction") }
        (reply, _) = try await h.post(.payFee, try h.payFeeBody(orphaned, feeTx: feeTx), as: orphaned)
        XCTAssertEqual(reply.status, 428)
        XCTAssertEqual(error(reply), #"{"code":16,"message":"fee transaction could not be broadcast due to unknown outputs"}"#)
        let awaited9 = try await h.storage.read { try $0.vspTicket(hash: orphaned.ticketHash) }
        XCTAssertEqual(awaited9?.feeTxStatus, .error)
    }

    /// §5.4 step 8 (vspd assigns each valid map as the request carries it): a payfee resubmitted after a failed
    /// broadcast without `tspendpolicy` / `treasurypolicy` leaves them `{}`, not what the first payfee stored;
    /// an invalid map still keeps the stored one.
    func testPayFee_resubmittedWithoutPolicies_storesThemEmpty_invalidOneKeepsTheStored() async throws {
        let h = try await harness()
        let fixture = try VspTicketFixture(seed: 22)
        h.node.add(fixture.ticketHex, txid: fixture.ticketHash, confirmations: 8)
        let quote = try await h.quote(fixture)
        let feeTx = try fixture.feeTransaction(paying: quote["feeaddress"] as! String, amount: expectedFee)
        let (tspend, key) = (String(repeating: "cd", count: 32), "03" + String(repeating: "ef", count: 32))
        let start = #"{"timestamp":1700000001,"tickethash":"\#(fixture.ticketHash)","feetx":"\#(feeTx)","votingkey":"\#(try fixture.votingWIF)","votechoices":{"maxtreasuryspend":"no"}"#
        h.node.state.withLock { $0.rejections[feeTx] = WalletError.rpc(code: -26, message: "insufficient priority") }
        var (reply, _) = try await h.post(.payFee, start + #","tspendpolicy":{"\#(tspend)":"yes"},"treasurypolicy":{"\#(key)":"no"}}"#, as: fixture)
        XCTAssertEqual(error(reply), #"{"code":15,"message":"fee transaction could not be broadcast"}"#)
        var stored = try await h.storage.read { try $0.vspTicket(hash: fixture.ticketHash) }
        XCTAssertEqual(stored?.feeTxStatus, .error)
        XCTAssertEqual(stored?.tSpendPolicy, [tspend: "yes"])

        h.node.state.withLock { $0.rejections = [:] }
        (reply, _) = try await h.post(.payFee, start.replacingOccurrences(of: "\"no\"", with: "\"yes\"")
                                      + #","treasurypolicy":{"\#(key)":"maybe"}}"#, as: fixture)
        XCTAssertEqual(reply.status, 200, error(reply))
        stored = try await h.storage.read { try $0.vspTicket(hash: fixture.ticketHash) }
        XCTAssertEqual(stored?.feeTxStatus, .broadcast)
        XCTAssertEqual(stored?.voteChoices, ["maxtreasuryspend": "yes"])
        XCTAssertEqual(stored?.tSpendPolicy, [:], "absent: replaced by the empty map")
        XCTAssertEqual(stored?.treasuryPolicy, [key: "no"], "invalid: the stored map is kept")
        let (status, _) = try await h.post(.ticketStatus, #"{"tickethash":"\#(fixture.ticketHash)"}"#, as: fixture)
        XCTAssertTrue(error(status).contains(#""votechoices":{"maxtreasuryspend":"yes"},"tspendpolicy":{},"treasurypolicy":{"\#(key)":"no"}"#),
                      error(status))
    }

    // MARK: - setvotechoices (§5.6, §9) and ticketstatus (§5.5)

    func testSetVoteChoices_replayRule_validation_merge_andWalletCalls() async throws {
        let h = try await harness()
        let fixture = try VspTicketFixture(seed: 19)
        _ = try await h.quote(fixture)
        func set(_ timestamp: Int, _ choices: String, treasury: String = "{}") async throws -> VspReply {
            try await h.post(.setVoteChoices, #"{"timestamp":\#(timestamp),"tickethash":"\#(fixture.ticketHash)","votechoices":\#(choices),"tspendpolicy":{},"treasurypolicy":\#(treasury)}"#, as: fixture).0
        }
        let awaited10 = try await set(10, "{}")
        XCTAssertEqual(error(awaited10), #"{"code":12,"message":"no fee tx received for ticket"}"#)
        let quote = try await h.quote(fixture)
        let awaited11 = try await h.pay(fixture, quote: quote).0.status
        XCTAssertEqual(awaited11, 200)  // payfee's record: timestamp 1,700,000,001
        let awaited12 = try await set(1_700_000_001, "{}")
        XCTAssertEqual(error(awaited12), #"{"code":17,"message":"old or reused timestamp"}"#)
        let awaited13 = try await set(1_700_000_002, #"{"maxtreasuryspend":"maybe"}"#)
        XCTAssertEqual(error(awaited13),
                       #"{"code":9,"message":"choice \"maybe\" not found for agenda \"maxtreasuryspend\""}"#)
        let awaited14 = try await set(1_700_000_002, #"{"headercommitments":"yes"}"#)
        XCTAssertEqual(error(awaited14),
                       #"{"code":9,"message":"agenda \"headercommitments\" not found for vote version 12"}"#)
        let awaited15 = try await set(1_700_000_002, "{}", treasury: #"{"02ab":"yes"}"#)
        XCTAssertEqual(error(awaited15),
                       #"{"code":9,"message":"treasury key \"02ab\" is not 33 bytes"}"#)
        let awaited16 = try await set(1_700_000_002, #"{"maxtreasuryspend":"no"}"#)
        XCTAssertEqual(awaited16.status, 200)
        let awaited17 = try await set(1_700_000_002, #"{"maxtreasuryspend":"yes"}"#)
        XCTAssertEqual(error(awaited17), #"{"code":17,"message":"old or reused timestamp"}"#)
        let key = "02" + String(repeating: "ab", count: 32)
        let awaited18 = try await set(1_700_000_003, "{}", treasury: #"{"\#(key)":"yes"}"#)
        XCTAssertEqual(awaited18.status, 200)
        let awaited19 = try await h.storage.read { try $0.vspTicket(hash: fixture.ticketHash) }
        let stored = try XCTUnwrap(awaited19)
        XCTAssertEqual(stored.voteChoices, ["maxtreasuryspend": "no"], "merged, never deleted")
        XCTAssertEqual(stored.treasuryPolicy, [key: "yes"])
        XCTAssertTrue(h.wallet.state.value.voteChoices.isEmpty, "the fee is not confirmed: the wallets learn later")

        // Fee confirmed (the block handler's step): every stored entry goes to every online wallet.
        var fee = stored.fee
        fee.feeTxStatus = .confirmed
        _ = try await h.storage.write { [fee] in try $0.updateVspFee(ticketHash: fixture.ticketHash, fee, ifStatusIn: [.received]) }
        let awaited20 = try await set(1_700_000_004, "{}")
        XCTAssertEqual(awaited20.status, 200)
        XCTAssertEqual(h.wallet.state.value.voteChoices[fixture.ticketHash], ["maxtreasuryspend": "no"])
        XCTAssertEqual(h.wallet.state.value.treasuryPolicies[fixture.ticketHash], [key: "yes"])

        h.wallet.state.withLock { $0.failure = WalletError(.walletUnreachable, "down") }
        let awaited21 = try await set(1_700_000_005, "{}")
        XCTAssertEqual(error(awaited21), #"{"code":1,"message":"internal error"}"#)
    }

    func testTicketStatus_reportsTheStoredTicket() async throws {
        let h = try await harness()
        let fixture = try VspTicketFixture(seed: 20)
        let quote = try await h.quote(fixture)
        _ = try await h.pay(fixture, quote: quote)
        let body = #"{"tickethash":"\#(fixture.ticketHash)"}"#
        let (reply, _) = try await h.post(.ticketStatus, body, as: fixture)
        let awaited22 = try await h.storage.read { try $0.vspTicket(hash: fixture.ticketHash) }
        let feeTxHash = try XCTUnwrap(awaited22?.feeTxHash)
        XCTAssertEqual(error(reply), #"{"timestamp":1800000000,"ticketconfirmed":false,"feetxstatus":"received","feetxhash":"\#(feeTxHash)","altsignaddress":"","votechoices":{"maxtreasuryspend":"yes"},"tspendpolicy":{},"treasurypolicy":{},"request":"\#(Data(body.utf8).base64EncodedString())"}"#)
    }

    func testClosedVsp_refusesNewBusiness_E2_butStatusWorks() async throws {
        let h = try await harness(closed: true)
        let fixture = try VspTicketFixture(seed: 21)
        for endpoint in [VspEndpoint.feeAddress, .payFee, .setAltSignAddr] {
            let (reply, _) = try await h.post(endpoint, h.feeAddressBody(fixture), as: fixture)
            XCTAssertEqual(error(reply), #"{"code":2,"message":"vsp is closed"}"#, endpoint.rawValue)
        }
        XCTAssertTrue(h.node.state.value.sent.isEmpty, "closed is checked before the ticket is relayed")
        h.node.add(fixture.ticketHex, txid: fixture.ticketHash, confirmations: 1)
        let (reply, _) = try await h.post(.ticketStatus, #"{"tickethash":"\#(fixture.ticketHash)"}"#, as: fixture)
        XCTAssertEqual(error(reply), #"{"code":6,"message":"unknown ticket"}"#, "ticketstatus still runs while closed")
    }

    // MARK: - Request decoding (§1.3)

    func testRequestDecoding_goRules() throws {
        func decode(_ text: String, _ shape: VspRequest.Shape = .setVoteChoices) -> Result<VspRequest, VspAPIError> {
            Result { try VspRequest.decode(Array(text.utf8), as: shape) }.mapError { $0 as! VspAPIError }
        }
        let hash = String(repeating: "ab", count: 32)
        // Keys without regard to case, last duplicate wins, unknown keys ignored, bytes after the value ignored.
        let request = try decode(#"{"TimeStamp":5,"tickethash":"x","TICKETHASH":"\#(hash)","other":[1,{"a":null}],"votechoices":{}} trailing {"#).get()
        XCTAssertEqual(request.timestamp, 5)
        XCTAssertEqual(request.ticketHash, hash)
        XCTAssertEqual(request.voteChoices, [:], "{} is allowed where a map is required")
        XCTAssertNil(request.tSpendPolicy)
        func message(_ text: String, _ shape: VspRequest.Shape = .setVoteChoices) -> String? {
            if case .failure(let error) = decode(text, shape) { return error.code == .badRequest ? error.message : "code \(error.code.number)" }
            return nil
        }
        XCTAssertEqual(message(""), "EOF")
        XCTAssertEqual(message("  \n"), "EOF")
        XCTAssertEqual(message(#"{"timestamp":1"#), "unexpected EOF")
        XCTAssertEqual(message("{x}"), "invalid character 'x' looking for beginning of object key string")
        XCTAssertEqual(message(#"{"timestamp":1.5,"tickethash":"a","votechoices":{}}"#),
                       "json: cannot unmarshal number 1.5 into Go struct field SetVoteChoicesRequest.timestamp of type int64")
        XCTAssertEqual(message(#"{"timestamp":"1","tickethash":"a","votechoices":{}}"#),
                       "json: cannot unmarshal string into Go struct field SetVoteChoicesRequest.timestamp of type int64")
        XCTAssertEqual(message(#"{"timestamp":99999999999999999999,"tickethash":"a","votechoices":{}}"#),
                       "json: cannot unmarshal number 99999999999999999999 into Go struct field SetVoteChoicesRequest.timestamp of type int64")
        XCTAssertEqual(message("[1]"), "json: cannot unmarshal array into Go value of type types.SetVoteChoicesRequest")
        XCTAssertEqual(message(#"{"timestamp":1,"tickethash":"a","votechoices":null}"#),
                       "Key: 'SetVoteChoicesRequest.VoteChoices' Error:Field validation for 'VoteChoices' failed on the 'required' tag")
        XCTAssertEqual(message("null", .auth), "Key: 'TicketHash' Error:Field validation for 'TicketHash' failed on the 'required' tag")
        XCTAssertNil(message(#"{"timestamp":1,"tickethash":"a","votechoices":{},"treasurypolicy":{"a":"","b":"","c":""}}"#))
        // Hostile nesting is refused, not recursed into.
        XCTAssertEqual(message(String(repeating: "[", count: 20_000)), "exceeded max depth")
        XCTAssertEqual(message(#"{"x":"#+String(repeating: "[", count: 9_000) + String(repeating: "]", count: 9_000) + "}", .auth),
                       "Key: 'TicketHash' Error:Field validation for 'TicketHash' failed on the 'required' tag")
    }

    /// Hostile bodies: random bytes and mutations of a valid body either decode or are `E(0)`; nothing traps.
    func testRequestDecoding_randomAndMutatedBodies_neverTrap() {
        var state: UInt64 = 0x9E37_79B9_7F4A_7C15
        func next() -> UInt64 {  // SplitMix64: reproducible
            state &+= 0x9E37_79B9_7F4A_7C15
            var z = state
            z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
            z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
            return z ^ (z >> 31)
        }
        let valid = Array(#"{"timestamp":1700000001,"tickethash":"ab","feetx":"00","votingkey":"Pt","votechoices":{"a":"b","c":null},"tspendpolicy":{"\u00e9\ud83d\ude00":"yes"},"treasurypolicy":{}}"#.utf8)
        let alphabet = Array(#"{}[]":,.-+eE0123456789 \ntrufalsn"#.utf8) + [0x00, 0xFF, 0xC3, 0x5C]
        var decoded = 0
        for round in 0..<6_000 {
            var body: [UInt8]
            if round % 3 == 0 {
                body = (0..<Int(next() % 64)).map { _ in alphabet[Int(next() % UInt64(alphabet.count))] }
            } else {
                body = valid
                for _ in 0...(next() % 4) {
                    let at = Int(next() % UInt64(body.count))
                    switch next() % 3 {
                    case 0: body[at] = alphabet[Int(next() % UInt64(alphabet.count))]
                    case 1: body.remove(at: at)
                    default: body.insert(alphabet[Int(next() % UInt64(alphabet.count))], at: at)
                    }
                }
                if round % 7 == 0 { body = Array(body.prefix(Int(next() % UInt64(body.count)))) }
            }
            for shape in [VspRequest.Shape.payFee, .auth, .broadcastTicket] {
                do {
                    _ = try VspRequest.decode(body, as: shape)
                    decoded += 1
                } catch let error as VspAPIError {
                    XCTAssertEqual(error.code, .badRequest)
                    XCTAssertFalse(error.message.isEmpty)
                } catch {
                    XCTFail("unexpected \(error)")
                }
            }
        }
        XCTAssertGreaterThan(decoded, 0, "some mutations still decode")
    }

    func testGoFloatForm() {
        XCTAssertEqual(String(decoding: VspJSON.double(3.0).encoded(), as: UTF8.self), "3")
        XCTAssertEqual(String(decoding: VspJSON.double(0.5).encoded(), as: UTF8.self), "0.5")
        // Go writes float32 below 1e-4 without an exponent (Swift's text has one).
        let small = String(decoding: VspJSON.float(Float(1) / Float(40960)).encoded(), as: UTF8.self)
        XCTAssertTrue(small.hasPrefix("0.00002441406") && !small.contains("e"), small)
        XCTAssertEqual(String(decoding: VspJSON.float(0.25).encoded(), as: UTF8.self), "0.25")
        XCTAssertEqual(String(decoding: VspJSON.string("<a&b>\u{2028}\"").encoded(), as: UTF8.self), #""\u003ca\u0026b\u003e\u2028\"""#)
        // Go's encoding/json: other non-ASCII text as it is (also the bytes E2 80 of U+2020 †), U+2029 and control
        // characters escaped, tab, newline, backslash in their short forms; escapes at both ends of the string.
        XCTAssertEqual(String(decoding: VspJSON.string("\u{01}é†x\u{2029}\t\n\\y>").encoded(), as: UTF8.self),
                       #""\u0001é†x\u2029\t\n\\y\u003e""#)
    }
}
