import Foundation
import PoolKernel
import PoolNet
import PoolTestKit

/// Today's dcrwallet (JSON-RPC API 11.0) over a real TLS websocket, answering the calls the vspd front makes with
/// the JSON dcrwallet writes: dcrwallet `rpc/jsonrpc/types/results.go` (`WalletInfoResult`, `TicketInfoResult`,
/// `VoteChoice`), dcrd's `GetBestBlockResult` and `VersionResult`; `setvotechoice` for an unknown agenda is
/// dcrwallet's invalid-parameter error naming it.
final class FakeDcrwallet: Sendable {
    struct Wallet: Sendable {
        var keys: [String] = []
        var tickets: [String: (hex: String, blockHash: String)] = [:]
        var choices: [String: [String: String]] = [:]
        var agendas: [String: [String]] = ["maxtreasuryspend": ["abstain", "yes", "no"]]
        var rescans: [Int64] = []
        var net: UInt32 = 0x1214_1c16
        var spv = false
        var api = (major: 11, minor: 0, patch: 0)
        /// The `dcrwallet` program's version and the API of its dcrd in `version`.
        var program = (major: 2, minor: 1, patch: 6)
        var nodeAPI = (major: 8, minor: 3, patch: 0)
    }

    let rpc: RecordingRPCServer
    let wallet = LockedValue(Wallet())

    init(port: UInt16 = 0) throws {
        rpc = try RecordingRPCServer(name: "fakedcrwallet", port: port)
        install()
    }

    private func install() {
        let wallet = wallet
        rpc.answer("walletinfo", json: #"{"daemonconnected":true,"unlocked":true,"txfee":0.0001,"votebits":1,"votebitsextended":"0b000000","voteversion":11,"voting":true,"vsp":"","manualtickets":true}"#)
        rpc.handle("importprivkey") { params in
            let wif = params.first?.stringValue ?? ""
            guard (try? WIF.decode(wif, network: .simnet)) != nil else {
                throw NetError.rpc(code: -5, message: "Invalid address or key: malformed private key")
            }
            wallet.withLock { if !$0.keys.contains(wif) { $0.keys.append(wif) } }
            return .null
        }
        rpc.handle("addtransaction") { params in
            let blockHash = params.first?.stringValue ?? "", hex = params.count > 1 ? params[1].stringValue ?? "" : ""
            guard let tx = try? DecredTransaction(hex: hex) else {
                throw NetError.rpc(code: -22, message: "Could not decode transaction")
            }
            wallet.withLock { $0.tickets[tx.txid] = (hex, blockHash) }
            return .null
        }
        rpc.handle("setvotechoice") { params in
            let text = params.map { $0.stringValue ?? "" }
            guard text.count == 3 else { throw NetError.rpc(code: -32602, message: "wrong number of params") }
            return try wallet.withLock { wallet in
                guard let choices = wallet.agendas[text[0]] else {
                    throw NetError.rpc(code: -8, message: "no agenda with ID \"\(text[0])\"")
                }
                guard choices.contains(text[1]) else {
                    throw NetError.rpc(code: -8, message: "agenda \"\(text[0])\" has no choice ID \"\(text[1])\"")
                }
                wallet.choices[text[2], default: [:]][text[0]] = text[1]
                return .null
            }
        }
        rpc.handle("settspendpolicy") { _ in .null }
        rpc.handle("settreasurypolicy") { _ in .null }
        rpc.handle("rescanwallet") { params in
            wallet.withLock { $0.rescans.append(params.first?.intValue ?? -1) }
            return .null
        }
        rpc.handle("ticketinfo") { _ in
            let state = wallet.value
            return .array(state.tickets.keys.sorted().map { hash in
                let choices = (state.choices[hash] ?? [:]).sorted { $0.key < $1.key }.map { agenda, choice in
                    json(#"{"agendaid":"\#(agenda)","agendadescription":"Maximum treasury spending","choiceid":"\#(choice)","choicedescription":"\#(choice)"}"#)
                }
                var ticket = JSONObject([("hash", .string(hash)), ("cost", .double(1.2)), ("votingaddress", "SsWKp7wtdTZYabYFYSc9cnxhwFEjA5g4pFc"),
                                         ("status", "live"), ("blockhash", .string(state.tickets[hash]!.blockHash)), ("blockheight", .int(42))])
                if !choices.isEmpty { ticket["choices"] = .array(choices) }
                return .object(ticket)
            })
        }
        rpc.answer("getbestblock", json: #"{"hash":"\#(FakeDcrd.blockHash(9))","height":9}"#)
        rpc.handle("getcurrentnet") { _ in .int(Int64(wallet.value.net)) }
        rpc.handle("version") { _ in
            let state = wallet.value
            let n = state.nodeAPI, program = state.program
            let node = state.spv ? "" : #""dcrd":{"versionstring":"2.1.6","major":2,"minor":1,"patch":6,"prerelease":"","buildmetadata":""},"dcrdjsonrpcapi":{"versionstring":"\#(n.major).\#(n.minor).\#(n.patch)","major":\#(n.major),"minor":\#(n.minor),"patch":\#(n.patch),"prerelease":"","buildmetadata":""},"#
            let api = state.api
            return json(#"{\#(node)"dcrwallet":{"versionstring":"\#(program.major).\#(program.minor).\#(program.patch)","major":\#(program.major),"minor":\#(program.minor),"patch":\#(program.patch),"prerelease":"","buildmetadata":""},"dcrwalletjsonrpcapi":{"versionstring":"\#(api.major).\#(api.minor).\#(api.patch)","major":\#(api.major),"minor":\#(api.minor),"patch":\#(api.patch),"prerelease":"","buildmetadata":""}}"#)
        }
    }
}
