import Foundation
import PoolKernel
import PoolNet
import SimnetHost
import Synchronization
@testable import WalletDcrwallet
import XCTest

/// The RPC backends against a scripted raw server: exact request bytes, framing, auth header, and the
/// failure modes (malformed JSON, wrong id, 401, certificate mismatch, slow server, drops).
final class DcrwalletWireProtocolTests: XCTestCase {
    private var directory: URL!

    override func setUpWithError() throws {
        directory = FileManager.default.temporaryDirectory.appendingPathComponent("dcrwallet-wire-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
    }

    override func tearDownWithError() throws {
        try? FileManager.default.removeItem(at: directory)
    }

    private func configuration(_ server: ScriptedServer, certificate: String? = nil, callTimeout: Duration = .seconds(10),
                               reconnect: ReconnectPolicy? = nil) -> RPCEndpointConfiguration {
        RPCEndpointConfiguration(host: server.address, defaultPort: 19557, user: "walletuser", password: "walletpass-1",
                                 certificatePath: certificate ?? server.certificateFile, callTimeout: callTimeout,
                                 reconnect: reconnect, name: "wallet 0")
    }

    private static let hash = String(repeating: "ab", count: 32)

    func testWire_everyWalletMethodSendsTheExactRequest() async throws {
        let server = try ScriptedServer(directory: directory)
        let hash = Self.hash
        let zero = String(repeating: "0", count: 64)
        // (expected request, reply) in call order; ids count from 1. The replies are written by hand as dcrwallet
        // v1.1.0 sends them (shared/spec/wallet-rpc.md §2: field names, omitted empty fields, null lists), never
        // produced by this package's own encoder.
        let exchanges: [(String, String)] = [
            (#"{"jsonrpc":"1.0","method":"walletinfo","params":[],"id":1}"#,
             #"{"result":{"daemonconnected":true,"unlocked":true,"txfee":0.001,"ticketfee":0.002,"ticketpurchasing":false,"votebits":5,"votebitsextended":"06000000","voteversion":6,"voting":true},"error":null,"id":1}"#),
            (#"{"jsonrpc":"1.0","method":"validateaddress","params":["TsTicketAddr"],"id":2}"#,
             #"{"result":{"isvalid":true,"address":"TsTicketAddr","ismine":true,"pubkeyaddr":"TkPool","pubkey":"03b9aa","iscompressed":true,"account":"default"},"error":null,"id":2}"#),
            (#"{"jsonrpc":"1.0","method":"createmultisig","params":[1,["TkPool","TkUser"]],"id":3}"#,
             #"{"result":{"address":"TcMs","redeemScript":"5121"},"error":null,"id":3}"#),
            (#"{"jsonrpc":"1.0","method":"importscript","params":["5121",true,178000],"id":4}"#,
             #"{"result":null,"error":null,"id":4}"#),
            (#"{"jsonrpc":"1.0","method":"getbestblock","params":[],"id":5}"#,
             #"{"result":{"hash":"\#(hash)","height":178001},"error":null,"id":5}"#),
            (#"{"jsonrpc":"1.0","method":"getstakeinfo","params":[],"id":6}"#,
             #"{"result":{"blockheight":178001,"poolsize":40960,"difficulty":123.45,"allmempooltix":2,"ownmempooltix":1,"immature":4,"live":3,"proportionlive":0.0000732421875,"voted":7,"totalsubsidy":12.5,"missed":1,"proportionmissed":0.125,"revoked":1,"expired":0},"error":null,"id":6}"#),
            (#"{"jsonrpc":"1.0","method":"stakepooluserinfo","params":["TcMs"],"id":7}"#,
             #"{"result":{"tickets":[{"status":"live","ticket":"\#(hash)","ticketheight":178000,"spentby":"\#(zero)","spentbyheight":0}],"invalid":null},"error":null,"id":7}"#),
            (#"{"jsonrpc":"1.0","method":"accountsyncaddressindex","params":["default",0,10000],"id":8}"#,
             #"{"result":null,"error":null,"id":8}"#),
            (#"{"jsonrpc":"1.0","method":"listscripts","params":[],"id":9}"#,
             #"{"result":{"scripts":[{"hash160":"h","address":"TcMs","redeemscript":"5121"}]},"error":null,"id":9}"#),
            (#"{"jsonrpc":"1.0","method":"gettickets","params":[true],"id":10}"#,
             #"{"result":{"hashes":["\#(hash)"]},"error":null,"id":10}"#),
            (#"{"jsonrpc":"1.0","method":"getrawtransaction","params":["\#(hash)",0],"id":11}"#,
             #"{"result":"0100","error":null,"id":11}"#),
            (#"{"jsonrpc":"1.0","method":"addticket","params":["0100"],"id":12}"#,
             #"{"result":null,"error":null,"id":12}"#),
            (#"{"jsonrpc":"1.0","method":"gettransaction","params":["\#(hash)"],"id":13}"#,
             #"{"result":{"amount":0,"confirmations":3,"blockhash":"\#(hash)","blockindex":0,"blocktime":1500000000,"txid":"\#(hash)","walletconflicts":[],"time":1500000000,"timereceived":1500000000,"details":[{"account":"","address":"TcMs","amount":0,"category":"receive","vout":0}],"hex":"0100"},"error":null,"id":13}"#),
            (#"{"jsonrpc":"1.0","method":"generatevote","params":["\#(hash)",178222,"\#(hash)",5,"05000000"],"id":14}"#,
             #"{"result":{"hex":"0100aa"},"error":null,"id":14}"#),
            (#"{"jsonrpc":"1.0","method":"version","params":[],"id":15}"#,
             #"{"result":{"dcrwalletjsonrpcapi":{"versionstring":"4.1.0","major":4,"minor":1,"patch":0,"prerelease":"","buildmetadata":""},"dcrdjsonrpcapi":{"versionstring":"3.1.0","major":3,"minor":1,"patch":0,"prerelease":"","buildmetadata":""}},"error":null,"id":15}"#),
        ]
        let done = server.run(self) { server in
            let peer = try server.accept()
            let head = try peer.acceptUpgrade()
            XCTAssertEqual(head.startLine, ["GET", "/ws", "HTTP/1.1"])
            XCTAssertEqual(head.header("Authorization"), "Basic " + Data("walletuser:walletpass-1".utf8).base64EncodedString())
            XCTAssertEqual(head.header("Host"), server.address)
            for (expected, reply) in exchanges {
                XCTAssertEqual(try peer.readText(), expected)
                try peer.sendText(reply)
            }
        }
        let wallet = try DcrwalletBackend(configuration: configuration(server), logger: .disabled)
        try await wallet.connect()
        let info = try await wallet.walletInfo()
        XCTAssertEqual([info.voteBits, UInt16(info.voteVersion)], [5, 6])
        XCTAssertEqual(info.voteBitsExtended, "06000000")
        XCTAssertEqual([info.daemonConnected, info.unlocked, info.ticketPurchasing, info.voting], [true, true, false, true])
        XCTAssertEqual([info.txFee, info.ticketFee], [0.001, 0.002])
        let validation = try await wallet.validateAddress("TsTicketAddr")
        XCTAssertEqual(validation.pubKeyAddress, "TkPool")
        XCTAssertEqual([validation.isValid, validation.isMine, validation.isWatchOnly], [true, true, false])
        XCTAssertEqual(validation.pubKey, "03b9aa")
        let multisig = try await wallet.createMultisig(nRequired: 1, keys: ["TkPool", "TkUser"])
        XCTAssertEqual(multisig.redeemScript, "5121")
        XCTAssertEqual(multisig.address, "TcMs")
        try await wallet.importScript("5121", rescan: true, scanFrom: 178_000)
        let best = try await wallet.bestBlock()
        XCTAssertEqual(best.height, 178_001)
        let stake = try await wallet.stakeInfo()
        XCTAssertEqual([stake.live, stake.poolSize, stake.voted, stake.missed, stake.revoked], [3, 40960, 7, 1, 1])
        XCTAssertEqual(stake.difficulty, 123.45)
        XCTAssertEqual(stake.proportionMissed, 0.125)
        let user = try await wallet.stakePoolUserInfo(multisigAddress: "TcMs")
        XCTAssertEqual(user.tickets, [StakePoolUserTicket(status: "live", ticket: try XCTUnwrap(TicketHash(hex: hash)), ticketHeight: 178_000,
                                                          spentBy: try XCTUnwrap(TicketHash(hex: zero)), spentByHeight: 0)])
        XCTAssertEqual(user.invalid, [])
        try await wallet.syncDefaultAccount()
        let scripts = try await wallet.listScripts()
        XCTAssertEqual(scripts.map(\.redeemScript), ["5121"])
        let tickets = try await wallet.tickets(includeImmature: true)
        XCTAssertEqual(tickets, [hash])
        let raw = try await wallet.rawTransaction(txid: hash)
        XCTAssertEqual(raw, "0100")
        try await wallet.addTicket("0100")
        let tx = try await wallet.transaction(txid: hash)
        XCTAssertEqual(tx.hex, "0100")
        XCTAssertEqual(tx.confirmations, 3)
        XCTAssertEqual(tx.details.map(\.address), ["TcMs"])
        let vote = try await wallet.generateVote(blockHash: hash, height: 178_222, ticket: hash, voteBits: 5, voteBitsExtended: "05000000")
        XCTAssertEqual(vote, "0100aa")
        let compatible = try await wallet.hasCompatibleAPI()
        XCTAssertTrue(compatible)
        await fulfillment(of: [done], timeout: 20)
        await wallet.close()
    }

    func testWire_nodeMethodsRegistrationsAndFragmentedNotificationWithPing() async throws {
        let server = try ScriptedServer(directory: directory)
        let hash = Self.hash
        let done = server.run(self) { server in
            let peer = try server.accept()
            try peer.acceptUpgrade()
            let exchanges: [(String, JSONValue)] = [
                (#"{"jsonrpc":"1.0","method":"sendrawtransaction","params":["0100",false],"id":1}"#, .string(hash)),
                // Replies written by hand in dcrd v1.1.0's shapes (shared/spec/wallet-rpc.md §2.6, §2.17, §2.20).
                (#"{"jsonrpc":"1.0","method":"decoderawtransaction","params":["0100"],"id":2}"#,
                 try JSONValue.parse(#"{"txid":"\#(hash)","version":1,"locktime":0,"expiry":0,"vin":[],"vout":[{"value":1,"n":0,"version":0,"scriptPubKey":{"asm":"OP_SSTX OP_HASH160 ab OP_EQUAL","hex":"baa914ab87","reqSigs":1,"type":"stakesubmission","addresses":["TcMs"]}}]}"#)),
                (#"{"jsonrpc":"1.0","method":"getblockheader","params":["\#(hash)",false],"id":3}"#, .string("00")),
                (#"{"jsonrpc":"1.0","method":"getcurrentnet","params":[],"id":4}"#, .int(303_307_798)),
                (#"{"jsonrpc":"1.0","method":"getbestblock","params":[],"id":5}"#,
                 try JSONValue.parse(#"{"hash":"\#(hash)","height":7}"#)),
                (#"{"jsonrpc":"1.0","method":"version","params":[],"id":6}"#,
                 try JSONValue.parse(#"{"dcrdjsonrpcapi":{"versionstring":"3.1.0","major":3,"minor":1,"patch":0,"prerelease":"","buildmetadata":""}}"#)),
                (#"{"jsonrpc":"1.0","method":"notifyblocks","params":[],"id":7}"#, .null),
                (#"{"jsonrpc":"1.0","method":"notifywinningtickets","params":[],"id":8}"#, .null),
                (#"{"jsonrpc":"1.0","method":"notifynewtickets","params":[],"id":9}"#, .null),
                (#"{"jsonrpc":"1.0","method":"notifyspentandmissedtickets","params":[],"id":10}"#, .null),
            ]
            for (index, (expected, result)) in exchanges.enumerated() {
                XCTAssertEqual(try peer.readText(), expected)
                try peer.reply(id: index + 1, result: result)
            }
            // A winningtickets notification split over three frames with a ping in the middle.
            let note = Array(#"{"jsonrpc":"1.0","method":"winningtickets","params":["\#(hash)",178221,{"0":"t0","1":"t1"}],"id":null}"#.utf8)
            try peer.send(WebSocketFrameEncoder.frame(opcode: .text, payload: Array(note[0..<20]), fin: false, maskKey: nil))
            try peer.send(WebSocketFrameEncoder.frame(opcode: .ping, payload: Array("are you there".utf8), maskKey: nil))
            try peer.send(WebSocketFrameEncoder.frame(opcode: .continuation, payload: Array(note[20..<50]), fin: false, maskKey: nil))
            try peer.send(WebSocketFrameEncoder.frame(opcode: .continuation, payload: Array(note[50...]), fin: true, maskKey: nil))
            XCTAssertEqual(try peer.readEvent(), .pong(Array("are you there".utf8)), "the client answers pings with the same payload")
            // A clean close from the server.
            try peer.send(WebSocketFrameEncoder.frame(opcode: .close, payload: WebSocketFrameEncoder.closePayload(code: 1001, reason: "bye"), maskKey: nil))
            if case .close(let code, _) = try peer.readEvent() { XCTAssertEqual(code, 1001) } else { XCTFail("expected the close echo") }
        }
        let node = try DcrdBackend(configuration: configuration(server), logger: .disabled)
        try await node.connect()
        let txid = try await node.sendRawTransaction("0100", allowHighFees: false)
        XCTAssertEqual(txid, hash)
        let decoded = try await node.decodeRawTransaction("0100")
        XCTAssertEqual(decoded.outputs.first?.scriptType, "stakesubmission")
        XCTAssertEqual(decoded.outputs.first?.addresses, ["TcMs"])
        XCTAssertEqual(decoded.txid, hash)
        _ = try await node.blockHeader(hash: hash)
        let net = try await node.currentNet()
        XCTAssertEqual(net, 0x1214_1c16)
        let best = try await node.bestBlock()
        XCTAssertEqual(best, BestBlock(hash: hash, height: 7))
        let compatible = try await node.hasCompatibleAPI()
        XCTAssertTrue(compatible)
        let stream = try await node.notificationStream()
        var iterator = stream.makeAsyncIterator()
        let first = await iterator.next()
        XCTAssertEqual(first, .winningTickets(WinningTickets(blockHash: hash, blockHeight: 178_221, tickets: ["t0", "t1"])))
        await fulfillment(of: [done], timeout: 20)
        await node.close()
    }

    func testWire_malformedJSONFailsThePendingCallAsBadResponse() async throws {
        let server = try ScriptedServer(directory: directory)
        let done = server.run(self) { server in
            let peer = try server.accept()
            try peer.acceptUpgrade()
            _ = try peer.readText()
            try peer.sendText(#"{"result":{"hash":"#)
        }
        let wallet = try DcrwalletBackend(configuration: configuration(server), logger: .disabled)
        try await wallet.connect()
        await assertWalletError(.walletBadResponse) { try await wallet.bestBlock() }
        await fulfillment(of: [done], timeout: 20)
    }

    func testWire_wrongIdTimesOutThenTheConnectionStillWorks() async throws {
        let server = try ScriptedServer(directory: directory)
        let done = server.run(self) { server in
            let peer = try server.accept()
            try peer.acceptUpgrade()
            _ = try peer.readText()
            try peer.reply(id: 99, result: WalletWire.json(BestBlock(hash: "x", height: 1)))
            XCTAssertEqual(try peer.readText(), #"{"jsonrpc":"1.0","method":"getbestblock","params":[],"id":2}"#)
            try peer.reply(id: 2, result: WalletWire.json(BestBlock(hash: "y", height: 2)))
        }
        let wallet = try DcrwalletBackend(configuration: configuration(server, callTimeout: .milliseconds(300)), logger: .disabled)
        try await wallet.connect()
        await assertWalletError(.walletTimeout) { try await wallet.bestBlock() }
        let best = try await wallet.bestBlock()
        XCTAssertEqual(best.hash, "y")
        await fulfillment(of: [done], timeout: 20)
    }

    func testWire_slowServerTimesOutAsUnavailable() async throws {
        let server = try ScriptedServer(directory: directory)
        let release = DispatchSemaphore(value: 0)
        let done = server.run(self) { server in
            let peer = try server.accept()
            try peer.acceptUpgrade()
            _ = try peer.readText()
            _ = release.wait(timeout: .now() + 5) // answers only after the client gave up
            try? peer.reply(id: 1, result: WalletWire.json(WalletInfo()))
        }
        let wallet = try DcrwalletBackend(configuration: configuration(server, callTimeout: .milliseconds(200)), logger: .disabled)
        try await wallet.connect()
        do {
            _ = try await wallet.walletInfo()
            XCTFail("expected a timeout")
        } catch let error as WalletError {
            XCTAssertEqual(error.code, .walletTimeout)
            XCTAssertTrue(error.isUnavailable)
        }
        release.signal()
        await fulfillment(of: [done], timeout: 20)
    }

    func testWire_http401IsAnAuthError() async throws {
        let server = try ScriptedServer(directory: directory)
        let done = server.run(self) { server in
            let peer = try server.accept()
            _ = try peer.readHead()
            try peer.send(WebSocketHandshake.errorResponse(status: 401, reason: "Unauthorized", body: "401 Unauthorized.\n",
                                                           extraHeaders: [("WWW-Authenticate", "Basic realm=\"btcwallet RPC\"")]))
            peer.connection.close()
        }
        let wallet = try DcrwalletBackend(configuration: configuration(server), logger: .disabled)
        do {
            try await wallet.connect()
            XCTFail("expected an auth error")
        } catch let error as WalletError {
            XCTAssertEqual(error.code, .walletAuth)
            XCTAssertFalse(error.message.contains("walletpass-1"), "no password in messages")
        }
        await fulfillment(of: [done], timeout: 20)
    }

    func testWire_certificateMismatchIsATLSError() async throws {
        let server = try ScriptedServer(directory: directory)
        let other = directory.appendingPathComponent("other.cert").path
        try SelfSignedCertificate.generate().write(certificateFile: other, privateKeyFile: directory.appendingPathComponent("other.key").path)
        let done = server.run(self) { server in
            _ = try? server.accept() // the handshake fails on the client side
        }
        let wallet = try DcrwalletBackend(configuration: configuration(server, certificate: other), logger: .disabled)
        await assertWalletError(.walletTLS) { try await wallet.connect() }
        await fulfillment(of: [done], timeout: 20)
    }

    func testWire_unreadableCertificateFileIsATLSError() {
        let server = try? ScriptedServer(directory: directory)
        let missing = directory.appendingPathComponent("nope.cert").path
        XCTAssertThrowsError(try DcrwalletBackend(configuration: RPCEndpointConfiguration(
            host: server?.address ?? "127.0.0.1:1", defaultPort: 19557, user: "u", password: "p", certificatePath: missing,
            name: "wallet 1"), logger: .disabled)) { error in
            XCTAssertEqual((error as? WalletError)?.code, .walletTLS)
            XCTAssertTrue("\(error)".contains(missing))
        }
    }

    func testWire_droppedSocketFailsPendingThenReconnectsAndResubscribes() async throws {
        let server = try ScriptedServer(directory: directory)
        let hash = Self.hash
        let registrations = WalletWire.registrationMethods.enumerated().map { index, method in
            #"{"jsonrpc":"1.0","method":"\#(method)","params":[],"id":\#(index + 1)}"#
        }
        let done = server.run(self) { server in
            let first = try server.accept()
            try first.acceptUpgrade()
            for (index, expected) in registrations.enumerated() {
                XCTAssertEqual(try first.readText(), expected)
                try first.reply(id: index + 1, result: .null)
            }
            XCTAssertEqual(try first.readText(), #"{"jsonrpc":"1.0","method":"getbestblock","params":[],"id":5}"#)
            first.connection.close() // drop with the call pending
            // The client redials on its own and re-registers, in order, ids restarting at 1.
            let second = try server.accept()
            try second.acceptUpgrade()
            for (index, expected) in registrations.enumerated() {
                XCTAssertEqual(try second.readText(), expected)
                try second.reply(id: index + 1, result: .null)
            }
            try second.sendText(#"{"jsonrpc":"1.0","method":"newtickets","params":["\#(hash)",9,100,["n1"]],"id":null}"#)
            XCTAssertEqual(try second.readText(), #"{"jsonrpc":"1.0","method":"getbestblock","params":[],"id":5}"#)
            try second.reply(id: 5, result: WalletWire.json(BestBlock(hash: hash, height: 9)))
        }
        let node = try DcrdBackend(configuration: configuration(server, reconnect: ReconnectPolicy(step: .milliseconds(50), maxDelay: .milliseconds(100))),
                                   logger: .disabled)
        try await node.connect()
        let stream = try await node.notificationStream()
        await assertWalletError(.walletDisconnected) { try await node.bestBlock() }
        var iterator = stream.makeAsyncIterator()
        let note = await iterator.next()
        XCTAssertEqual(note, .newTickets(NewTickets(blockHash: hash, blockHeight: 9, stakeDifficulty: 100, tickets: ["n1"])))
        let best = try await node.bestBlock()
        XCTAssertEqual(best.height, 9)
        await fulfillment(of: [done], timeout: 20)
        await node.close()
    }

    /// dcrd v1.1.0's own text for a block where no ticket matured (`null` list) and for a reorganization reaches
    /// the subscriber as an empty `newtickets` and a `reorganization`, with no "unknown notification" warning.
    func testWire_dcrdNullNewTicketsAndReorganizationAreDelivered() async throws {
        let server = try ScriptedServer(directory: directory)
        let old = String(repeating: "1a", count: 32)
        let new = String(repeating: "2b", count: 32)
        let done = server.run(self) { server in
            let peer = try server.accept()
            try peer.acceptUpgrade()
            for (index, method) in WalletWire.registrationMethods.enumerated() {
                XCTAssertEqual(try peer.readText(), #"{"jsonrpc":"1.0","method":"\#(method)","params":[],"id":\#(index + 1)}"#)
                try peer.reply(id: index + 1, result: .null)
            }
            try peer.sendText(#"{"jsonrpc":"1.0","method":"newtickets","params":["\#(old)",150,20000000,null],"id":null}"#)
            try peer.sendText(#"{"jsonrpc":"1.0","method":"reorganization","params":["\#(old)",150,"\#(new)",150],"id":null}"#)
            try peer.sendText(#"{"jsonrpc":"1.0","method":"blockdisconnected","params":["00"],"id":null}"#)
            try peer.sendText(#"{"jsonrpc":"1.0","method":"winningtickets","params":["\#(new)",150,{}],"id":null}"#)
        }
        let sink = CapturingSink()
        let node = try DcrdBackend(configuration: configuration(server), logger: LogBackend(level: .trace, sinks: [sink]).logger("DCRD"))
        try await node.connect()
        let stream = try await node.notificationStream()
        var iterator = stream.makeAsyncIterator()
        let first = await iterator.next()
        XCTAssertEqual(first, .newTickets(NewTickets(blockHash: old, blockHeight: 150, stakeDifficulty: 20_000_000, tickets: [])))
        let second = await iterator.next()
        XCTAssertEqual(second, .reorganization(Reorganization(oldHash: old, oldHeight: 150, newHash: new, newHeight: 150)))
        let third = await iterator.next()
        XCTAssertEqual(third, .winningTickets(WinningTickets(blockHash: new, blockHeight: 150, tickets: [])))
        XCTAssertFalse(sink.text.contains("notification"), sink.text)
        await fulfillment(of: [done], timeout: 20)
        await node.close()
    }

    func testWire_unreachableServerIsUnavailable() async throws {
        // Held, not listening: connecting is refused, and the port is not handed to anyone else meanwhile.
        let listener = try TCPListener(bindTo: HostPort(host: "127.0.0.1", port: 0), listening: false)
        defer { listener.close() }
        let address = listener.localAddress.description
        let wallet = try DcrwalletBackend(configuration: RPCEndpointConfiguration(
            host: address, defaultPort: 19557, user: "u", password: "p", certificatePath: nil, name: "wallet 2"), logger: .disabled)
        do {
            try await wallet.connect()
            XCTFail("expected a connect failure")
        } catch let error as WalletError {
            XCTAssertEqual(error.code, .walletUnreachable)
            XCTAssertTrue(error.isUnavailable)
        }
    }

    private func assertWalletError<T>(_ code: ErrorCode, _ body: () async throws -> T, file: StaticString = #filePath, line: UInt = #line) async {
        do {
            _ = try await body()
            XCTFail("expected \(code)", file: file, line: line)
        } catch {
            XCTAssertEqual((error as? WalletError)?.code, code, "\(error)", file: file, line: line)
        }
    }
}
