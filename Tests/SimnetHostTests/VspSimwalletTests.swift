import Foundation
import HostTestSupport
import PoolKernel
import PoolNet
import SimnetHost
import WalletSimnet
import XCTest

/// simwallet as today's dcrd (JSON-RPC API 8.x) and dcrwallet (API 11.x), what the vspd front drives (issue 24 item 3),
/// over its real JSON-RPC websocket endpoints. The reply shapes are checked against field lists taken from the Go
/// structs: dcrd `rpc/jsonrpc/types/chainsvrresults.go` (`TxRawResult`, `Vin.MarshalJSON`, `Vout`,
/// `ScriptPubKeyResult`, `GetBlockVerboseResult`, `GetBlockHeaderVerboseResult`, `InfoChainResult`, `VersionResult`)
/// and dcrwallet `rpc/jsonrpc/types/results.go` (`WalletInfoResult`, `TicketInfoResult`, `VoteChoice`).
final class VspSimwalletTests: XCTestCase {
    // Field order of the Go structs (`omitempty` ones may be absent).
    static let txRawResult = ["hex", "txid", "version", "locktime", "expiry", "vin", "vout", "blockhash", "blockheight",
                              "blockindex", "confirmations", "time", "blocktime"]
    static let txRawOmitEmpty: Set = ["blockhash", "blockheight", "blockindex", "confirmations", "time", "blocktime"]
    static let vinRegular = ["txid", "vout", "tree", "sequence", "amountin", "blockheight", "blockindex", "scriptSig"]
    static let vinStakebase = ["stakebase", "sequence", "amountin", "blockheight", "blockindex"]
    static let vinCoinbase = ["coinbase", "sequence", "amountin", "blockheight", "blockindex"]
    static let vout = ["value", "n", "version", "scriptPubKey"]
    static let scriptPubKey = ["asm", "hex", "reqSigs", "type", "addresses", "commitamt", "version"]
    static let scriptPubKeyOmitEmpty: Set = ["hex", "reqSigs", "addresses", "commitamt"]
    static let blockVerbose = ["hash", "powhash", "confirmations", "size", "height", "version", "merkleroot", "stakeroot",
                               "tx", "rawtx", "stx", "rawstx", "time", "mediantime", "nonce", "votebits", "finalstate",
                               "voters", "freshstake", "revocations", "poolsize", "bits", "sbits", "extradata",
                               "stakeversion", "difficulty", "chainwork", "previousblockhash", "nextblockhash"]
    static let blockOmitEmpty: Set = ["tx", "rawtx", "stx", "rawstx", "nextblockhash"]
    static let headerVerbose = ["hash", "powhash", "confirmations", "version", "merkleroot", "stakeroot", "votebits",
                                "finalstate", "voters", "freshstake", "revocations", "poolsize", "bits", "sbits", "height",
                                "size", "time", "mediantime", "nonce", "extradata", "stakeversion", "difficulty", "chainwork",
                                "previousblockhash", "nextblockhash"]
    static let infoChain = ["version", "protocolversion", "blocks", "timeoffset", "connections", "proxy", "difficulty",
                            "testnet", "relayfee", "errors", "txindex"]
    static let versionResult = ["versionstring", "major", "minor", "patch", "prerelease", "buildmetadata"]
    static let walletInfo = ["daemonconnected", "unlocked", "cointype", "txfee", "votebits", "votebitsextended",
                             "voteversion", "voting", "manualtickets"]
    static let ticketInfo = ["hash", "cost", "votingaddress", "status", "blockhash", "blockheight", "vote", "revocation",
                             "choices"]
    static let ticketInfoOmitEmpty: Set = ["blockhash", "vote", "revocation", "choices"]

    private var host: SimnetRPCHost?
    private var clients: [JSONRPCClient] = []

    override func tearDown() async throws {
        for client in clients { client.close() }
        host?.stop()
    }

    private func connect(_ address: PoolNet.HostPort, _ name: String) async throws -> JSONRPCClient {
        let client = try JSONRPCClient(configuration: JSONRPCClientConfiguration(address: address, user: "u", password: "p",
                                                                                 name: name), logger: .disabled)
        try await client.connect()
        clients.append(client)
        return client
    }

    /// Asserts that `value` is an object whose keys are `fields` in that order, skipping only `omitEmpty` ones.
    private func assertFields(_ value: JSONValue?, _ fields: [String], omitEmpty: Set<String> = [], _ what: String,
                              file: StaticString = #filePath, line: UInt = #line) {
        guard let keys = value?.objectValue?.entries.map(\.key) else {
            return XCTFail("\(what) is not an object: \(String(describing: value))", file: file, line: line)
        }
        XCTAssertEqual(keys, fields.filter { keys.contains($0) }, "\(what): fields out of the Go struct's order", file: file, line: line)
        XCTAssertEqual(Set(keys).subtracting(fields), [], "\(what): fields the Go struct does not have", file: file, line: line)
        XCTAssertEqual(Set(fields).subtracting(keys).subtracting(omitEmpty), [], "\(what): missing fields", file: file, line: line)
    }

    private func assertRPCError(_ code: Int, containing text: String, file: StaticString = #filePath, line: UInt = #line,
                                _ body: () async throws -> JSONValue) async {
        do {
            let result = try await body()
            XCTFail("expected rpc error \(code), got \(result)", file: file, line: line)
        } catch let error as NetError {
            XCTAssertEqual(error.rpcCode, code, error.message, file: file, line: line)
            XCTAssertTrue(text.isEmpty || error.message.contains(text), "\(error.message) does not contain \(text)", file: file, line: line)
        } catch {
            XCTFail("unexpected \(error)", file: file, line: line)
        }
    }

    /// A fresh secp256k1 key: its WIF and P2PKH address on simnet.
    private static func freshKey() throws -> (wif: String, address: String) {
        var key = [UInt8](repeating: 0, count: 32)
        for index in key.indices { key[index] = UInt8.random(in: 0...255) }
        key[0] = 0x01  // well below the group order
        let wif = try WIF(privateKey: key, network: .simnet)
        let address = try Address(kind: .pubKeyHash, payload: Hash160.hash(try wif.publicKey()), network: .simnet)
        return (wif.encoded, address.encoded)
    }

    func testVspSimwallet_soloTicketRelayedMinedImportedAndVotedWithItsChoices() async throws {
        let simnet = Simnet(configuration: .init(seed: 24, walletCount: 2), logger: .disabled)
        var configuration = SimnetRPCHost.Configuration(nodePort: 0, walletPorts: [0, 0], user: "u", password: "p",
                                                        certificateDirectory: nil)
        configuration.vspNodePort = 0
        configuration.vspWalletPorts = [0, 0]
        let host = try SimnetRPCHost(simnet: simnet, configuration: configuration, logger: .disabled)
        self.host = host
        let (controlAddress, _) = try host.start()
        let control = try await connect(controlAddress, "control")
        let node = try await connect(try XCTUnwrap(host.vspNodeAddress), "vsp node")
        XCTAssertEqual(host.vspWalletAddresses.count, 2)
        var wallets: [JSONRPCClient] = []
        for (index, address) in host.vspWalletAddresses.enumerated() { wallets.append(try await connect(address, "vsp wallet \(index)")) }

        // Versions and node facts vspd checks at connection (vspd-api.md §8.2).
        let nodeVersion = try await node.call("version")
        XCTAssertEqual(nodeVersion.objectValue?.entries.map(\.key), ["dcrd", "dcrdjsonrpcapi"])
        assertFields(nodeVersion["dcrdjsonrpcapi"], Self.versionResult, "dcrd version")
        XCTAssertEqual(nodeVersion["dcrdjsonrpcapi"]?["major"]?.intValue, 8)
        XCTAssertGreaterThanOrEqual(try XCTUnwrap(nodeVersion["dcrdjsonrpcapi"]?["minor"]?.intValue), 3)
        let walletVersion = try await wallets[0].call("version")
        XCTAssertEqual(walletVersion.objectValue?.entries.map(\.key), ["dcrd", "dcrdjsonrpcapi", "dcrwallet", "dcrwalletjsonrpcapi"])
        XCTAssertEqual(walletVersion["dcrwalletjsonrpcapi"]?["major"]?.intValue, 11)
        let info = try await node.call("getinfo")
        assertFields(info, Self.infoChain, "getinfo")
        XCTAssertEqual(info["txindex"]?.boolValue, true)
        let net = try await node.call("getcurrentnet")
        XCTAssertEqual(net.intValue, Int64(NetParams.simnet.netMagic))
        let walletNet = try await wallets[1].call("getcurrentnet")
        XCTAssertEqual(walletNet.intValue, Int64(NetParams.simnet.netMagic))
        let walletInfo = try await wallets[0].call("walletinfo")
        assertFields(walletInfo, Self.walletInfo, omitEmpty: ["cointype"], "walletinfo")
        XCTAssertEqual(walletInfo["voting"]?.boolValue, true)
        XCTAssertEqual(walletInfo["manualtickets"]?.boolValue, true, "vspd's voting wallets run with --manualtickets")
        XCTAssertEqual(walletInfo["voteversion"]?.intValue, Int64(try XCTUnwrap(NetParams.simnet.latestVoteVersion)))

        // Tickets can be bought from height 16 on (simnet: stake enabled at 32, maturity 16).
        _ = try await control.call("simmine", [20])
        let voting = try Self.freshKey()
        let commitment = try Self.freshKey()
        let bought = try await control.call("simbuysoloticket", [.string(voting.address), .string(commitment.address)])
        let ticketHex = try XCTUnwrap(bought["tickethex"]?.stringValue)
        let ticketHash = try XCTUnwrap(bought["tickethash"]?.stringValue)
        let parentHex = try XCTUnwrap(bought["parenthex"]?.stringValue)
        let parentHash = try XCTUnwrap(bought["parenthash"]?.stringValue)

        // vspd's relay (§4.2): the parent is unknown (−5), the ticket alone is an orphan with dcrd's text, the parent is
        // accepted once (then −40), then the ticket.
        await assertRPCError(-5, containing: "No information available about transaction") {
            try await node.call("getrawtransaction", [.string(parentHash), 1])
        }
        do {
            _ = try await node.call("sendrawtransaction", [.string(ticketHex), false])
            XCTFail("a ticket whose parent the node lacks is an orphan")
        } catch let error as NetError {
            let message = try XCTUnwrap(error.rpcMessage)
            XCTAssertNotEqual(error.rpcCode, -40, "an orphan must not look like a duplicate (vspd would take it as sent)")
            let orphan = try NSRegularExpression(pattern: #"orphan transaction \w+ references output \w+:\d+ of unknown or fully-spent transaction"#)
            XCTAssertNotNil(orphan.firstMatch(in: message, range: NSRange(message.startIndex..., in: message)), message)
            XCTAssertTrue(message.contains("references output \(parentHash):0"), message)
        }
        let sentParent = try await node.call("sendrawtransaction", [.string(parentHex), false])
        XCTAssertEqual(sentParent.stringValue, parentHash)
        await assertRPCError(-40, containing: "already have transaction") {
            try await node.call("sendrawtransaction", [.string(parentHex), false])
        }
        let sentTicket = try await node.call("sendrawtransaction", [.string(ticketHex), false])
        XCTAssertEqual(sentTicket.stringValue, ticketHash)
        let unmined = try await node.call("getrawtransaction", [.string(ticketHash), 1])
        assertFields(unmined, Self.txRawResult, omitEmpty: Self.txRawOmitEmpty, "getrawtransaction (mempool)")
        XCTAssertNil(unmined["confirmations"], "0 confirmations is omitted, as Go's omitempty does")
        XCTAssertNil(unmined["blockhash"])
        let plainHex = try await node.call("getrawtransaction", [.string(ticketHash), 0])
        XCTAssertEqual(plainHex.stringValue, ticketHex)

        // Mined by the next block, with the parent in its regular tree.
        let minedTip = try await control.call("simmine", [1])
        let minedHash = try XCTUnwrap(minedTip["hash"]?.stringValue)
        let mined = try await node.call("getrawtransaction", [.string(ticketHash), 1])
        assertFields(mined, Self.txRawResult, omitEmpty: ["blockindex"], "getrawtransaction (mined)")
        XCTAssertEqual(mined["confirmations"]?.intValue, 1)
        XCTAssertEqual(mined["blockhash"]?.stringValue, minedHash)
        // Sent again once mined: dcrd's plain rule error (−1), which vspd does not take as sent, unlike −40.
        await assertRPCError(-1, containing: "rejected transaction \(parentHash): transaction already exists") {
            try await node.call("sendrawtransaction", [.string(parentHex), false])
        }
        await assertRPCError(-1, containing: "rejected transaction \(ticketHash): transaction already exists") {
            try await node.call("sendrawtransaction", [.string(ticketHex), false])
        }
        XCTAssertEqual(mined["blockheight"]?.intValue, 21)
        XCTAssertEqual(mined["hex"]?.stringValue, ticketHex)
        let vin = try XCTUnwrap(mined["vin"]?.arrayValue)
        XCTAssertEqual(vin.count, 1)
        assertFields(vin[0], Self.vinRegular, "ticket vin")
        XCTAssertEqual(vin[0]["txid"]?.stringValue, parentHash)
        let vout = try XCTUnwrap(mined["vout"]?.arrayValue)
        XCTAssertEqual(vout.count, 3)
        for output in vout {
            assertFields(output, Self.vout, "vout")
            assertFields(output["scriptPubKey"], Self.scriptPubKey, omitEmpty: Self.scriptPubKeyOmitEmpty, "scriptPubKey")
        }
        XCTAssertEqual(vout[0]["scriptPubKey"]?["type"]?.stringValue, "stakesubmission")
        XCTAssertEqual(vout[0]["scriptPubKey"]?["addresses"], .array([.string(voting.address)]))
        XCTAssertEqual(vout[1]["scriptPubKey"]?["type"]?.stringValue, "sstxcommitment")
        XCTAssertEqual(vout[1]["scriptPubKey"]?["addresses"], .array([.string(commitment.address)]))
        XCTAssertNotNil(vout[1]["scriptPubKey"]?["commitamt"])
        let block = try await node.call("getblock", [.string(minedHash), true, true])
        assertFields(block, Self.blockVerbose, omitEmpty: Self.blockOmitEmpty, "getblock")
        XCTAssertNil(block["tx"], "verbose transactions replace the hash lists")
        let regular = try XCTUnwrap(block["rawtx"]?.arrayValue)
        assertFields(regular.first?["vin"]?.arrayValue?.first, Self.vinCoinbase, "coinbase vin")
        XCTAssertEqual(regular.dropFirst().map { $0["txid"]?.stringValue }, [parentHash])
        XCTAssertTrue(try XCTUnwrap(block["rawstx"]?.arrayValue).contains { $0["txid"]?.stringValue == ticketHash })
        let hashesOnly = try await node.call("getblock", [.string(minedHash), true, false])
        XCTAssertTrue(try XCTUnwrap(hashesOnly["stx"]?.arrayValue).contains(.string(ticketHash)))
        let blockHash = try await node.call("getblockhash", [21])
        XCTAssertEqual(blockHash.stringValue, minedHash)
        let live = try await node.call("existslivetickets", [.array([.string(ticketHash), .string(parentHash)])])
        XCTAssertEqual(live.stringValue, "00", "immature")

        // Matured: live (bit 0 of the bitset); the voting wallets get the key, the ticket and the choices (§8.2 step 3).
        _ = try await control.call("simmine", [16])
        let nowLive = try await node.call("existslivetickets", [.array([.string(ticketHash), .string(parentHash)])])
        XCTAssertEqual(nowLive.stringValue, "01")
        let header = try await node.call("getbestblockheader", [true])
        assertFields(header, Self.headerVerbose, omitEmpty: ["nextblockhash"], "getbestblockheader")
        XCTAssertEqual(header["height"]?.intValue, 37)
        XCTAssertEqual(header["poolsize"]?.intValue, 1)
        XCTAssertEqual(header["sbits"]?.doubleValue, Double(simnet.configuration.ticketPrice) / 1e8)
        let agenda = try XCTUnwrap(NetParams.simnet.agendas(forVoteVersion: 12).first { $0.id == "maxtreasuryspend" })
        for wallet in wallets {
            let imported = try await wallet.call("importprivkey", [.string(voting.wif), "imported", false, 0])
            XCTAssertEqual(imported, .null)
            let added = try await wallet.call("addtransaction", [.string(minedHash), .string(ticketHex)])
            XCTAssertEqual(added, .null)
            _ = try await wallet.call("setvotechoice", ["maxtreasuryspend", "yes", .string(ticketHash)])
            _ = try await wallet.call("settspendpolicy", [.string(String(repeating: "ab", count: 32)), "no", .string(ticketHash)])
            _ = try await wallet.call("settreasurypolicy", [.string("02" + String(repeating: "11", count: 32)), "yes",
                                                            .string(ticketHash)])
            _ = try await wallet.call("rescanwallet", [21])
        }
        await assertRPCError(-8, containing: "no agenda with ID \"headercommitments\"") {
            try await wallets[0].call("setvotechoice", ["headercommitments", "yes", .string(ticketHash)])
        }
        await assertRPCError(-22, containing: "") {
            try await wallets[0].call("addtransaction", [.string(minedHash), "zz"])
        }
        let tickets = try await wallets[0].call("ticketinfo", [0])
        let entry = try XCTUnwrap(tickets.arrayValue?.first)
        assertFields(entry, Self.ticketInfo, omitEmpty: Self.ticketInfoOmitEmpty, "ticketinfo")
        XCTAssertEqual(entry["status"]?.stringValue, "live")
        XCTAssertEqual(entry["votingaddress"]?.stringValue, voting.address)
        XCTAssertEqual(entry["choices"]?.arrayValue?.first { $0["agendaid"]?.stringValue == "maxtreasuryspend" }?["choiceid"],
                       .string("yes"))
        let later = try await wallets[0].call("ticketinfo", [22])
        XCTAssertEqual(later, .null, "no tickets from height 22 on: Go's nil slice")

        // The only live ticket is called at the first lottery (height 143) and voted by a wallet holding its key.
        _ = try await control.call("simmine", [.int(145 - 37)])
        let vote = try await control.call("simvote", [.string(ticketHash)])
        XCTAssertEqual(vote["status"]?.stringValue, "voted")
        let yes = try XCTUnwrap(agenda.choices.first { $0.id == "yes" }).bits
        XCTAssertEqual(vote["votebits"]?.intValue, Int64(1 | yes), "block valid + maxtreasuryspend yes")
        XCTAssertEqual(vote["votebits"]?.intValue, 5, "dcrd chaincfg simnet: maxtreasuryspend yes is 0x0004")
        XCTAssertEqual(vote["voteversion"]?.intValue, 12)
        let voteBlockHash = try await node.call("getblockhash", [144])
        let voteBlock = try await node.call("getblock", [voteBlockHash, true, true])
        let stake = try XCTUnwrap(voteBlock["rawstx"]?.arrayValue)
        let spend = try XCTUnwrap(stake.first { $0["vin"]?.arrayValue?.last?["txid"]?.stringValue == ticketHash })
        assertFields(spend["vin"]?.arrayValue?.first, Self.vinStakebase, "vote stakebase")
        XCTAssertEqual(spend["vout"]?.arrayValue?.first?["scriptPubKey"]?["type"]?.stringValue, "nulldata")
        let voted = try await wallets[1].call("ticketinfo", [0])
        XCTAssertEqual(voted.arrayValue?.first?["status"]?.stringValue, "voted")
        XCTAssertEqual(voted.arrayValue?.first?["vote"]?.stringValue, spend["txid"]?.stringValue)

        // A fee payment (§5.4) is an ordinary transaction: relayed, mined, confirmed.
        let feeAddress = try Self.freshKey().address
        let fee = try await control.call("simfeetx", [.string(feeAddress), 12_345])
        let feeHash = try await node.call("sendrawtransaction", [try XCTUnwrap(fee["hex"]), false])
        let pendingFee = try await node.call("getrawtransaction", [feeHash, 1])
        XCTAssertEqual(pendingFee["vout"]?.arrayValue?.first?["value"]?.doubleValue, 0.00012345)
        XCTAssertEqual(pendingFee["vout"]?.arrayValue?.first?["scriptPubKey"]?["addresses"], .array([.string(feeAddress)]))
        _ = try await control.call("simmine", [1])
        let minedFee = try await node.call("getrawtransaction", [feeHash, 1])
        XCTAssertEqual(minedFee["confirmations"]?.intValue, 1)
    }

    func testVspSimwallet_errorsAsDcrdAndDcrwalletAnswerThem() async throws {
        let simnet = Simnet(configuration: .init(seed: 25, walletCount: 1), logger: .disabled)
        var configuration = SimnetRPCHost.Configuration(nodePort: 0, walletPorts: [0], user: "u", password: "p",
                                                        certificateDirectory: nil)
        configuration.vspNodePort = 0
        configuration.vspWalletPorts = [0]
        let host = try SimnetRPCHost(simnet: simnet, configuration: configuration, logger: .disabled)
        self.host = host
        let (controlAddress, _) = try host.start()
        let node = try await connect(try XCTUnwrap(host.vspNodeAddress), "vsp node")
        let wallet = try await connect(try XCTUnwrap(host.vspWalletAddresses.first), "vsp wallet")
        let unknown = String(repeating: "5a", count: 32)
        await assertRPCError(-5, containing: "No information available about transaction \(unknown)") {
            try await node.call("getrawtransaction", [.string(unknown), 1])
        }
        await assertRPCError(-22, containing: "") { try await node.call("sendrawtransaction", ["0100xyz", false]) }
        await assertRPCError(-22, containing: "") { try await node.call("sendrawtransaction", ["01000000", false]) }
        await assertRPCError(-1, containing: "Block number out of range: 5") { try await node.call("getblockhash", [5]) }
        await assertRPCError(-5, containing: "") { try await node.call("getblock", [.string(unknown), true, true]) }
        await assertRPCError(-32602, containing: "") { try await node.call("getblockhash", ["five"]) }
        await assertRPCError(-8, containing: "no agenda with ID \"nosuchagenda\"") {
            try await wallet.call("setvotechoice", ["nosuchagenda", "yes"])
        }
        await assertRPCError(-8, containing: "agenda \"maxtreasuryspend\" has no choice ID \"maybe\"") {
            try await wallet.call("setvotechoice", ["maxtreasuryspend", "maybe"])
        }
        await assertRPCError(-5, containing: "ticket not found") {
            try await wallet.call("setvotechoice", ["maxtreasuryspend", "no", .string(unknown)])
        }
        await assertRPCError(-5, containing: "WIF decode failed") { try await wallet.call("importprivkey", ["notawif"]) }
        let mainnetKey = try WIF(privateKey: [UInt8](repeating: 7, count: 32), network: .mainnet)
        await assertRPCError(-5, containing: "WIF decode failed") {
            try await wallet.call("importprivkey", [.string(mainnetKey.encoded), "imported", false, 0])
        }
        await assertRPCError(-8, containing: "invalid policy") {
            try await wallet.call("settspendpolicy", [.string(unknown), "sometimes"])
        }
        // dcrwallet's own words (`errNotImportedAccount`, `errWalletUnlockNeeded`): the account is checked first, the
        // lock only when the key is stored.
        let simnetKey = try WIF(privateKey: [UInt8](repeating: 9, count: 32), network: .simnet)
        await assertRPCError(-4, containing: "imported addresses must belong to the imported account") {
            try await wallet.call("importprivkey", [.string(simnetKey.encoded), "default", false, 0])
        }
        let locker = try await connect(controlAddress, "control (lock)")
        _ = try await locker.call("simsetwalletfaults", [0, ["locked": true]])
        await assertRPCError(-4, containing: "imported addresses must belong to the imported account") {
            try await wallet.call("importprivkey", [.string(simnetKey.encoded), "default", false, 0])
        }
        await assertRPCError(-13, containing: "wallet or account locked; use walletpassphrase or unlockaccount first") {
            try await wallet.call("importprivkey", [.string(simnetKey.encoded), "imported", false, 0])
        }
        _ = try await locker.call("simsetwalletfaults", [0, ["locked": false]])
        let empty = try await wallet.call("ticketinfo", [0])
        XCTAssertEqual(empty, .null)
        // The default choice moves the wallet's vote bits (walletinfo).
        _ = try await wallet.call("setvotechoice", ["maxtreasuryspend", "no"])
        let info = try await wallet.call("walletinfo")
        XCTAssertEqual(info["votebits"]?.intValue, 3, "block valid + maxtreasuryspend no (0x0002)")
        // A wallet that lost its node: no dcrd in `version` (what vspd takes for SPV), and chain calls fail with −1.
        let control = try await connect(controlAddress, "control")
        _ = try await control.call("simsetwalletfaults", [0, ["daemondisconnected": true]])
        let version = try await wallet.call("version")
        XCTAssertEqual(version.objectValue?.entries.map(\.key), ["dcrwallet", "dcrwalletjsonrpcapi"])
        await assertRPCError(-1, containing: "Chain RPC is inactive") { try await wallet.call("getcurrentnet") }
        let disconnected = try await wallet.call("walletinfo")
        XCTAssertEqual(disconnected["daemonconnected"]?.boolValue, false)
        // The node going down fails every vsp call (the server's catch-all −32603, as on the legacy node).
        _ = try await control.call("simsetnodefaults", [["down": true]])
        await assertRPCError(-32603, containing: "simulated node is down") { try await node.call("getinfo") }
    }
}

/// The `simwallet` binary (what `make run` starts) serves the vsp endpoints over TLS with its `rpc.cert`.
final class VspSimwalletProcessTests: XCTestCase {
    func testSimwalletProcess_servesTodaysDcrdAndDcrwalletOverTLS() async throws {
        let harness = try StakepooldProcessHarness(prefix: "vsp-simwallet")
        defer { harness.stop() }
        let (controlAddress, _, certificate) = try await harness.startSimwallet(
            wallets: 2, extraArguments: ["--vspnodeport", "0", "--vspwalletports", "0,0"])
        // The vsp line is logged before the line the harness waits for.
        let line = try XCTUnwrap(harness.contents(harness.path("simwallet.log")).split(separator: "\n")
            .first { $0.contains("vsp node (dcrd API 8) on ") })
        let node = try XCTUnwrap(line.range(of: "vsp node (dcrd API 8) on "))
        let list = try XCTUnwrap(line.range(of: ", vsp wallets (dcrwallet API 11) on "))
        let nodeAddress = String(line[node.upperBound..<list.lowerBound])
        let walletAddresses = line[list.upperBound...].split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }
        XCTAssertEqual(walletAddresses.count, 2)
        let vspNode = try await harness.connect(nodeAddress, certificate: certificate, name: "vsp node")
        let vspWallet = try await harness.connect(walletAddresses[1], certificate: certificate, name: "vsp wallet 1")
        let control = try await harness.connect(controlAddress, certificate: certificate, name: "control")
        let version = try await vspNode.call("version")
        XCTAssertEqual(version["dcrdjsonrpcapi"]?["major"]?.intValue, 8)
        let walletVersion = try await vspWallet.call("version")
        XCTAssertEqual(walletVersion["dcrwalletjsonrpcapi"]?["major"]?.intValue, 11)
        // `notifyblocks` → dcrd's `blockconnected [header hex]` for every block, as vspd's block handler needs.
        let connected = LockedValue<[String]>([])
        vspNode.setNotificationHandler { method, params in
            if method == "blockconnected", let header = params.first?.stringValue { connected.withLock { $0.append(header) } }
        }
        try await vspNode.subscribe("notifyblocks")
        // The same chain as the legacy node: a block mined through the control method is the vsp node's tip.
        let tip = try await control.call("simmine", [3])
        let best = try await vspNode.call("getbestblockheader", [true])
        XCTAssertEqual(best["hash"], tip["hash"])
        XCTAssertEqual(best["height"]?.intValue, 3)
        let walletTip = try await vspWallet.call("getbestblock")
        XCTAssertEqual(walletTip["height"]?.intValue, 3)
        let deadline = ContinuousClock.now + .seconds(10)
        while connected.value.count < 3, ContinuousClock.now < deadline { try await Task.sleep(for: .milliseconds(5)) }
        XCTAssertEqual(connected.value.count, 3)
        XCTAssertEqual(connected.value.last.flatMap { BlockConnected(headerHex: $0).height }, 3)
    }
}
