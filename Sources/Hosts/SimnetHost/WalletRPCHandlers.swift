import PoolKernel
import PoolNet
import WalletDcrwallet

/// Serves any `WalletBackend` / `NodeBackend` as dcrwallet / dcrd JSON-RPC methods: the inverse of
/// `DcrwalletBackend`/`DcrdBackend`, used by simulated servers and tests. Params are checked like the
/// Go servers do (count, types, optional trailing params with their defaults); bad params answer
/// `-32600` (wallet) / `-32602` (node). Backend `WalletError`s with an RPC code pass through.
public enum WalletRPCHandlers {
    /// Method name → handler for the wallet methods of wallet-rpc.md §2.
    public static func wallet(_ wallet: any WalletBackend) -> [String: JSONRPCHandler] {
        let bad = WalletRPCCode.invalidRequest
        return [
            "walletinfo": { params in
                try Params(params, "walletinfo", max: 0, code: bad).done()
                return WalletWire.json(try await wallet.walletInfo())
            },
            "validateaddress": { params in
                let p = try Params(params, "validateaddress", max: 1, code: bad)
                return WalletWire.json(try await wallet.validateAddress(try p.string(0)))
            },
            "createmultisig": { params in
                let p = try Params(params, "createmultisig", max: 2, code: bad)
                return WalletWire.json(try await wallet.createMultisig(nRequired: Int(try p.int(0)), keys: try p.strings(1)))
            },
            "importscript": { params in
                let p = try Params(params, "importscript", min: 1, max: 3, code: bad)
                try await wallet.importScript(try p.string(0), rescan: try p.optionalBool(1) ?? true,
                                              scanFrom: try p.optionalInt(2) ?? 0)
                return .null
            },
            "getbestblock": { params in
                try Params(params, "getbestblock", max: 0, code: bad).done()
                return WalletWire.json(try await wallet.bestBlock())
            },
            "getstakeinfo": { params in
                try Params(params, "getstakeinfo", max: 0, code: bad).done()
                return WalletWire.json(try await wallet.stakeInfo())
            },
            "stakepooluserinfo": { params in
                let p = try Params(params, "stakepooluserinfo", max: 1, code: bad)
                return WalletWire.json(try await wallet.stakePoolUserInfo(multisigAddress: try p.string(0)))
            },
            "accountsyncaddressindex": { params in
                let p = try Params(params, "accountsyncaddressindex", max: 3, code: bad)
                try await wallet.accountSyncAddressIndex(account: try p.string(0), branch: try p.uint32(1), index: try p.uint32(2))
                return .null
            },
            "gettickets": { params in
                let p = try Params(params, "gettickets", max: 1, code: bad)
                return WalletWire.json(ticketHashes: try await wallet.tickets(includeImmature: try p.bool(0)))
            },
            "getrawtransaction": { params in
                let p = try Params(params, "getrawtransaction", min: 1, max: 2, code: bad)
                guard (try p.optionalInt(1) ?? 0) == 0 else {
                    throw NetError.rpc(code: WalletRPCCode.invalidParameter, message: "verbose transactions are not supported")
                }
                return .string(try await wallet.rawTransaction(txid: try p.string(0)))
            },
            "addticket": { params in
                let p = try Params(params, "addticket", max: 1, code: bad)
                try await wallet.addTicket(try p.string(0))
                return .null
            },
            "gettransaction": { params in
                let p = try Params(params, "gettransaction", min: 1, max: 2, code: bad)
                return WalletWire.json(try await wallet.transaction(txid: try p.string(0)))
            },
            "generatevote": { params in
                let p = try Params(params, "generatevote", max: 5, code: bad)
                return WalletWire.json(voteHex: try await wallet.generateVote(
                    blockHash: try p.string(0), height: try p.int(1), ticket: try p.string(2), voteBits: try p.uint16(3),
                    voteBitsExtended: try p.string(4)))
            },
            "version": { params in
                try Params(params, "version", max: 0, code: bad).done()
                return WalletWire.json(versions: try await wallet.version().sorted { $0.key < $1.key }.map { ($0.key, $0.value) })
            },
        ]
    }

    /// Method name → handler for the wallet methods whose replies are written as JSON bytes without a tree
    /// (`listscripts`: ~260 bytes a script, a million scripts in a big pool; `stakepooluserinfo`: ~190 bytes a ticket).
    /// Install them beside `wallet(_:)`, which they replace.
    public static func walletRaw(_ wallet: any WalletBackend) -> [String: JSONRPCRawHandler] {
        [
            "listscripts": { params in
                try Params(params, "listscripts", max: 0, code: WalletRPCCode.invalidRequest).done()
                let scripts = try await wallet.listScripts()
                var writer = ScriptListJSONWriter(expectedScripts: scripts.count)
                for script in scripts { writer.append(script) }
                return writer.finish()
            },
            "stakepooluserinfo": { params in
                let p = try Params(params, "stakepooluserinfo", max: 1, code: WalletRPCCode.invalidRequest)
                return UserInfoJSONWriter.result(try await wallet.stakePoolUserInfo(multisigAddress: try p.string(0)))
            },
        ]
    }

    /// Method name → handler for the dcrd methods stakepoold uses (registration methods are the
    /// server's `registerSubscription` business; see `WalletWire.notificationsByRegistration`).
    public static func node(_ node: any NodeBackend) -> [String: JSONRPCHandler] {
        let bad = WalletRPCCode.invalidParams
        return [
            "sendrawtransaction": { params in
                let p = try Params(params, "sendrawtransaction", min: 1, max: 2, code: bad)
                return .string(try await node.sendRawTransaction(try p.string(0), allowHighFees: try p.optionalBool(1) ?? false))
            },
            "decoderawtransaction": { params in
                let p = try Params(params, "decoderawtransaction", max: 1, code: bad)
                return WalletWire.json(try await node.decodeRawTransaction(try p.string(0)))
            },
            "getblockheader": { params in
                let p = try Params(params, "getblockheader", min: 1, max: 2, code: bad)
                guard try p.optionalBool(1) == false else {
                    throw NetError.rpc(code: WalletRPCCode.invalidParameter, message: "only verbose=false is supported")
                }
                return .string(try await node.blockHeader(hash: try p.string(0)))
            },
            "getcurrentnet": { params in
                try Params(params, "getcurrentnet", max: 0, code: bad).done()
                return .int(Int64(try await node.currentNet()))
            },
            "getbestblock": { params in
                try Params(params, "getbestblock", max: 0, code: bad).done()
                return WalletWire.json(try await node.bestBlock())
            },
            "version": { params in
                try Params(params, "version", max: 0, code: bad).done()
                return WalletWire.json(versions: try await node.version().sorted { $0.key < $1.key }.map { ($0.key, $0.value) })
            },
        ]
    }

    /// Registers `handlers` and the dcrd notification registrations on `server`.
    public static func install(_ handlers: [String: JSONRPCHandler], raw: [String: JSONRPCRawHandler] = [:],
                               on server: JSONRPCServer, withNotifications: Bool = false) {
        for (method, handler) in handlers { server.register(method, handler) }
        for (method, handler) in raw { server.registerRaw(method, handler) }
        if withNotifications {
            for (method, notifications) in WalletWire.notificationsByRegistration {
                server.registerSubscription(method, notifications: notifications)
            }
        }
    }

    /// Pushes a node notification to the sessions that registered for it.
    @discardableResult
    public static func publish(_ notification: ChainNotification, on server: JSONRPCServer) -> Int {
        let (method, params) = WalletWire.params(of: notification)
        return server.notify(method, params)
    }
}

/// Positional params with Go-like checking.
struct Params {
    let values: [JSONValue]
    let method: String
    let code: Int

    init(_ values: [JSONValue], _ method: String, min: Int? = nil, max: Int, code: Int) throws {
        let minimum = min ?? max
        guard values.count >= minimum, values.count <= max else {
            throw NetError.rpc(code: code, message: "wrong number of params (expected \(minimum == max ? "\(max)" : "\(minimum) to \(max)"), received \(values.count))")
        }
        self.values = values
        self.method = method
        self.code = code
    }

    func done() {}

    private func bad(_ index: Int, _ type: String) -> NetError {
        NetError.rpc(code: code, message: "parameter #\(index + 1) of \(method) must be \(type)")
    }

    func string(_ index: Int) throws -> String {
        guard let text = values[index].stringValue else { throw bad(index, "a string") }
        return text
    }

    func bool(_ index: Int) throws -> Bool {
        guard let flag = values[index].boolValue else { throw bad(index, "a bool") }
        return flag
    }

    func int(_ index: Int) throws -> Int64 {
        guard let number = values[index].intValue else { throw bad(index, "an integer") }
        return number
    }

    func uint32(_ index: Int) throws -> UInt32 {
        guard let number = UInt32(exactly: try int(index)) else { throw bad(index, "a uint32") }
        return number
    }

    func uint16(_ index: Int) throws -> UInt16 {
        guard let number = UInt16(exactly: try int(index)) else { throw bad(index, "a uint16") }
        return number
    }

    func strings(_ index: Int) throws -> [String] {
        guard let array = values[index].arrayValue else { throw bad(index, "an array of strings") }
        return try array.map { guard let text = $0.stringValue else { throw bad(index, "an array of strings") }; return text }
    }

    func optionalBool(_ index: Int) throws -> Bool? {
        guard index < values.count, !values[index].isNull else { return nil }
        return try bool(index)
    }

    func optionalInt(_ index: Int) throws -> Int64? {
        guard index < values.count, !values[index].isNull else { return nil }
        return try int(index)
    }

    func optionalString(_ index: Int) throws -> String? {
        guard index < values.count, !values[index].isNull else { return nil }
        return try string(index)
    }
}
