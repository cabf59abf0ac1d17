import PoolKernel
import PoolNet

/// Connection settings shared by the dcrwallet and dcrd backends.
public struct RPCEndpointConfiguration: Sendable, CustomStringConvertible {
    /// `host[:port]`; a missing port becomes `defaultPort`.
    public var host: String
    public var defaultPort: UInt16
    /// Basic-auth credentials. The password is a secret: never logged, not in `description`.
    public var user: String
    public var password: String
    /// PEM file with the server's certificate (the only trust anchor); nil trusts the system store.
    public var certificatePath: String?
    /// Plain `ws://` without TLS (tests and loopback tools only).
    public var disableTLS: Bool
    public var connectTimeout: Duration
    public var callTimeout: Duration
    /// nil: a dropped connection shuts the backend down (the web app); set: reconnect forever.
    public var reconnect: ReconnectPolicy?
    /// Name in log lines (`wallet 0`, `dcrd`).
    public var name: String
    /// Largest reply accepted, bytes (`walletmaxmessagesize` for wallets).
    public var maxMessageSize: Int
    /// The option that sets `maxMessageSize`, named when a reply exceeds it (nil: none, as for dcrd).
    public var maxMessageSizeOption: String?

    public init(host: String, defaultPort: UInt16, user: String, password: String, certificatePath: String?,
                disableTLS: Bool = false, connectTimeout: Duration = .seconds(10), callTimeout: Duration = .seconds(60),
                reconnect: ReconnectPolicy? = nil, name: String, maxMessageSize: Int = 32 << 20,
                maxMessageSizeOption: String? = nil) {
        self.host = host
        self.defaultPort = defaultPort
        self.user = user
        self.password = password
        self.certificatePath = certificatePath
        self.disableTLS = disableTLS
        self.connectTimeout = connectTimeout
        self.callTimeout = callTimeout
        self.reconnect = reconnect
        self.name = name
        self.maxMessageSize = maxMessageSize
        self.maxMessageSizeOption = maxMessageSizeOption
    }

    public var description: String {
        "\(name) \(host) user=\(user) cert=\(certificatePath ?? "<system>")\(disableTLS ? " notls" : "")"
    }
}

/// One JSON-RPC connection plus the NetError → WalletError mapping both backends use.
struct RPCEndpoint: Sendable {
    let client: JSONRPCClient
    let name: String
    /// The option raising the reply cap, named when a reply exceeds it.
    let sizeOption: String?

    init(_ configuration: RPCEndpointConfiguration, logger: Logger) throws {
        let address: PoolNet.HostPort
        do {
            address = try PoolNet.HostPort(parsing: configuration.host, defaultPort: configuration.defaultPort)
        } catch {
            throw WalletError(.walletUnreachable, "\(configuration.name): \(error)")
        }
        let tls: TLSClientConfiguration? = configuration.disableTLS ? nil
            : TLSClientConfiguration(trust: configuration.certificatePath.map { .certificateFile($0) } ?? .system)
        do {
            client = try JSONRPCClient(configuration: JSONRPCClientConfiguration(
                address: address, tls: tls, user: configuration.user, password: configuration.password,
                connectTimeout: configuration.connectTimeout, callTimeout: configuration.callTimeout,
                reconnect: configuration.reconnect, maxMessageSize: configuration.maxMessageSize,
                name: configuration.name), logger: logger)
        } catch {
            throw Self.map(error, name: configuration.name)
        }
        name = configuration.name
        sizeOption = configuration.maxMessageSizeOption
    }

    func connect() async throws {
        do { try await client.connect() } catch { throw mapped(error) }
    }

    func call(_ method: String, _ params: [JSONValue] = []) async throws -> JSONValue {
        do { return try await client.call(method, params) } catch { throw mapped(error) }
    }

    func callRaw(_ method: String, _ params: [JSONValue] = []) async throws -> RawJSON {
        do { return try await client.callRaw(method, params) } catch { throw mapped(error) }
    }

    func subscribe(_ method: String) async throws {
        do { try await client.subscribe(method) } catch { throw mapped(error) }
    }

    /// `map`, but a reply over the cap names the option that raises it.
    private func mapped(_ error: any Error) -> any Error {
        if let sizeOption, let error = error as? NetError, error.code == .netTooLarge {
            return WalletError(.walletBadResponse, "\(name): a reply was larger than \(sizeOption) "
                + "(\(client.configuration.maxMessageSize >> 20) MiB); raise \(sizeOption)")
        }
        return Self.map(error, name: name)
    }

    /// Transport and RPC failures in the wallet port's terms (`WalletRPCErrors`, shared with the vspd plugins).
    static func map(_ error: any Error, name: String) -> any Error { WalletRPCErrors.map(error, name: name) }
}
