import PoolKernel

/// Transport and RPC failures of a JSON-RPC client in the wallet ports' terms (wallet-rpc.md §1.4), for every
/// plugin that speaks to dcrwallet or dcrd: a server error object keeps its code and message; an unreachable,
/// dropped or timed-out server is `isUnavailable`; a reply that is not JSON-RPC is `walletBadResponse`.
public enum WalletRPCErrors {
    /// `error` as a `WalletError` when it is a `NetError`; anything else (CancellationError, a `WalletError`) passes
    /// through. `name` (`wallet 0`, `dcrd`) prefixes messages that are not the server's.
    public static func map(_ error: any Error, name: String) -> any Error {
        guard let error = error as? NetError else { return error }
        if error.code == .netRPC {
            return WalletError.rpc(code: error.rpcCode ?? 0, message: error.rpcMessage ?? "")
        }
        let code: ErrorCode = switch error.code {
        case .netTimeout: .walletTimeout
        case .netDisconnected: .walletDisconnected
        case .netShutdown: .walletShutdown
        case .netAuth: .walletAuth
        case .netTLS, .netTLSUntrusted, .netTLSHostMismatch, .netCertificate: .walletTLS
        case .netProtocol, .netTooLarge: .walletBadResponse
        default: .walletUnreachable
        }
        let message: String = switch code {
        case .walletDisconnected: "the client has been disconnected"
        case .walletShutdown: "the client has been shutdown"
        default: "\(name): \(error.message)"
        }
        return WalletError(code, message)
    }
}
