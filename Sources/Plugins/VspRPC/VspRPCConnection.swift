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

    /// Dials, then runs `check` (vspd's connection checks), which also runs on every reconnected socket. A refusal
    /// closes the client for good; another failure of the check drops the socket for the reconnect policy to retry.
    /// A failed dial keeps dialing in the background when `keepDialing` (calls are unavailable meanwhile).
    func connect(checking check: @escaping @Sendable () async throws -> Void, keepDialing: Bool) async throws {
        client.setReconnectCheck(check)
        do {
            try await connect()
        } catch {
            if keepDialing { client.keepConnecting() }
            throw error
        }
        do {
            try await check()
        } catch let error as WalletError where error.code == .vspBackendRefused {
            client.close()
            throw error
        } catch {
            client.dropConnection()
            throw error
        }
    }

    /// Calls a registration method and has the client re-send it after every reconnect.
    func subscribe(_ method: String) async throws {
        do { try await client.subscribe(method) } catch { throw WalletRPCErrors.map(error, name: name) }
    }
}
