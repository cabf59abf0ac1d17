import Dispatch
import Foundation
import PoolKernel
import Synchronization

/// A JSON-RPC handler: positional params in, result out. Throw `NetError.rpc(code:message:)` or a
/// `WalletError` with an `rpcCode` to answer with that error object; other errors become
/// `configuration.defaultErrorCode` with the error's description as message.
public typealias JSONRPCHandler = @Sendable (_ params: [JSONValue]) async throws -> JSONValue

/// A JSON-RPC handler whose result is already JSON text (`RawJSON`): for replies too large to build as a
/// `JSONValue` tree first (simwallet's `listscripts` of a million scripts). The server trusts the bytes to be one
/// valid JSON value and writes them into the reply as they are.
public typealias JSONRPCRawHandler = @Sendable (_ params: [JSONValue]) async throws -> RawJSON

/// Settings of a JSON-RPC 1.0 websocket server that behaves like dcrwallet's/dcrd's (wallet-rpc.md §1.2).
public struct JSONRPCServerConfiguration: Sendable {
    /// Where to listen (port 0 picks one; see `JSONRPCServer.localAddress`).
    public var address: HostPort
    /// nil serves plain `ws://` (tests only).
    public var tls: TLSServerConfiguration?
    /// Credentials for the Basic header or the `authenticate` first message. Secrets.
    public var user: String
    public var password: String
    public var path: String
    /// Beyond this many websocket clients the server answers HTTP 429.
    public var maxClients: Int
    public var maxMessageSize: Int
    /// Largest outbound backlog per client, bytes: one reply larger than this fails its connection (simwallet
    /// raises it to serve `listscripts` of a million scripts).
    public var maxBacklog: Int = 64 << 20
    /// Limit for TLS + the HTTP upgrade request (dcrwallet: 10 s).
    public var handshakeTimeout: Duration
    /// Error code for handler errors that carry none (dcrwallet: -4 catch-all).
    public var defaultErrorCode: Int
    /// Name in log lines.
    public var name: String
    /// Called on the connection's reader as soon as an authenticated request is parsed, before its handler is
    /// scheduled (measurements: when a request reached the server). Must return quickly.
    public var onRequest: (@Sendable (_ method: String, _ params: [JSONValue]) -> Void)?

    public init(address: HostPort, tls: TLSServerConfiguration? = nil, user: String = "", password: String = "",
                path: String = "/ws", maxClients: Int = 64, maxMessageSize: Int = 16 << 20,
                handshakeTimeout: Duration = .seconds(10), defaultErrorCode: Int = -32603, name: String = "rpcserver") {
        self.address = address
        self.tls = tls
        self.user = user
        self.password = password
        self.path = path
        self.maxClients = maxClients
        self.maxMessageSize = maxMessageSize
        self.handshakeTimeout = handshakeTimeout
        self.defaultErrorCode = defaultErrorCode
        self.name = name
    }
}

/// Serves JSON-RPC 1.0 over websockets: method table dispatch (each request answered from its own
/// task, so replies may be out of order), auth per §1.2, error codes per §1.4, and server-push
/// notifications to the sessions that registered for them.
public final class JSONRPCServer: Sendable {
    private struct State {
        var handlers: [String: JSONRPCHandler] = [:]
        var rawHandlers: [String: JSONRPCRawHandler] = [:]
        /// Registration method → notification methods it enables (e.g. `notifyblocks` → `blockconnected`).
        var subscriptionMethods: [String: [String]] = [:]
        var sessions: [Int: Session] = [:]
        var nextSessionID = 0
        var listener: TCPListener?
        var stopped = false
    }

    private final class Session: Sendable {
        let socket: WebSocketConnection
        let topics = Mutex<Set<String>>([])
        let authenticated: Mutex<Bool>
        init(socket: WebSocketConnection, authenticated: Bool) {
            self.socket = socket
            self.authenticated = Mutex(authenticated)
        }
    }

    public let configuration: JSONRPCServerConfiguration
    private let logger: Logger
    private let tlsContext: TLSContext?
    private let state = Mutex(State())
    private let expectedAuthorization: String

    /// Prepares the server (loads the certificate and key now). Does not listen yet.
    public init(configuration: JSONRPCServerConfiguration, logger: Logger) throws {
        self.configuration = configuration
        self.logger = logger
        self.tlsContext = try configuration.tls.map { try TLSContext(server: $0) }
        self.expectedAuthorization = WebSocketHandshake.basicAuthorization(user: configuration.user, password: configuration.password)
        logger.backend.registerSecret(configuration.password)
        logger.backend.registerSecret(expectedAuthorization)
    }

    /// Adds or replaces the handler of `method`. Safe while serving.
    public func register(_ method: String, _ handler: @escaping JSONRPCHandler) {
        state.withLock {
            $0.handlers[method] = handler
            $0.rawHandlers[method] = nil
        }
    }

    /// Adds or replaces the handler of `method` with one answering pre-encoded JSON. Safe while serving.
    public func registerRaw(_ method: String, _ handler: @escaping JSONRPCRawHandler) {
        state.withLock {
            $0.rawHandlers[method] = handler
            $0.handlers[method] = nil
        }
    }

    /// Makes `method` (params ignored, result null) subscribe the calling session to `notifications`.
    public func registerSubscription(_ method: String, notifications: [String]) {
        state.withLock { $0.subscriptionMethods[method] = notifications }
    }

    /// Binds and starts accepting on a background queue; returns the bound address.
    @discardableResult
    public func start() throws -> HostPort {
        let listener = try TCPListener(bindTo: configuration.address)
        try state.withLock { state in
            guard !state.stopped else { throw NetError(.netShutdown, "server stopped") }
            state.listener = listener
        }
        DispatchQueue(label: "poolnet.rpcserver.accept").async { self.acceptLoop(listener) }
        logger.info("\(configuration.name): listening on \(listener.localAddress)")
        return listener.localAddress
    }

    /// Starts (if needed) and serves until the task is cancelled, then stops (an `EngineService` body).
    public func run() async throws {
        if localAddress == nil { try start() }
        while !Task.isCancelled {
            try? await Task.sleep(for: .seconds(3600))
        }
        stop()
    }

    /// The bound address once started.
    public var localAddress: HostPort? { state.withLock { $0.listener?.localAddress } }

    /// Number of connected websocket sessions.
    public var sessionCount: Int { state.withLock { $0.sessions.count } }

    /// Stops listening and closes every session. Idempotent.
    public func stop() {
        let (listener, sessions) = state.withLock { state -> (TCPListener?, [Session]) in
            state.stopped = true
            defer { state.sessions = [:]; state.listener = nil }
            return (state.listener, Array(state.sessions.values))
        }
        listener?.close()
        for session in sessions { session.socket.close(code: 1001) }
    }

    /// Drops every client connection abruptly (fault injection: "the node drops the websocket").
    public func dropAllConnections() {
        let sessions = state.withLock { Array($0.sessions.values) }
        for session in sessions { session.socket.connection.close() }
    }

    /// Sends `{"jsonrpc":"1.0","method":method,"params":params,"id":null}` to every session that
    /// registered for `method`. Returns how many sessions it was sent to.
    @discardableResult
    public func notify(_ method: String, _ params: [JSONValue]) -> Int {
        let sessions = state.withLock { Array($0.sessions.values) }.filter { $0.topics.withLock { $0.contains(method) } }
        guard !sessions.isEmpty else { return 0 }
        let message = JSONValue.object(JSONObject([("jsonrpc", "1.0"), ("method", .string(method)),
                                                   ("params", .array(params)), ("id", .null)])).encoded()
        var sent = 0
        for session in sessions where (try? session.socket.sendText(message)) != nil { sent += 1 }
        return sent
    }

    // MARK: - Accepting

    private func acceptLoop(_ listener: TCPListener) {
        while true {
            do {
                guard let connection = try listener.accept(timeout: nil) else { continue }
                connection.queue.async { self.serve(connection) }
            } catch {
                if !state.withLock({ $0.stopped }) { logger.warn("\(configuration.name): accept failed: \(error)") }
                return
            }
        }
    }

    private func serve(_ connection: NetConnection) {
        let deadline = ContinuousClock.now + configuration.handshakeTimeout
        func left() -> Duration { max(.milliseconds(1), ContinuousClock.now.duration(to: deadline)) }
        let session: Session
        let sessionID: Int
        do {
            if let tlsContext { try connection.acceptTLS(tlsContext, timeout: left()) }
            var received: [UInt8] = []
            var parsed: (head: HTTPHead, consumed: Int)?
            while parsed == nil {
                let chunk = try connection.read(maxLength: 4096, timeout: left())
                if chunk.isEmpty { connection.close(); return }
                received += chunk
                parsed = try HTTPHead.parse(received)
            }
            guard let (head, consumed) = parsed else { return }
            let request: WebSocketHandshake.ClientRequest
            do {
                request = try WebSocketHandshake.validateClientRequest(head)
            } catch {
                try? connection.write(WebSocketHandshake.errorResponse(status: 400, reason: "Bad Request", body: "400 Bad Request\n"),
                                      timeout: .seconds(1))
                connection.close()
                return
            }
            guard request.path == configuration.path else {
                try? connection.write(WebSocketHandshake.errorResponse(status: 404, reason: "Not Found", body: "404 page not found\n"),
                                      timeout: .seconds(1))
                connection.close()
                return
            }
            if let authorization = request.authorization, !ConstantTime.equal(authorization, expectedAuthorization) {
                try? connection.write(WebSocketHandshake.errorResponse(
                    status: 401, reason: "Unauthorized", body: "401 Unauthorized.\n",
                    extraHeaders: [("WWW-Authenticate", "Basic realm=\"btcwallet RPC\"")]), timeout: .seconds(1))
                connection.close()
                return
            }
            let admitted = state.withLock { state -> Int? in
                guard !state.stopped, state.sessions.count < configuration.maxClients else { return nil }
                state.nextSessionID += 1
                return state.nextSessionID
            }
            guard let admittedID = admitted else {
                try? connection.write(WebSocketHandshake.errorResponse(status: 429, reason: "Too Many Requests",
                                                                       body: "429 Too Many Requests\n"), timeout: .seconds(1))
                connection.close()
                return
            }
            try connection.write(WebSocketHandshake.switchingProtocols(key: request.key), timeout: left())
            let socket = WebSocketConnection(connection: connection, role: .server, leftover: Array(received[consumed...]),
                                             maxMessageSize: configuration.maxMessageSize,
                                             maxBacklog: configuration.maxBacklog)
            session = Session(socket: socket, authenticated: request.authorization != nil)
            sessionID = admittedID
            state.withLock { $0.sessions[sessionID] = session }
        } catch {
            logger.debug("\(configuration.name): handshake with \(connection.peer) failed: \(error)")
            connection.close()
            return
        }
        // A client that calls one method after another sends its next request within about a round trip.
        session.socket.connection.busyPollNanoseconds = NetConnection.requestReplyBusyPollNanoseconds
        let ended = session.socket.runReader { payload in
            handle(payload, session: session)
        }
        logger.debug("\(configuration.name): session \(sessionID) ended: \(ended.message)")
        state.withLock { _ = $0.sessions.removeValue(forKey: sessionID) }
    }

    // MARK: - Requests

    private func handle(_ payload: [UInt8], session: Session) {
        let request: JSONRPCRequestEnvelope
        switch JSONRPCRequestEnvelope.decode(payload) {
        case .success(let decoded): request = decoded
        case .failure(let rejection):
            reply(session, id: rejection.id, error: (rejection.code, rejection.message))
            return
        }
        let (id, method, params) = (request.id, request.method, request.params)
        // Unauthenticated sessions (no Basic header) must authenticate first; anything else closes.
        if !session.authenticated.withLock({ $0 }) {
            let ok = method == "authenticate" && params.count == 2
                && ConstantTime.equal(params[0].stringValue ?? "", configuration.user)
                && ConstantTime.equal(params[1].stringValue ?? "", configuration.password)
            guard ok else { session.socket.close(code: 1008); return }
            session.authenticated.withLock { $0 = true }
            reply(session, id: id, result: .null)
            return
        }
        if method == "authenticate" { session.socket.close(code: 1008); return }
        configuration.onRequest?(method, params)
        let (tree, raw, topics) = state.withLock { ($0.handlers[method], $0.rawHandlers[method], $0.subscriptionMethods[method]) }
        if let topics {
            session.topics.withLock { $0.formUnion(topics) }
            reply(session, id: id, result: .null)
            return
        }
        let handler: @Sendable ([JSONValue]) async throws -> Void
        if let tree {
            handler = { params in self.reply(session, id: id, result: try await tree(params)) }
        } else if let raw {
            handler = { params in self.reply(session, id: id, rawResult: try await raw(params)) }
        } else {
            reply(session, id: id, error: (-32601, "Method not found"))
            return
        }
        let defaultCode = configuration.defaultErrorCode
        // Started on this reader thread: a handler that completes without suspending (most do) answers
        // without a hop to the cooperative pool, which halves the thread wake-ups of a sequential call. A
        // handler that suspends continues on the pool and the reader goes back to reading at once.
        Task.immediate {
            do {
                try await handler(params)
            } catch let error as NetError where error.rpcCode != nil {
                self.reply(session, id: id, error: (error.rpcCode ?? defaultCode, error.rpcMessage ?? error.message))
            } catch let error as WalletError where error.rpcCode != nil {
                self.reply(session, id: id, error: (error.rpcCode ?? defaultCode, error.rpcMessage ?? error.message))
            } catch let error as any CodedError {
                self.reply(session, id: id, error: (defaultCode, error.message))
            } catch {
                self.reply(session, id: id, error: (defaultCode, "\(error)"))
            }
        }
    }

    private func reply(_ session: Session, id: JSONValue, result: JSONValue) {
        let message = JSONValue.object(JSONObject([("result", result), ("error", .null), ("id", id)]))
        try? session.socket.sendText(message.encoded())
    }

    /// The same bytes as `reply(_:id:result:)` would write for the tree of `rawResult`, without that tree.
    private func reply(_ session: Session, id: JSONValue, rawResult: RawJSON) {
        var message = Array(#"{"result":"#.utf8)
        message.reserveCapacity(rawResult.range.count + 64)
        rawResult.bytes.withUnsafeBufferPointer { message.append(contentsOf: UnsafeBufferPointer(rebasing: $0[rawResult.range])) }
        message.append(contentsOf: #","error":null,"id":"#.utf8)
        id.encode(into: &message)
        message.append(UInt8(ascii: "}"))
        try? session.socket.sendText(message)
    }

    private func reply(_ session: Session, id: JSONValue, error: (code: Int, message: String)) {
        let object = JSONValue.object(JSONObject([("code", .int(Int64(error.code))), ("message", .string(error.message))]))
        let message = JSONValue.object(JSONObject([("result", .null), ("error", object), ("id", id)]))
        try? session.socket.sendText(message.encoded())
    }
}
