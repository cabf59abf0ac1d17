import Foundation
import HostKit
import PoolKernel
import StorageSQLite

/// Pool-service speed figures for `poolbench` / `make bench`, one JSON line each (release build only).
///
/// Goals (issue 8): address registrations/s with 3 in-process wallets ≥ 1,000/s; startup sync of 100,000 users /
/// 300,000 tickets across 3 wallets with one wallet empty (restored from seed) < 60 s. Storage is SQLite in a
/// temporary directory; the wallets are `BenchWallet`s (in-process, dictionary-backed simulated wallets).
public enum ServicesBenchmarks {
    public static func runAll(registrations: Int = 5_000, users: Int = 100_000, ticketsPerUser: Int = 3,
                              print emit: @escaping @Sendable (String) -> Void = { Swift.print($0) }) async {
        do {
            try await registrationRate(count: registrations, emit: emit)
        } catch {
            FileHandle.standardError.write(Data("poolbench: registration benchmark failed: \(error)\n".utf8))
        }
        do {
            try await startupSync(users: users, ticketsPerUser: ticketsPerUser, emit: emit)
        } catch {
            FileHandle.standardError.write(Data("poolbench: startup sync benchmark failed: \(error)\n".utf8))
        }
    }

    static func withStorage<T>(_ body: (SQLiteStorage) async throws -> T) async throws -> T {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("poolbench-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let storage = SQLiteStorage(configuration: .init(path: directory.appendingPathComponent("bench.sqlite").path),
                                    logger: .disabled)
        try await storage.migrate()
        do {
            let result = try await body(storage)
            await storage.shutdown()
            return result
        } catch {
            await storage.shutdown()
            throw error
        }
    }

    /// Registrations/s: `count` users each submit an address, 16 in flight, 3 wallets.
    static func registrationRate(count: Int, emit: @Sendable (String) -> Void) async throws {
        try await withStorage { storage in
            try await storage.write { tx in
                for index in 0..<count { _ = try tx.insertUser(User(email: "u\(index)@bench.example", passwordHash: "x")) }
            }
            let world = BenchWorld()
            let wallets = (0..<3).map { BenchWallet(world: world, index: $0) }
            let pool = WalletPool(members: wallets.enumerated().map { .init(label: "bench\($0.offset)", backend: $0.element) },
                                  configuration: .init(minServers: 2), logger: .disabled)
            let registration = AddressRegistration(pool: pool, storage: storage, keys: BenchKeys(), logger: .disabled)
            let ids = (1...count).map { UserId(Int64($0)) }
            let started = Date()
            try await forEachBench(ids, limit: 16) { id in
                _ = try await registration.registerAddress(
                    userId: id, pubKeyAddress: BenchKeys.userAddresses[Int(id.rawValue) % BenchKeys.userAddresses.count])
            }
            let seconds = Date().timeIntervalSince(started)
            let rate = Double(count) / seconds
            emit(#"{"bench":"registrations_3_wallets","value":\#(String(format: "%.0f", rate)),"unit":"registrations/s","goal":">=1000"}"#)
        }
    }

    /// Startup sync of `users` users / `users × ticketsPerUser` tickets with wallet 2 empty.
    static func startupSync(users: Int, ticketsPerUser: Int, emit: @Sendable (String) -> Void) async throws {
        try await withStorage { storage in
            let scripts = (0..<users).map { String(format: "5121%066x2102%064x52ae", $0 + 1, $0 + 1) }
            var start = 0
            while start < users {
                let end = min(users, start + 10_000)
                let slice = Array(start..<end)
                try await storage.write { tx in
                    for index in slice {
                        _ = try tx.insertUser(User(email: "u\(index)@bench.example", passwordHash: "x",
                                                   multiSigAddress: "Sc\(index)", multiSigScript: scripts[index],
                                                   userPubKeyAddr: "Sk\(index)", heightRegistered: Int64(index % 5_000)))
                    }
                }
                start = end
            }
            let world = BenchWorld()
            let tickets = users * ticketsPerUser
            world.state.withLock { state in
                for n in 0..<tickets { state.rawTransactions[String(format: "%064x", n)] = String(format: "01%062x", n) }
            }
            let wallets = (0..<3).map { BenchWallet(world: world, index: $0) }
            for wallet in wallets.prefix(2) {
                wallet.state.withLock { state in
                    state.scripts = Set(scripts)
                    for n in 0..<tickets { state.tickets.insert(String(format: "%064x", n)) }
                }
            }
            let pool = WalletPool(members: wallets.enumerated().map { .init(label: "bench\($0.offset)", backend: $0.element) },
                                  configuration: .init(minServers: 2), logger: .disabled)
            let started = Date()
            let report = try await StartupSync(pool: pool, storage: storage, configuration: .init(concurrency: 64),
                                               logger: .disabled).syncWallets()
            let seconds = Date().timeIntervalSince(started)
            guard report.scriptsImported == [0, 0, users], report.ticketsAdded == [0, 0, tickets] else {
                throw WalletPoolError(.inconsistent, "sync did not repair the empty wallet: \(report)")
            }
            emit(#"{"bench":"startup_sync_\#(users)_users_\#(tickets)_tickets","value":\#(String(format: "%.2f", seconds)),"unit":"s","goal":"<60"}"#)
        }
    }

    private static func forEachBench<Item: Sendable>(_ items: [Item], limit: Int,
                                                     _ body: @escaping @Sendable (Item) async throws -> Void) async throws {
        try await withThrowingTaskGroup(of: Void.self) { group in
            var iterator = items.makeIterator()
            for _ in 0..<limit {
                guard let item = iterator.next() else { break }
                group.addTask { try await body(item) }
            }
            while try await group.next() != nil {
                if let item = iterator.next() { group.addTask { try await body(item) } }
            }
        }
    }
}

/// Keys for the registration benchmark: fixed ticket/fee addresses per user id, real user-address validation.
struct BenchKeys: RegistrationKeyDeriving {
    /// Valid simnet secp256k1 pubkey addresses: children of the simulated seed's cold key (any real keys do).
    static let userAddresses: [String] = {
        guard let root = try? ExtendedPublicKey(parsing: SimnetWalletPlugin.defaultKeys.cold, network: .simnet).child(1)
        else { return [] }
        return (0..<8).compactMap { try? root.child($0).pubKeyAddress(network: .simnet).encoded }
    }()
    func validateUserAddress(_ text: String) throws { _ = try UserPubKeyAddress.validate(text, poolNetwork: .simnet) }
    func ticketAddress(userId: UserId) throws -> String { "SsBenchTicket\(userId.rawValue)" }
    func feeAddress(userId: UserId) throws -> String { "SsBenchFee\(userId.rawValue)" }
    func pubKeyAddress(compressedKey: [UInt8]) throws -> String {
        throw ChainError(.badPublicKey, "not used by the benchmark")
    }
    func expectedMultisig(poolPubKeyAddress: String, userPubKeyAddress: String) throws -> MultisigScript? { nil }
}

/// What every bench wallet's node knows.
final class BenchWorld: Sendable {
    struct State: Sendable { var rawTransactions: [String: String] = [:] }
    let state = LockedValue(State())
}

/// An in-process simulated wallet for the benchmarks: answers like dcrwallet from dictionaries, no chain logic.
final class BenchWallet: WalletBackend {
    struct State: Sendable {
        var scripts: Set<String> = []
        var tickets: Set<String> = []
        var synced: UInt32 = 0
    }
    let world: BenchWorld
    let index: Int
    let state = LockedValue(State())

    init(world: BenchWorld, index: Int) {
        self.world = world
        self.index = index
    }

    static func filler(_ seed: String, bytes: Int) -> String {
        var hash: UInt64 = 0xcbf2_9ce4_8422_2325
        for byte in seed.utf8 { hash = (hash ^ UInt64(byte)) &* 0x100_0000_01b3 }
        var out = [UInt8]()
        out.reserveCapacity(bytes * 2)
        let digits = Array("0123456789abcdef".utf8)
        for _ in 0..<bytes {
            hash = (hash ^ 0x9e) &* 0x100_0000_01b3
            let byte = UInt8(truncatingIfNeeded: hash >> 24)
            out.append(digits[Int(byte >> 4)])
            out.append(digits[Int(byte & 15)])
        }
        return String(decoding: out, as: UTF8.self)
    }

    func walletInfo() async throws -> WalletInfo { WalletInfo() }
    func validateAddress(_ address: String) async throws -> AddressValidation {
        AddressValidation(isValid: true, address: address, isMine: true, pubKeyAddress: "SkPool" + address.dropFirst(7),
                          pubKey: Self.filler(address, bytes: 33), isCompressed: true, account: "default")
    }
    func createMultisig(nRequired: Int, keys: [String]) async throws -> MultisigScript {
        let script = "51" + keys.map { "21" + Self.filler($0, bytes: 33) }.joined() + "52ae"
        return MultisigScript(address: "Sc" + Self.filler(script, bytes: 16), redeemScript: script)
    }
    func importScript(_ scriptHex: String, rescan: Bool, scanFrom: Int64) async throws {
        guard !scriptHex.isEmpty else { throw WalletError.rpc(code: -4, message: "passed empty script") }
        _ = state.withLock { $0.scripts.insert(scriptHex) }
    }
    func bestBlock() async throws -> BestBlock { BestBlock(hash: String(repeating: "0", count: 64), height: 1_000) }
    func stakeInfo() async throws -> StakeInfo { StakeInfo(live: UInt32(state.value.tickets.count)) }
    func stakePoolUserInfo(multisigAddress: String) async throws -> StakePoolUserInfo { StakePoolUserInfo() }
    func accountSyncAddressIndex(account: String, branch: UInt32, index: UInt32) async throws {
        state.withLock { $0.synced = max($0.synced, index) }
    }
    func listScripts() async throws -> [ImportedScript] {
        state.value.scripts.map { ImportedScript(hash160: "", address: "", redeemScript: $0) }
    }
    func tickets(includeImmature: Bool) async throws -> [String] { Array(state.value.tickets) }
    func rawTransaction(txid: String) async throws -> String {
        guard let hex = world.state.withLock({ $0.rawTransactions[txid] }) else {
            throw WalletError.rpc(code: -5, message: "No information available about transaction \(txid)")
        }
        return hex
    }
    func addTicket(_ ticketHex: String) async throws {
        // The bench ticket hex carries its number; the hash is that number as 64 hex digits.
        guard ticketHex.count == 64, let number = UInt64(ticketHex.dropFirst(2), radix: 16) else {
            throw WalletError.rpc(code: -22, message: "TX decode failed")
        }
        _ = state.withLock { $0.tickets.insert(String(format: "%064x", number)) }
    }
    func transaction(txid: String) async throws -> WalletTransaction {
        throw WalletError.rpc(code: -5, message: "No information for transaction")
    }
    func generateVote(blockHash: String, height: Int64, ticket: String, voteBits: UInt16,
                      voteBitsExtended: String) async throws -> String {
        throw WalletError.rpc(code: -4, message: "ticket purchase transaction not found")
    }
    func version() async throws -> [String: APIVersion] { [APIVersion.walletAPIName: .requiredWallet] }
}
