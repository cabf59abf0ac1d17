import Foundation

/// Everything the pool needs to know about one Decred network, loaded from data (bundled JSON for
/// mainnet/testnet3/simnet/regnet, or an operator's own file for a fork: no recompile).
public struct NetParams: Sendable, Hashable {
    /// Default TCP ports of the daemons on this network.
    public struct Ports: Sendable, Hashable, Codable {
        /// dcrd peer-to-peer port.
        public var peer: Int
        /// dcrd JSON-RPC port.
        public var nodeRPC: Int
        /// dcrwallet JSON-RPC port (dcrstakepool's default wallet host port).
        public var walletRPC: Int
        /// stakepoold gRPC port.
        public var stakepoold: Int
    }

    /// The 2-byte base58check version of each address kind.
    public struct AddressIDs: Sendable, Hashable {
        public var pubKey: UInt16
        public var pubKeyHash: UInt16
        public var pubKeyHashEd25519: UInt16
        public var pubKeyHashSchnorr: UInt16
        public var scriptHash: UInt16
        public var privateKey: UInt16
    }

    /// The 4-byte versions of serialized extended keys (`dprv`/`dpub`, `tprv`/`tpub`, …).
    public struct HDKeyIDs: Sendable, Hashable {
        public var `private`: UInt32
        public var `public`: UInt32
    }

    /// Stake (ticket) parameters.
    public struct TicketParams: Sendable, Hashable, Codable {
        /// Blocks before a mined ticket joins the live pool.
        public var maturity: Int
        /// Blocks after maturity before an unvoted ticket expires.
        public var expiry: Int
        /// Votes per block.
        public var perBlock: Int
        /// Target live ticket pool size.
        public var poolSize: Int
        public var coinbaseMaturity: Int
        public var stakeEnabledHeight: Int
        public var stakeValidationHeight: Int
        /// Minimum ticket price in atoms.
        public var minimumStakeDiff: Int64
        public var maxFreshStakePerBlock: Int
        public var stakeDiffWindowSize: Int
        public var stakeVersionInterval: Int
        public var ruleChangeActivationInterval: Int
    }

    /// Block subsidy numbers (chaincfg `BaseSubsidy`, `MulSubsidy`, …); optional in a params file, where
    /// `PoolTicketFee.SubsidyParams(network:)` falls back to the bundled network of the same name.
    public struct Subsidy: Sendable, Hashable, Codable {
        public var baseSubsidy: Int64
        public var mulSubsidy: Int64
        public var divSubsidy: Int64
        public var reductionInterval: Int64
        public var workProportion: Int64
        public var stakeProportion: Int64
        public var taxProportion: Int64
        /// The subsidy of block 1 (premine).
        public var blockOneSubsidy: Int64
    }

    /// chaincfg name: `mainnet`, `testnet3`, `simnet`, `regnet`, or a fork's own.
    public var name: String
    /// The network name dcrstakepool shows (home page, stats, API `Network`).
    public var displayName: String
    /// The short name used in block-explorer links (`testnet` for any testnet).
    public var shortName: String
    /// Per-network data directory suffix.
    public var dataDirName: String
    public var netMagic: UInt32
    public var ports: Ports
    /// The first character of this network's addresses (`D`, `T`, `S`, `R`).
    public var addressPrefix: String
    public var addressIDs: AddressIDs
    public var hdKeyIDs: HDKeyIDs
    /// SLIP-0044 coin type and the legacy one older wallets use.
    public var slip44CoinType: UInt32
    public var legacyCoinType: UInt32
    public var targetTimePerBlockSeconds: Int
    public var tickets: TicketParams
    /// Genesis block hash in display (byte-reversed) order.
    public var genesisHash: String
    /// Agendas by vote (stake) version.
    public var voteVersions: [UInt32: [Agenda]]
    /// The file's `subsidy` section (nil: the bundled network's numbers by name, see `SubsidyParams(network:)`).
    public var subsidy: Subsidy? = nil

    /// The newest vote version with agendas (nil when the network has none).
    public var latestVoteVersion: UInt32? { voteVersions.keys.max() }

    /// The agendas of `voteVersion` (empty when the version has none).
    public func agendas(forVoteVersion voteVersion: UInt32) -> [Agenda] { voteVersions[voteVersion] ?? [] }

    /// Names of the bundled networks.
    public static let builtInNames = ["mainnet", "testnet3", "simnet", "regnet"]

    /// Bundled parameters by name (`testnet` is accepted for `testnet3`); unknown names throw `badNetParams`.
    public static func named(_ name: String) throws -> NetParams {
        let canonical = name == "testnet" ? "testnet3" : name
        guard builtInNames.contains(canonical) else {
            throw ChainError(.badNetParams, "Unknown network \"\(name)\"; expected one of \(builtInNames.joined(separator: ", ")) or a params file path.")
        }
        guard let url = bundledURL(name: canonical) else {
            throw ChainError(.badNetParams, "The bundled parameters for \(canonical) are missing from this build.")
        }
        return try load(contentsOf: url)
    }

    /// Where the bundled file of `name` lives in the resource bundle.
    static func bundledURL(name: String) -> URL? {
        Bundle.module.url(forResource: name, withExtension: "json", subdirectory: "netparams")
    }

    /// A network by name, or from a JSON file when `nameOrPath` contains `/` or ends in `.json`.
    public static func resolve(_ nameOrPath: String) throws -> NetParams {
        if nameOrPath.contains("/") || nameOrPath.hasSuffix(".json") {
            return try load(contentsOf: URL(fileURLWithPath: nameOrPath))
        }
        return try named(nameOrPath)
    }

    /// Parameters from a JSON file in the `hxstakepool-netparams-1` format.
    public static func load(contentsOf url: URL) throws -> NetParams {
        let data: Data
        do {
            data = try Data(contentsOf: url)
        } catch {
            throw ChainError(.badNetParams, "Cannot read network parameters file \(url.path).")
        }
        return try decode(json: data, origin: url.lastPathComponent)
    }

    /// Parameters from JSON bytes; `origin` names the source in error messages.
    public static func decode(json data: Data, origin: String = "network parameters") throws -> NetParams {
        guard data.count <= 4 * 1024 * 1024 else {
            throw ChainError(.badNetParams, "\(origin) is larger than 4 MiB.")
        }
        let file: NetParamsFile
        do {
            file = try JSONDecoder().decode(NetParamsFile.self, from: data)
        } catch let DecodingError.keyNotFound(key, context) {
            throw ChainError(.badNetParams, "\(origin): missing field \(path(context.codingPath + [key])).")
        } catch let DecodingError.typeMismatch(_, context), let DecodingError.valueNotFound(_, context) {
            throw ChainError(.badNetParams, "\(origin): field \(path(context.codingPath)) has the wrong type.")
        } catch let DecodingError.dataCorrupted(context) {
            throw ChainError(.badNetParams, "\(origin): malformed JSON near \(path(context.codingPath)).")
        } catch {
            throw ChainError(.badNetParams, "\(origin): malformed JSON.")
        }
        return try file.validated(origin: origin)
    }

    private static func path(_ keys: [any CodingKey]) -> String {
        keys.isEmpty ? "(top level)" : keys.map { $0.intValue.map(String.init) ?? $0.stringValue }.joined(separator: ".")
    }

    /// The bundled networks (loaded once; a missing bundled resource is a build bug).
    public static let mainnet = bundled("mainnet")
    public static let testnet3 = bundled("testnet3")
    public static let simnet = bundled("simnet")
    public static let regnet = bundled("regnet")
    /// All bundled networks, mainnet first.
    public static var allBuiltIn: [NetParams] { [mainnet, testnet3, simnet, regnet] }

    private static func bundled(_ name: String) -> NetParams {
        do {
            return try named(name)
        } catch {
            preconditionFailure("bundled network parameters \(name) are broken: \(error)")
        }
    }
}
