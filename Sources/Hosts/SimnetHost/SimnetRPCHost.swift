import Foundation
import PoolKernel
import PoolNet
import WalletDcrwallet
import WalletSimnet

/// Serves a `Simnet` over the real protocol: one JSON-RPC websocket server for the node (dcrd methods,
/// notifications, control methods) and one per wallet (dcrwallet methods), TLS with a self-signed
/// certificate written to disk like dcrwallet's `rpc.cert`. A wallet whose `down` fault is set has its
/// server stopped (clients see a dropped, then refused connection) until it comes back.
public final class SimnetRPCHost: EngineService {
    public struct Configuration: Sendable {
        /// Interface to listen on.
        public var host: String
        /// dcrd's simnet RPC port by default; 0 picks a free port.
        public var nodePort: UInt16
        /// Wallet `i` listens on `walletPorts[i]`; missing entries pick a free port.
        public var walletPorts: [UInt16]
        public var user: String
        /// A secret; never logged.
        public var password: String
        /// Where `rpc.cert` / `rpc.key` live (created on first start). nil serves plain `ws://` (tests).
        public var certificateDirectory: String?
        /// Called when a request reaches a wallet's server, on its reader before the handler is scheduled
        /// (wallet index, method, params): measurements in tests and benchmarks. Must return quickly.
        public var onWalletRequest: (@Sendable (_ wallet: Int, _ method: String, _ params: [JSONValue]) -> Void)?
        /// Called when a request reaches the node's server (method, params), like `onWalletRequest`.
        public var onNodeRequest: (@Sendable (_ method: String, _ params: [JSONValue]) -> Void)?
        /// Called just before a node notification is handed to the server for its subscribers.
        public var onNotification: (@Sendable (ChainNotification) -> Void)?
        // vspsim: today's dcrd (API 8.x) and dcrwallet (API 11.x), what the vspd front drives, on their own
        // endpoints (the two generations answer `version` differently). nil: not served; 0 picks a free port.
        /// The vsp node's port.
        public var vspNodePort: UInt16?
        /// Wallet `i`'s vsp endpoint listens on `vspWalletPorts[i]` (missing entries pick a free port); nil: none.
        public var vspWalletPorts: [UInt16]?

        public init(host: String = "127.0.0.1", nodePort: UInt16 = 19556, walletPorts: [UInt16] = [19557, 19567, 19577],
                    user: String = "simnet", password: String, certificateDirectory: String?) {
            self.host = host
            self.nodePort = nodePort
            self.walletPorts = walletPorts
            self.user = user
            self.password = password
            self.certificateDirectory = certificateDirectory
        }

        /// The certificate file clients must trust (`walletcerts`, `dcrdcert`).
        public var certificateFile: String? { certificateDirectory.map { ($0 as NSString).appendingPathComponent("rpc.cert") } }
        var keyFile: String? { certificateDirectory.map { ($0 as NSString).appendingPathComponent("rpc.key") } }
    }

    public let name = "simwallet"
    public let simnet: Simnet
    public let configuration: Configuration
    private let logger: Logger
    private let tls: TLSServerConfiguration?
    private let state = LockedValue(State())

    private struct State: Sendable {
        var node: JSONRPCServer?
        var wallets: [JSONRPCServer?] = []
        var walletAddresses: [PoolNet.HostPort] = []
        var bridge: Int?
        var vspNode: JSONRPCServer?
        var vspWallets: [JSONRPCServer?] = []
        var vspWalletAddresses: [PoolNet.HostPort] = []
    }

    /// Wallets whose `importscript` calls hang (a wallet stuck mid-registration), and how many calls are held.
    private struct ImportStall: Sendable {
        var wallets: Set<Int> = []
        var held = 0
    }

    private let importStall = LockedValue(ImportStall())

    /// Prepares the certificate (generating it if missing). Does not listen yet.
    public init(simnet: Simnet, configuration: Configuration, logger: Logger) throws {
        self.simnet = simnet
        self.configuration = configuration
        self.logger = logger
        if let certificate = configuration.certificateFile, let key = configuration.keyFile {
            _ = try SelfSignedCertificate.loadOrCreate(certificateFile: certificate, privateKeyFile: key)
            tls = TLSServerConfiguration(certificateFile: certificate, privateKeyFile: key)
        } else {
            tls = nil
        }
        logger.backend.registerSecret(configuration.password)
    }

    /// Starts every server; returns the node's and the wallets' bound addresses.
    @discardableResult
    public func start() throws -> (node: PoolNet.HostPort, wallets: [PoolNet.HostPort]) {
        let hooks = SimnetRPCHandlers.Hooks(
            dropNodeConnections: { [weak self] in self?.state.value.node?.dropAllConnections() },
            walletAvailability: { [weak self] index, down in self?.setWallet(index, down: down) })
        let node = try makeServer(name: "simnet-node", port: configuration.nodePort, defaultErrorCode: -32603,
                                  onRequest: configuration.onNodeRequest)
        WalletRPCHandlers.install(SimnetRPCHandlers.node(simnet, hooks: hooks), on: node, withNotifications: true)
        node.register("simstallimports") { [weak self, simnet] params in
            let p = try ControlParams(params, "simstallimports", count: 2...2, code: WalletRPCCode.invalidParameter)
            let index = try p.walletIndex(0, of: simnet)
            guard let stalled = p.values[1].boolValue else {
                throw NetError.rpc(code: WalletRPCCode.invalidParameter, message: "parameter #2 of simstallimports must be a bool")
            }
            self?.stallImports(wallet: index, stalled)
            return .null
        }
        let nodeAddress = try node.start()
        var wallets: [JSONRPCServer] = []
        var addresses: [PoolNet.HostPort] = []
        for index in 0..<simnet.walletCount {
            let server = try startWallet(index, port: index < configuration.walletPorts.count ? configuration.walletPorts[index] : 0)
            wallets.append(server)
            addresses.append(server.localAddress ?? PoolNet.HostPort(host: configuration.host, port: 0))
        }
        let vspNode = try configuration.vspNodePort.map { port -> JSONRPCServer in
            let server = try makeServer(name: "simnet-vspnode", port: port, defaultErrorCode: -32603,
                                        onRequest: configuration.onNodeRequest)
            WalletRPCHandlers.install(VspRPCHandlers.node(simnet), on: server, withNotifications: true)
            try server.start()
            return server
        }
        var vspWallets: [JSONRPCServer] = []
        if let ports = configuration.vspWalletPorts {
            for index in 0..<simnet.walletCount {
                vspWallets.append(try startVspWallet(index, port: index < ports.count ? ports[index] : 0))
            }
        }
        let bridge = simnet.subscribe { [observe = configuration.onNotification] notification in
            observe?(notification)
            WalletRPCHandlers.publish(notification, on: node)
            if let vspNode { WalletRPCHandlers.publish(notification, on: vspNode) }
        }
        state.withLock { state in
            state.node = node
            state.wallets = wallets
            state.walletAddresses = addresses
            state.bridge = bridge
            state.vspNode = vspNode
            state.vspWallets = vspWallets
            state.vspWalletAddresses = vspWallets.map { $0.localAddress ?? PoolNet.HostPort(host: configuration.host, port: 0) }
        }
        if let vspNode {
            logger.info("simwallet: vsp node (dcrd API 8) on \(vspNode.localAddress.map(\.description) ?? "?"), vsp wallets (dcrwallet API 11) on \(state.value.vspWalletAddresses.map(\.description).joined(separator: ", "))")
        }
        logger.info("simwallet: node on \(nodeAddress), wallets on \(addresses.map(\.description).joined(separator: ", "))")
        return (nodeAddress, addresses)
    }

    /// Serves until cancelled, then stops.
    public func run() async throws {
        if state.value.node == nil { try start() }
        while !Task.isCancelled {
            try? await Task.sleep(for: .seconds(3600))
        }
        stop()
    }

    /// Stops every server and the notification bridge. Idempotent.
    public func stop() {
        let (node, wallets, bridge, vspNode, vspWallets) = state.withLock { state in
            defer { state = State() }
            return (state.node, state.wallets, state.bridge, state.vspNode, state.vspWallets)
        }
        if let bridge { simnet.unsubscribe(bridge) }
        node?.stop()
        for wallet in wallets { wallet?.stop() }
        vspNode?.stop()
        for wallet in vspWallets { wallet?.stop() }
    }

    /// Makes wallet `index`'s `importscript` hang (`stalled` true) until released; a released call then fails
    /// with dcrwallet's generic error and imports nothing, as if the wallet died mid-request. Lets tests stop a
    /// registration between the wallets' imports (also the `simstallimports [index, bool]` control method).
    public func stallImports(wallet index: Int, _ stalled: Bool) {
        importStall.withLock { state in
            if stalled { state.wallets.insert(index) } else { state.wallets.remove(index) }
        }
    }

    /// The number of `importscript` calls held by `stallImports` right now.
    public var heldImportCalls: Int { importStall.value.held }

    /// Holds a call while wallet `index` is stalled (at most 10 minutes); throws once released or cancelled.
    private func holdIfStalled(_ index: Int) async throws {
        guard importStall.value.wallets.contains(index) else { return }
        importStall.withLock { $0.held += 1 }
        defer { importStall.withLock { $0.held -= 1 } }
        let deadline = ContinuousClock.now + .seconds(600)
        while importStall.value.wallets.contains(index), ContinuousClock.now < deadline {
            try await Task.sleep(for: .milliseconds(10))
        }
        throw NetError.rpc(code: WalletRPCCode.wallet, message: "importscript abandoned: the wallet stalled")
    }

    /// The bound wallet addresses (after `start()`).
    public var walletAddresses: [PoolNet.HostPort] { state.value.walletAddresses }

    /// The vsp node's bound address (after `start()`; nil when not served).
    public var vspNodeAddress: PoolNet.HostPort? { state.value.vspNode?.localAddress }

    /// The vsp wallets' bound addresses (after `start()`; empty when not served).
    public var vspWalletAddresses: [PoolNet.HostPort] { state.value.vspWalletAddresses }

    private func startVspWallet(_ index: Int, port: UInt16) throws -> JSONRPCServer {
        let observe = configuration.onWalletRequest.map { observe in
            { @Sendable (method: String, params: [JSONValue]) in observe(index, method, params) }
        }
        let server = try makeServer(name: "simnet-vspwallet\(index)", port: port, defaultErrorCode: WalletRPCCode.wallet,
                                    onRequest: observe)
        WalletRPCHandlers.install(VspRPCHandlers.wallet(simnet, index: index), on: server)
        try server.start()
        return server
    }

    private func makeServer(name: String, port: UInt16, defaultErrorCode: Int,
                            onRequest: (@Sendable (String, [JSONValue]) -> Void)? = nil) throws -> JSONRPCServer {
        var serverConfiguration = JSONRPCServerConfiguration(
            address: PoolNet.HostPort(host: configuration.host, port: port), tls: tls, user: configuration.user,
            password: configuration.password, defaultErrorCode: defaultErrorCode, name: name)
        serverConfiguration.onRequest = onRequest
        // One `listscripts` reply of a million-user pool is some 260 MB (poolbench scale).
        serverConfiguration.maxBacklog = 1 << 30
        return try JSONRPCServer(configuration: serverConfiguration, logger: logger)
    }

    private func startWallet(_ index: Int, port: UInt16) throws -> JSONRPCServer {
        // dcrwallet's catch-all error code is -4.
        let observe = configuration.onWalletRequest.map { observe in
            { @Sendable (method: String, params: [JSONValue]) in observe(index, method, params) }
        }
        let server = try makeServer(name: "simnet-wallet\(index)", port: port, defaultErrorCode: WalletRPCCode.wallet,
                                    onRequest: observe)
        var handlers = SimnetRPCHandlers.wallet(simnet, index: index)
        if let importScript = handlers["importscript"] {
            handlers["importscript"] = { [weak self] params in
                try await self?.holdIfStalled(index)
                return try await importScript(params)
            }
        }
        WalletRPCHandlers.install(handlers, raw: SimnetRPCHandlers.walletRaw(simnet, index: index), on: server)
        try server.start()
        return server
    }

    /// Takes wallet `index` down (its `down` fault set and its server closed: clients see a dropped, then
    /// refused connection) or brings it back on the same address — what `simsetwalletfaults` does.
    public func setWalletDown(_ index: Int, _ down: Bool) {
        guard index >= 0, index < simnet.walletCount else { return }
        var faults = simnet.faults(wallet: index)
        guard faults.down != down else { return }
        faults.down = down
        simnet.setFaults(faults, wallet: index)
        setWallet(index, down: down)
    }

    /// A wallet going down closes its server; coming back listens again on the same address.
    private func setWallet(_ index: Int, down: Bool) {
        if down {
            let server = state.withLock { state -> JSONRPCServer? in
                guard state.wallets.indices.contains(index) else { return nil }
                defer { state.wallets[index] = nil }
                return state.wallets[index]
            }
            server?.stop()
            let vspServer = state.withLock { state -> JSONRPCServer? in
                guard state.vspWallets.indices.contains(index) else { return nil }
                defer { state.vspWallets[index] = nil }
                return state.vspWallets[index]
            }
            vspServer?.stop()
            logger.info("simwallet: wallet \(index) is down")
            return
        }
        let vspAddress = state.withLock { state -> PoolNet.HostPort? in
            guard state.vspWallets.indices.contains(index), state.vspWallets[index] == nil else { return nil }
            return state.vspWalletAddresses[index]
        }
        if let vspAddress {
            do {
                let server = try startVspWallet(index, port: vspAddress.port)
                state.withLock { $0.vspWallets[index] = server }
            } catch {
                logger.error("simwallet: vsp wallet \(index) could not listen again on \(vspAddress): \(error)")
            }
        }
        let address = state.withLock { state -> PoolNet.HostPort? in
            guard state.wallets.indices.contains(index), state.wallets[index] == nil else { return nil }
            return state.walletAddresses[index]
        }
        guard let address else { return }
        do {
            let server = try startWallet(index, port: address.port)
            state.withLock { $0.wallets[index] = server }
            logger.info("simwallet: wallet \(index) is back on \(address)")
        } catch {
            logger.error("simwallet: wallet \(index) could not listen again on \(address): \(error)")
        }
    }
}
