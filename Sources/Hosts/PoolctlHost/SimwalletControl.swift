import Foundation
import HostKit
import PoolKernel
import PoolNet

/// The control connection of `poolctl dev`: a JSON-RPC websocket to the node of a running `simwallet`, whose
/// control methods (`simbuytickets`, `simmine`, `siminfo`, docs/simwallet.md) drive the simulated chain.
///
/// Where it connects comes from the configuration `make run` wrote (`run/dev.conf`): `simwalletnode` (default: the
/// network's dcrd port on the first wallet's host), with the first wallet's user, password and certificate
/// (simwallet serves its node and its wallets with the same ones). A node that does not know the control methods
/// is refused with a sentence: `poolctl dev` can never drive a real dcrd.
struct SimwalletControl {
    let client: JSONRPCClient
    let address: String

    /// The option naming the simwallet node (poolctl only: the web app never reads it).
    static let nodeOption = OptionSpec(
        "simwalletnode", .string, default: "",
        help: "poolctl dev: host:port of the simwallet node to drive (default: the network's dcrd port on the first wallethosts host)")

    /// A problem with the connection, said in one sentence.
    struct Failure: Error { let sentence: String }

    /// Connects (bounded: 10 s) to the node the configuration names.
    static func connect(_ config: PoolConfig) async throws -> SimwalletControl {
        let values = config.values
        guard config.walletPlugin == "dcrwallet", let walletHost = values.list("wallethosts").first else {
            throw Failure(sentence: "poolctl dev drives the stack `make run` started: use its run/dev.conf "
                          + "(wallet=dcrwallet pointing at simwallet), not wallet=\(config.walletPlugin)")
        }
        let named = values.string("simwalletnode")
        let address: PoolNet.HostPort
        do {
            if named.isEmpty {
                let host = try PoolNet.HostPort(parsing: walletHost, defaultPort: UInt16(config.network.walletRPCPort)).host
                address = PoolNet.HostPort(host: host, port: UInt16(config.network.dcrdRPCPort))
            } else {
                address = try PoolNet.HostPort(parsing: named)
            }
        } catch {
            throw Failure(sentence: "simwalletnode \"\(named)\" is not host:port")
        }
        let certificate = values.list("walletcerts").first.map { ConfigLoader.expand($0) }
        var client: JSONRPCClient?
        do {
            client = try JSONRPCClient(configuration: JSONRPCClientConfiguration(
                address: address, tls: certificate.map { TLSClientConfiguration(trust: .certificateFile($0)) },
                user: values.list("walletusers").first ?? "", password: values.list("walletpasswords").first ?? "",
                connectTimeout: .seconds(10), callTimeout: .seconds(30), name: "simwallet"), logger: .disabled)
            try await client?.connect()
        } catch {
            client?.close()
            throw Failure(sentence: "cannot reach simwallet at \(address) (is `make run` running?): "
                          + ((error as? any CodedError)?.message ?? "\(error)"))
        }
        guard let client else { throw Failure(sentence: "cannot reach simwallet at \(address)") }
        return SimwalletControl(client: client, address: "\(address)")
    }

    /// Calls a control method; "method not found" means this node is not simwallet.
    func call(_ method: String, _ params: [JSONValue] = []) async throws -> JSONValue {
        do {
            return try await client.call(method, params)
        } catch let error as NetError where error.rpcCode == -32601 {
            throw Failure(sentence: "\(address) does not know \(method): it is not simwallet, and poolctl dev drives only simwallet")
        } catch let error as NetError {
            throw Failure(sentence: "simwallet \(method): \(error.rpcMessage ?? error.message)")
        }
    }

    func close() { client.close() }
}
