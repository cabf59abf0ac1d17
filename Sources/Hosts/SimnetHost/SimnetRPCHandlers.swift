import PoolKernel
import PoolNet
import WalletDcrwallet
import WalletSimnet

/// The JSON-RPC method tables of the simulated simnet: dcrwallet's methods for each wallet, dcrd's for the
/// node (wallet-rpc.md §2, exact result shapes via `WalletRPCHandlers`), plus control methods to drive the
/// simulation from outside (`poolctl`, tests, a developer with `curl`-like tools).
///
/// Control methods (served by the node; params positional, errors are -8 invalid parameter):
/// - `simmine [count?]` → `{"hash","height"}`: mines `count` (default 1, at most 100,000) blocks.
/// - `simreorganize []` → `{"oldhash","newhash","height"}`: replaces the tip with a sibling block (a depth-1
///   reorganization); subscribers get dcrd's `reorganization` notification, then the new block's.
/// - `simbuytickets [ticketAddress, feeAddress, count?, fee?]` → `{"tickets":[hash,…]}`: fee is `"correct"`
///   (default), `"toolow"`, or an integer amount in atoms.
/// - `simsetwalletfaults [index, {"down","locked","daemondisconnected","lagblocks","disagrees"}]` → null:
///   replaces the wallet's faults (missing keys = off).
/// - `simdelayvotes [index, milliseconds]` → null: the wallet answers `generatevote` only after that long (at most
///   600,000); `0` clears it (a wallet too slow to vote within stakepoold's deadline).
/// - `simwipewallet [index]` → null: the wallet is restored from seed (nothing imported, no added tickets).
/// - `simstallimports [index, bool]` → null: the wallet's `importscript` hangs until released, then fails
///   (served by `SimnetRPCHost`, which owns the wallets' servers).
/// - `simsetnodefaults [{"dropnotifications","down"}]` → null.
/// - `simdropconnections []` → null: drops every websocket of the node (clients must reconnect).
/// - `simsetvotesettings [index, {"voteversion","votebits","voting"}]` → null.
/// - `siminfo []` → chain-wide counts, current winners (and `awaitingvotes`: those a wallet could vote whose vote
///   has not arrived), the pool's extended public keys, the network's name and the wallets' vote version.
/// - `simvote [ticket]` → `{"status","votebits","voteversion"}`: the ticket's chain status and, once voted, the
///   bits and vote version its vote carried (null before).
/// - `simaddresses [uid]` → `{"ticketaddress","feeaddress"}` of user `uid`.
/// - `simbuysoloticket [votingAddress, commitmentAddress, broadcast?]` → `{"tickethex","tickethash","parenthex",
///   "parenthash"}`: a solo ticket as today's dcrwallet buys one for a VSP (unbroadcast unless `broadcast`).
/// - `simfeetx [address, atoms]` → `{"hex"}`: a fee payment of `atoms` to `address`, unbroadcast.
/// - `simregisteruser [uid]` → `{"multisigaddress","redeemscript","feeaddress"}`: a 1-of-2 multisig of the
///   pool key `/0/uid` and a stand-in user key, imported into every wallet (a user without the web app).
public enum SimnetRPCHandlers {
    /// Connection-level effects a control call may need from the host that serves the tables.
    public struct Hooks: Sendable {
        /// Drop every client connection of the node's server.
        public var dropNodeConnections: @Sendable () -> Void
        /// A wallet went down (true) or came back (false): the host stops or restarts its server.
        public var walletAvailability: @Sendable (_ index: Int, _ down: Bool) -> Void

        public init(dropNodeConnections: @escaping @Sendable () -> Void = {},
                    walletAvailability: @escaping @Sendable (Int, Bool) -> Void = { _, _ in }) {
            self.dropNodeConnections = dropNodeConnections
            self.walletAvailability = walletAvailability
        }
    }

    /// dcrwallet's methods over simulated wallet `index` (including the pool's unused `ticketsforaddress`).
    public static func wallet(_ simnet: Simnet, index: Int) -> [String: JSONRPCHandler] {
        let backend = SimnetWalletBackend(simnet: simnet, walletIndex: index)
        var handlers = WalletRPCHandlers.wallet(backend)
        handlers["ticketsforaddress"] = { params in
            let address = try ControlParams(params, "ticketsforaddress", count: 1...1, code: WalletRPCCode.invalidRequest)
                .string(0)
            let tickets = try simnet.ticketsForAddress(wallet: index, address: address)
            return .object(JSONObject([("tickets", .array(tickets.map(JSONValue.string)))]))
        }
        return handlers
    }

    /// The wallet methods of simulated wallet `index` answered as JSON bytes: `listscripts` written straight from the
    /// wallet's script bytes (no `ImportedScript` strings, no tree), for pools of a million users (`poolbench scale`),
    /// and `stakepooluserinfo` from the tickets' hashes (a user with 10,000 tickets: the tickets page).
    public static func walletRaw(_ simnet: Simnet, index: Int) -> [String: JSONRPCRawHandler] {
        let backend = SimnetWalletBackend(simnet: simnet, walletIndex: index)
        return [
            "listscripts": { params in
                try Params(params, "listscripts", max: 0, code: WalletRPCCode.invalidRequest).done()
                var writer = ScriptListJSONWriter()
                try backend.forEachScript(begin: { writer = ScriptListJSONWriter(expectedScripts: $0) }) { hash160, address, script in
                    writer.append(hash160: hash160, address: address, redeemScript: script)
                }
                return writer.finish()
            },
            "stakepooluserinfo": { params in
                let p = try Params(params, "stakepooluserinfo", max: 1, code: WalletRPCCode.invalidRequest)
                return UserInfoJSONWriter.result(try backend.stakePoolUserTickets(multisigAddress: try p.string(0)))
            },
        ]
    }

    /// dcrd's methods over the simulated node, plus the control methods.
    public static func node(_ simnet: Simnet, hooks: Hooks = Hooks()) -> [String: JSONRPCHandler] {
        let backend = SimnetNodeBackend(simnet: simnet)
        var handlers = WalletRPCHandlers.node(backend)
        // dcrd's getrawtransaction (what a wallet passes through to its node).
        handlers["getrawtransaction"] = { params in
            let p = try ControlParams(params, "getrawtransaction", count: 1...2, code: WalletRPCCode.invalidParams)
            guard try p.optionalInt(1) ?? 0 == 0 else {
                throw NetError.rpc(code: WalletRPCCode.invalidParameter, message: "verbose transactions are not supported")
            }
            return .string(try simnet.nodeRawTransaction(txid: try p.string(0)))
        }
        for (method, handler) in control(simnet, hooks: hooks) { handlers[method] = handler }
        return handlers
    }

    /// Forwards every notification of `simnet` to the sessions of `server` that registered for it.
    /// Returns the subscription token (`simnet.unsubscribe(token)` stops it).
    @discardableResult
    public static func bridgeNotifications(from simnet: Simnet, to server: JSONRPCServer) -> Int {
        simnet.subscribe { notification in WalletRPCHandlers.publish(notification, on: server) }
    }

    /// The control methods alone.
    public static func control(_ simnet: Simnet, hooks: Hooks) -> [String: JSONRPCHandler] {
        let bad = WalletRPCCode.invalidParameter
        return [
            "simmine": { params in
                let p = try ControlParams(params, "simmine", count: 0...1, code: bad)
                let count = try p.optionalInt(0) ?? 1
                guard (0...100_000).contains(count) else { throw NetError.rpc(code: bad, message: "count must be 0…100000") }
                let tip = simnet.mine(Int(count))
                return WalletWire.json(tip)
            },
            "simreorganize": { params in
                _ = try ControlParams(params, "simreorganize", count: 0...0, code: bad)
                guard let change = simnet.reorganize() else {
                    throw NetError.rpc(code: bad, message: "the chain has only the genesis block: mine one first")
                }
                return .object(JSONObject([("oldhash", .string(change.oldHash)), ("newhash", .string(change.newHash)),
                                           ("height", .int(change.newHeight))]))
            },
            "simbuytickets": { params in
                let p = try ControlParams(params, "simbuytickets", count: 2...4, code: bad)
                let count = try p.optionalInt(2) ?? 1
                guard (0...100_000).contains(count) else { throw NetError.rpc(code: bad, message: "count must be 0…100000") }
                let fee: Simnet.PoolFee
                switch p.values.count > 3 ? p.values[3] : .null {
                case .null, .string("correct"): fee = .correct
                case .string("toolow"): fee = .tooLow
                case let value:
                    guard let atoms = value.intValue, atoms >= 0 else {
                        throw NetError.rpc(code: bad, message: "fee must be \"correct\", \"toolow\" or atoms")
                    }
                    fee = .atoms(atoms)
                }
                let tickets = try simnet.buyTickets(ticketAddress: try p.string(0), feeAddress: try p.string(1),
                                                    count: Int(count), poolFee: fee)
                return .object(JSONObject([("tickets", .array(tickets.map(JSONValue.string)))]))
            },
            "simsetwalletfaults": { params in
                let p = try ControlParams(params, "simsetwalletfaults", count: 2...2, code: bad)
                let index = try p.walletIndex(0, of: simnet)
                let options = try p.object(1)
                let lag = options["lagblocks"]?.intValue ?? 0
                guard (0...1_000_000).contains(lag) else { throw NetError.rpc(code: bad, message: "lagblocks out of range") }
                let faults = SimnetWalletFaults(
                    down: options["down"]?.boolValue ?? false, locked: options["locked"]?.boolValue ?? false,
                    daemonDisconnected: options["daemondisconnected"]?.boolValue ?? false, lagBlocks: Int(lag),
                    disagrees: options["disagrees"]?.boolValue ?? false)
                let wasDown = simnet.faults(wallet: index).down
                simnet.setFaults(faults, wallet: index)
                if wasDown != faults.down { hooks.walletAvailability(index, faults.down) }
                return .null
            },
            "simdelayvotes": { params in
                let p = try ControlParams(params, "simdelayvotes", count: 2...2, code: bad)
                let index = try p.walletIndex(0, of: simnet)
                let milliseconds = try p.int(1)
                guard (0...600_000).contains(milliseconds) else {
                    throw NetError.rpc(code: bad, message: "parameter #2 of simdelayvotes must be 0…600000 milliseconds")
                }
                simnet.setVoteDelay(.milliseconds(milliseconds), wallet: index)
                return .null
            },
            "simwipewallet": { params in
                let index = try ControlParams(params, "simwipewallet", count: 1...1, code: bad).walletIndex(0, of: simnet)
                simnet.wipeWallet(index)
                return .null
            },
            // `simrestartwallet index [empty]`: the wallet's server goes away (clients see a dropped connection)
            // and comes back on the same address; with `empty` true it comes back with nothing imported, as a
            // wallet restored from seed does.
            "simrestartwallet": { params in
                let p = try ControlParams(params, "simrestartwallet", count: 1...2, code: bad)
                let index = try p.walletIndex(0, of: simnet)
                let empty = p.values.count > 1 ? (p.values[1].boolValue ?? false) : false
                var faults = simnet.faults(wallet: index)
                let wasDown = faults.down
                faults.down = true
                simnet.setFaults(faults, wallet: index)
                if !wasDown { hooks.walletAvailability(index, true) }
                if empty { simnet.wipeWallet(index) }
                faults.down = false
                simnet.setFaults(faults, wallet: index)
                hooks.walletAvailability(index, false)
                return .null
            },
            "simsetnodefaults": { params in
                let options = try ControlParams(params, "simsetnodefaults", count: 1...1, code: bad).object(0)
                simnet.setNodeFaults(dropNotifications: options["dropnotifications"]?.boolValue ?? false,
                                     down: options["down"]?.boolValue ?? false)
                return .null
            },
            "simdropconnections": { params in
                _ = try ControlParams(params, "simdropconnections", count: 0...0, code: bad)
                hooks.dropNodeConnections()
                return .null
            },
            "simsetvotesettings": { params in
                let p = try ControlParams(params, "simsetvotesettings", count: 2...2, code: bad)
                let index = try p.walletIndex(0, of: simnet)
                let options = try p.object(1)
                let version = try options["voteversion"].map { value -> UInt32 in
                    guard let number = value.intValue.flatMap(UInt32.init(exactly:)) else {
                        throw NetError.rpc(code: bad, message: "voteversion must be a uint32")
                    }
                    return number
                }
                let bits = try options["votebits"].map { value -> UInt16 in
                    guard let number = value.intValue.flatMap(UInt16.init(exactly:)) else {
                        throw NetError.rpc(code: bad, message: "votebits must be a uint16")
                    }
                    return number
                }
                simnet.setVoteSettings(wallet: index, voteVersion: version, voteBits: bits,
                                       voting: options["voting"]?.boolValue)
                return .null
            },
            "siminfo": { params in
                _ = try ControlParams(params, "siminfo", count: 0...0, code: bad)
                let stats = simnet.stats
                return .object(JSONObject([
                    ("height", .int(Int64(stats.height))), ("immature", .int(Int64(stats.immature))),
                    ("live", .int(Int64(stats.live))), ("voted", .int(Int64(stats.voted))),
                    ("missed", .int(Int64(stats.missed))), ("expired", .int(Int64(stats.expired))),
                    ("revoked", .int(Int64(stats.revoked))), ("mempool", .int(Int64(stats.mempool))),
                    ("winners", .array(simnet.currentWinners.map(JSONValue.string))),
                    ("awaitingvotes", .int(Int64(simnet.awaitingVotes))),
                    ("wallets", .int(Int64(simnet.walletCount))),
                    ("votingwalletextpub", .string(simnet.votingExtendedPublicKey)),
                    ("coldwalletextpub", .string(simnet.coldExtendedPublicKey)),
                    ("network", .string(simnet.network.name)),
                    ("voteversion", .int(Int64(simnet.configuration.parameters.voteVersion))),
                ]))
            },
            "simvote": { params in
                let ticket = try ControlParams(params, "simvote", count: 1...1, code: bad).string(0)
                guard let status = simnet.ticketStatus(ticket) else {
                    throw NetError.rpc(code: bad, message: "unknown ticket \(ticket)")
                }
                let vote = simnet.recordedVote(ticket)
                return .object(JSONObject([
                    ("status", .string(status)),
                    ("votebits", vote.map { .int(Int64($0.bits)) } ?? .null),
                    ("voteversion", vote?.voteVersion.map { .int(Int64($0)) } ?? .null),
                ]))
            },
            "simregisteruser": { params in
                let uid = try ControlParams(params, "simregisteruser", count: 1...1, code: bad).int(0)
                guard (0..<1_000_000).contains(uid) else { throw NetError.rpc(code: bad, message: "uid must be 0…999999") }
                let user = try simnet.registerUser(Int(uid))
                return .object(JSONObject([("multisigaddress", .string(user.ticketAddress)),
                                           ("redeemscript", .string(user.redeemScript)),
                                           ("feeaddress", .string(user.feeAddress))]))
            },
            "simaddresses": { params in
                let uid = try ControlParams(params, "simaddresses", count: 1...1, code: bad).int(0)
                guard (0..<10_000).contains(uid) else { throw NetError.rpc(code: bad, message: "uid must be 0…9999") }
                return .object(JSONObject([("ticketaddress", .string(simnet.ticketAddress(index: Int(uid)))),
                                           ("feeaddress", .string(simnet.feeAddress(index: Int(uid))))]))
            },
            // vspsim: a vspd client's side — a solo ticket (and its parent) and a fee payment, built outside the node.
            "simbuysoloticket": { params in
                let p = try ControlParams(params, "simbuysoloticket", count: 2...3, code: bad)
                let broadcast = p.values.count > 2 ? (p.values[2].boolValue ?? false) : false
                let ticket = try simnet.buySoloTicket(votingAddress: try p.string(0), commitmentAddress: try p.string(1),
                                                      broadcast: broadcast)
                return .object(JSONObject([("tickethex", .string(ticket.ticketHex)), ("tickethash", .string(ticket.ticketHash)),
                                           ("parenthex", .string(ticket.parentHex)), ("parenthash", .string(ticket.parentHash))]))
            },
            "simfeetx": { params in
                let p = try ControlParams(params, "simfeetx", count: 2...2, code: bad)
                return .object(JSONObject([("hex", .string(try simnet.buildFeePayment(address: try p.string(0), atoms: try p.int(1))))]))
            },
            // A benchmark's history of millions of tickets, without mining them.
            "simfabricatetickets": { params in
                let p = try ControlParams(params, "simfabricatetickets", count: 2...4, code: bad)
                let extraAddress = params.count > 2 && !params[2].isNull ? try p.string(2) : nil
                do {
                    let added = try simnet.fabricateTickets(historicPerScript: Int(try p.int(0)), live: Int(try p.int(1)),
                                                            extraAddress: extraAddress, extra: Int(try p.optionalInt(3) ?? 0))
                    return .object(JSONObject([("added", .int(Int64(added)))]))
                } catch let error as WalletError {
                    throw NetError.rpc(code: bad, message: error.message)
                }
            },
        ]
    }
}

/// Positional params of the control methods, checked with clear errors.
struct ControlParams {
    let values: [JSONValue]
    let method: String
    let code: Int

    init(_ values: [JSONValue], _ method: String, count: ClosedRange<Int>, code: Int) throws {
        guard count.contains(values.count) else {
            throw NetError.rpc(code: code, message: "\(method): wrong number of params (expected \(count.lowerBound)…\(count.upperBound), received \(values.count))")
        }
        self.values = values
        self.method = method
        self.code = code
    }

    private func bad(_ index: Int, _ type: String) -> NetError {
        NetError.rpc(code: code, message: "parameter #\(index + 1) of \(method) must be \(type)")
    }

    func string(_ index: Int) throws -> String {
        guard let text = values[index].stringValue else { throw bad(index, "a string") }
        return text
    }

    func int(_ index: Int) throws -> Int64 {
        guard let number = values[index].intValue else { throw bad(index, "an integer") }
        return number
    }

    func optionalInt(_ index: Int) throws -> Int64? {
        guard index < values.count, !values[index].isNull else { return nil }
        return try int(index)
    }

    func object(_ index: Int) throws -> JSONObject {
        guard let object = values[index].objectValue else { throw bad(index, "an object") }
        return object
    }

    func walletIndex(_ index: Int, of simnet: Simnet) throws -> Int {
        let number = try int(index)
        guard number >= 0, number < simnet.walletCount else { throw bad(index, "a wallet index below \(simnet.walletCount)") }
        return Int(number)
    }
}
