import Foundation
import HostKit
import PoolKernel
import PoolNet
import PoolTestKit
import SimnetHost
import StorageSQLite
import WalletSimnet
import XCTest

/// Three simulated wallets served over TLS websockets by an in-process `SimnetRPCHost`, and a dcrstakepool.conf
/// pointing the production `dcrwallet` plugin at them. The cold (fee) key is the simnet account key of
/// `vectors/hdkeychain.json`, so fee addresses can be checked against the vectors' children; the voting key is
/// the simulation's (the wallets must own the ticket addresses).
package final class SimnetRPCPool: Sendable {
    package static let rpcUser = "pool-rpc"
    package static let rpcPassword = "rpc-test-pass"
    package static let apiSecret = "api-secret-value-0123456789abcdef"
    package static let baseURL = "http://127.0.0.1:8000"

    package let directory: URL
    package let simnet: Simnet
    package let host: SimnetRPCHost
    package let node: PoolNet.HostPort
    package let wallets: [PoolNet.HostPort]
    package let certificate: String
    package let vectors: SimnetHDVectors

    package init(seed: UInt64 = 21, walletCount: Int = 3, parameters: SimnetParameters = .simnet) throws {
        vectors = try SimnetHDVectors.load()
        directory = try TestEnvironment.makeTemporaryDirectory(prefix: "rpc-pool")
        simnet = Simnet(configuration: .init(seed: seed, walletCount: walletCount, parameters: parameters), logger: .disabled)
        _ = simnet.mine(30)
        host = try SimnetRPCHost(simnet: simnet, configuration: .init(
            nodePort: 0, walletPorts: Array(repeating: 0, count: walletCount), user: Self.rpcUser,
            password: Self.rpcPassword, certificateDirectory: directory.appendingPathComponent("simwallet").path),
            logger: .disabled)
        (node, wallets) = try host.start()
        certificate = try XCTUnwrap(host.configuration.certificateFile)
    }

    /// Stops the servers and removes the directory.
    package func stop() {
        host.stop()
        try? FileManager.default.removeItem(at: directory)
    }

    package static var repoRoot: String { WebAppTestConfig.repoRoot }

    /// Writes dcrstakepool.conf (production plugins: sqlite storage, dcrwallet wallets, log mail) plus `extra`
    /// lines, and returns its path.
    package func writeConfig(_ extra: [String] = []) throws -> String {
        let count = wallets.count
        let lines = [
            "wallet=dcrwallet",
            "simnet=1",
            "wallethosts=" + wallets.map { "127.0.0.1:\($0.port)" }.joined(separator: ","),
            "walletusers=" + Array(repeating: Self.rpcUser, count: count).joined(separator: ","),
            "walletpasswords=" + Array(repeating: Self.rpcPassword, count: count).joined(separator: ","),
            "walletcerts=" + Array(repeating: certificate, count: count).joined(separator: ","),
            "votingwalletextpub=\(simnet.votingExtendedPublicKey)",
            "coldwalletextpub=\(vectors.accountExtendedPublicKey)",
            "apisecret=\(Self.apiSecret)",
            "cookiesecret=cookie-secret-value-0123456789abcdef",
            "baseurl=\(Self.baseURL)",
            "adminips=127.0.0.1",
            "datadir=\(directory.path)/data",
            "logdir=\(directory.path)/logs",
            "templatepath=\(Self.repoRoot)/templates",
            "publicpath=\(Self.repoRoot)/public",
        ] + extra
        let path = directory.appendingPathComponent("dcrstakepool.conf").path
        try (lines.joined(separator: "\n") + "\n").write(toFile: path, atomically: true, encoding: .utf8)
        return path
    }

    /// The validated config of `writeConfig(extra)`.
    package func config(_ extra: [String] = []) throws -> PoolConfig {
        let path = try writeConfig(extra)
        let (loaded, _, _) = try PoolConfig.load(arguments: ["-C", path], home: directory.path, plugins: .builtIn(), hostOptions: WebAppHostOptions.all)
        return try XCTUnwrap(loaded)
    }

    /// The configured SQLite storage, migrated.
    package static func storage(_ config: PoolConfig) async throws -> SQLiteStorage {
        try FileManager.default.createDirectory(atPath: config.dataDir, withIntermediateDirectories: true)
        let storage = SQLiteStorage(configuration: .init(path: config.sqlitePath), logger: .disabled)
        try await storage.migrate()
        return storage
    }

    /// PoolHost's wiring over the config, connected to every wallet.
    package static func services(_ config: PoolConfig, storage: any StorageBackend, logs: LogBackend = LogBackend(level: .error, sinks: [CapturingSink()]))
        async throws -> PoolServices
    {
        let services = try PoolServices.make(config: config, plugins: .builtIn(), logs: logs, storage: storage)
        try await services.walletSet.connect()
        return services
    }

    /// Calls a control method on the simulated node over TLS.
    @discardableResult
    package func control(_ method: String, _ params: [JSONValue] = []) async throws -> JSONValue {
        let client = try JSONRPCClient(configuration: JSONRPCClientConfiguration(
            address: node, tls: TLSClientConfiguration(trust: .certificateFile(certificate)), user: Self.rpcUser,
            password: Self.rpcPassword, name: "control"), logger: .disabled)
        try await client.connect()
        defer { client.close() }
        return try await client.call(method, params)
    }

    /// Replaces wallet `index`'s faults (`down` stops its server; back up listens again on the same port).
    package func setFaults(_ index: Int, _ faults: [(key: String, value: JSONValue)]) async throws {
        try await control("simsetwalletfaults", [.int(Int64(index)), .object(JSONObject(faults))])
    }

    /// The redeem scripts wallet `index` holds (asked in process; the wallet must be up).
    package func scripts(ofWallet index: Int) async throws -> [String] {
        try await SimnetWalletBackend(simnet: simnet, walletIndex: index).listScripts().map { $0.redeemScript.lowercased() }
    }

    /// The pool's compressed public key for user `uid` (`votingwalletextpub`/0/uid), derived here.
    package func poolKey(_ uid: Int64) throws -> [UInt8] {
        try ExtendedPublicKey(parsing: simnet.votingExtendedPublicKey, network: .simnet).child(0).child(UInt32(uid)).publicKey
    }
}

/// The simnet account key and its first external children from `vectors/hdkeychain.json` (`extractor_derived`).
package struct SimnetHDVectors: Sendable {
    package struct Child: Sendable {
        package var publicKeyHex: String
        package var pubKeyAddress: String
    }

    package var accountExtendedPublicKey: String
    package var children: [Child]

    package static func load() throws -> SimnetHDVectors {
        let directory = TestEnvironment.optional("POOL_VECTORS_DIR")
            ?? URL(fileURLWithPath: SimnetRPCPool.repoRoot).deletingLastPathComponent().appendingPathComponent("shared/vectors").path
        let data = try Data(contentsOf: URL(fileURLWithPath: directory + "/hdkeychain.json"))
        guard let root = try JSONSerialization.jsonObject(with: data) as? [String: Any],
              let derived = root["extractor_derived"] as? [[String: Any]],
              let simnet = derived.first(where: { ($0["network"] as? String) == "simnet" }),
              let account = simnet["account_ext_pub"] as? String,
              let children = simnet["children"] as? [[String: Any]]
        else { throw CocoaError(.fileReadCorruptFile) }
        return SimnetHDVectors(accountExtendedPublicKey: account, children: try children.map { child in
            guard let key = child["public_key_hex"] as? String, let address = child["p2pk_address"] as? String else {
                throw CocoaError(.fileReadCorruptFile)
            }
            return Child(publicKeyHex: key, pubKeyAddress: address)
        })
    }
}
