import PoolKernel
import PoolNet

/// One JSON-RPC websocket (TLS, HTTP Basic auth on the upgrade) to dcrd or dcrwallet, its failures in the wallet
/// ports' terms (`WalletRPCErrors`): rpc codes kept, unreachable → `isUnavailable`, bad replies → `walletBadResponse`.
struct VspRPCConnection: Sendable {
    let client: JSONRPCClient

    init(_ configuration: JSONRPCClientConfiguration, logger: Logger) throws {
        do {
            client = try JSONRPCClient(configuration: configuration, logger: logger)
        } catch {
            throw WalletRPCErrors.map(error, name: configuration.name)
        }
    }

    var name: String { client.configuration.name }

    func connect() async throws {
        do { try await client.connect() } catch { throw WalletRPCErrors.map(error, name: name) }
    }

    func call(_ method: String, _ params: [JSONValue] = []) async throws -> JSONValue {
        do { return try await client.call(method, params) } catch { throw WalletRPCErrors.map(error, name: name) }
    }

    /// Calls a registration method and has the client re-send it after every reconnect.
    func subscribe(_ method: String) async throws {
        do { try await client.subscribe(method) } catch { throw WalletRPCErrors.map(error, name: name) }
    }
}
