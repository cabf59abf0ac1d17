import Foundation
import PoolKernel

extension ErrorCode {
    /// A dcrd or dcrwallet the vspd front cannot use: too old an API, another network, no `--txindex`, an SPV wallet.
    public static let vspBackendRefused: ErrorCode = "vsp-backend-refused"
}

/// What vspd checks on every new connection before using a node or a wallet (vspd-api.md §8.2, vspd
/// `internal/rpc/dcrd.go`/`dcrwallet.go`), one clear error each, in vspd's order. Written against the ports, so the
/// in-memory fakes and simwallet are held to the same rules as the real daemons.
public enum VspConnectionChecks {
    /// dcrd's JSON-RPC API the vspd front needs: 8.3 or a later 8.x.
    public static let requiredNodeAPI = APIVersion(major: 8, minor: 3, patch: 0)
    /// dcrwallet's JSON-RPC API the vspd front needs: 11.0 or a later 11.x.
    public static let requiredWalletAPI = APIVersion(major: 11, minor: 0, patch: 0)
    /// The dcrd and dcrwallet programs vspd 1.5 requires (§8.2): 2.1.6 or a later 2.x, so the agendas and security
    /// fixes are current. vspd checks the programs' versions beside their APIs.
    public static let requiredNodeProgram = APIVersion(major: 2, minor: 1, patch: 6)
    public static let requiredWalletProgram = APIVersion(major: 2, minor: 1, patch: 6)
    /// The `version` key of each program.
    public static let nodeProgramName = "dcrd"
    public static let walletProgramName = "dcrwallet"

    /// Version (program, then API, as vspd's `checkVersion` calls), then network, then the transaction index.
    public static func checkNode(_ node: any VspNodeBackend, label: String, network: NetParams) async throws {
        let what = "dcrd at \(label)"
        let versions = try await node.version()
        try checkVersion(versions, nodeProgramName, required: requiredNodeProgram, what: what)
        try checkVersion(versions, APIVersion.nodeAPIName, required: requiredNodeAPI, what: what)
        try checkNetwork(try await node.currentNet(), network: network, what: what)
        guard try await node.hasTxIndex() else {
            throw refused("\(what) runs without the transaction index; restart it with --txindex")
        }
    }

    /// Versions in vspd's order — the wallet's dcrd and its API (their presence shows the wallet is not SPV, and they
    /// are held to the node's minimums), then dcrwallet and its API — then network.
    public static func checkWallet(_ wallet: any VspWalletBackend, label: String, network: NetParams) async throws {
        let what = "dcrwallet at \(label)"
        let versions = try await wallet.version()
        guard versions[nodeProgramName] != nil, versions[APIVersion.nodeAPIName] != nil else {
            throw refused("\(what) is an SPV wallet (its version lists no dcrd); the vspd front needs wallets connected to their own dcrd")
        }
        let node = "the dcrd of \(what)"
        try checkVersion(versions, nodeProgramName, required: requiredNodeProgram, what: node)
        try checkVersion(versions, APIVersion.nodeAPIName, required: requiredNodeAPI, what: node)
        try checkVersion(versions, walletProgramName, required: requiredWalletProgram, what: what)
        try checkVersion(versions, APIVersion.walletAPIName, required: requiredWalletAPI, what: what)
        try checkNetwork(try await wallet.currentNet(), network: network, what: what)
    }

    /// vspd's `semverCompatible`: the same major, and minor.patch at least the required one.
    private static func checkVersion(_ versions: [String: APIVersion], _ name: String, required: APIVersion, what: String) throws {
        guard let actual = versions[name] else { throw refused("\(what) does not report its \(name) version") }
        guard actual.isCompatible(withRequired: required) else {
            let minimum = required.patch == 0 ? "\(required.major).\(required.minor)" : required.versionString
            let verb = name.hasSuffix("jsonrpcapi") ? "speaks" : "runs"
            throw refused("\(what) \(verb) \(name) \(actual.versionString); the vspd front needs \(minimum) "
                + "or a later \(required.major).x")
        }
    }

    private static func checkNetwork(_ magic: UInt32, network: NetParams, what: String) throws {
        guard magic == network.netMagic else {
            throw refused("\(what) is on network \(hex(magic)), not \(network.name) (\(hex(network.netMagic)))")
        }
    }

    private static func hex(_ magic: UInt32) -> String { String(format: "0x%08x", magic) }

    private static func refused(_ message: String) -> WalletError { WalletError(.vspBackendRefused, message) }
}
