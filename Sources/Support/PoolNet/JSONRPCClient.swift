import Dispatch
import PoolKernel
import PoolSystem
import Synchronization

/// How a JSON-RPC client reconnects after its websocket drops: wait `step × attempt`, at most
/// `maxDelay` (dcrrpcclient: 5 s steps, 60 s cap), forever until closed.
public struct ReconnectPolicy: Sendable, Equatable {
    public var step: Duration
    public var maxDelay: Duration
    public init(step: Duration = .seconds(5), maxDelay: Duration = .seconds(60)) {
        self.step = step
        self.maxDelay = maxDelay
    }

    func delay(attempt: Int) -> Duration { min(step * attempt, maxDelay) }
}

/// Settings of a JSON-RPC 1.0 websocket client (dcrrpcclient-compatible).
public struct JSONRPCClientConfiguration: Sendable {
    /// The server (`wallethost`, `dcrdhost`).
    public var address: HostPort
    /// The websocket path (`/ws`).
    public var path: String
    /// TLS settings; nil speaks plain `ws://` (tests and loopback only).
    public var tls: TLSClientConfiguration?
    /// Basic-auth user and password, sent on the upgrade request. Secrets: never logged.
    public var user: String
    public var password: String
    /// Limit for TCP connect + TLS + upgrade.
    public var connectTimeout: Duration
    /// Default limit for one call (overridable per call).
    public var callTimeout: Duration
    /// nil: a dropped connection shuts the client down for good (the web app's mode);
    /// set: reconnect forever and re-register subscriptions (stakepoold's mode).
    public var reconnect: ReconnectPolicy?
    /// Largest accepted message; a larger reply closes the connection and fails the calls in flight with
    /// `netTooLarge`.
    public var maxMessageSize: Int
    /// Name used in log lines (`wallet 0`, `dcrd`).
    public var name: String

    public init(address: HostPort, path: String = "/ws", tls: TLSClientConfiguration? = nil, user: String = "",
                password: String = "", connectTimeout: Duration = .seconds(10), callTimeout: Duration = .seconds(60),
                reconnect: ReconnectPolicy? = nil, maxMessageSize: Int = 32 << 20, name: String = "rpc") {
        self.address = address
        self.path = path
        self.tls = tls
        self.user = user
        self.password = password
        self.connectTimeout = connectTimeout
        self.callTimeout = callTimeout
        self.reconnect = reconnect
        self.maxMessageSize = maxMessageSize
        self.name = name
    }
}

/// A JSON-RPC 1.0 client over one websocket: ids from 1 per connection, any number of calls in flight,
/// per-call timeouts, server notifications routed to a handler, reconnect with back-off and
/// re-registration of subscriptions (wallet-rpc.md §1.3–1.5).
///
/// Errors are `NetError`s: `netRPC` (server error object; `rpcCode`/`rpcMessage`), `netTimeout`,
/// `netDisconnected` (dropped while pending), `netShutdown` (closed, or not reconnecting), `netAuth`,
/// TLS codes, `netProtocol`/`netBadAddress`… A message that is not JSON breaks the connection: the server
/// is considered broken, pending calls fail with `netProtocol`, and the reconnect policy applies.
/// Responses with an unknown id are logged and dropped (the call then times out).
public final class JSONRPCClient: Sendable {
    public typealias NotificationHandler = @Sendable (_ method: String, _ params: [JSONValue]) -> Void

    private enum Phase {
        case idle
        case connected(WebSocketConnection)
        case reconnecting
        case shutdown
    }

    /// Where a reply goes: decoded into a tree (`call`), or kept as bytes (`callRaw`, for very large replies).
    private enum PendingReply {
        case tree(HandedOffResult<JSONValue>)
        case raw(HandedOffResult<RawJSON>)

        var isRaw: Bool { if case .raw = self { true } else { false } }

        func fail(_ error: any Error) {
            switch self {
            case .tree(let reply): reply.deliver(.failure(error))
            case .raw(let reply): reply.deliver(.failure(error))
            }
        }
    }

    private struct Pending {
        let reply: PendingReply
        let deadline: ContinuousClock.Instant
        /// `DispatchTime` uptime when the call was registered (for `recentRoundTripNanoseconds`).
        let startedAt: UInt64
        let method: String
    }

    private struct State {
        var phase = Phase.idle
        var nextID: UInt64 = 1
        var pending: [UInt64: Pending] = [:]
        var subscriptions: [(method: String, params: [JSONValue])] = []
        var handler: NotificationHandler?
        var reconnectCheck: (@Sendable () async throws -> Void)?
        var reconnectTask: Task<Void, Never>?
        var generation = 0
    }

    public let configuration: JSONRPCClientConfiguration
    private let logger: Logger
    private let tlsContext: TLSContext?
    private let state: SpinningLock<State>
    /// Fails calls whose deadline passed; armed only while calls are pending (the reader itself blocks until a
    /// message arrives, so an idle client never wakes).
    private let callTimer: DeadlineTimer
    /// How long the last reply took, in nanoseconds (decides whether a sole call polls for its reply).
    private let recentRoundTrip = Atomic<UInt64>(0)
    private let authorization: String

    /// Prepares a client (loads the TLS trust file now, so a bad file fails here). Does not connect.
    public init(configuration: JSONRPCClientConfiguration, logger: Logger) throws {
        self.configuration = configuration
        self.logger = logger
        self.tlsContext = try configuration.tls.map { try TLSContext(client: $0) }
        self.authorization = WebSocketHandshake.basicAuthorization(user: configuration.user, password: configuration.password)
        let state = SpinningLock(State())
        self.state = state
        let name = configuration.name
        callTimer = DeadlineTimer(label: "poolnet.rpc.deadlines") { Self.failExpiredCalls(state, name: name) }
        logger.backend.registerSecret(configuration.password)
        logger.backend.registerSecret(authorization)
    }

    // MARK: - Connecting

    /// Dials, upgrades and starts reading. Throws the typed cause (unreachable, TLS, auth, timeout).
    public func connect() async throws {
        if case .shutdown = state.withLock({ $0.phase }) {
            throw NetError(.netShutdown, "the client has been shutdown")
        }
        let socket = try await dial()
        try install(socket)
    }

    /// After a failed `connect()`: keeps dialing in the background as after a drop (the reconnect policy's delays,
    /// then the reconnect check and the subscriptions); calls fail `netDisconnected` meanwhile. Does nothing without
    /// a reconnect policy, or unless the client has never connected.
    public func keepConnecting() {
        guard configuration.reconnect != nil else { return }
        let starts = state.withLock { state -> Bool in
            guard case .idle = state.phase else { return false }
            state.phase = .reconnecting
            return true
        }
        if starts { startReconnecting() }
    }

    /// True while a websocket is up.
    public var isConnected: Bool {
        if case .connected = state.withLock({ $0.phase }) { return true }
        return false
    }

    private func dial() async throws -> WebSocketConnection {
        let configuration = configuration
        let tlsContext = tlsContext
        let authorization = authorization
        return try await withCheckedThrowingContinuation { continuation in
            DispatchQueue.global().async {
                continuation.resume(with: Result {
                    try Self.dialBlocking(configuration, tlsContext: tlsContext, authorization: authorization)
                })
            }
        }
    }

    private static func dialBlocking(_ configuration: JSONRPCClientConfiguration, tlsContext: TLSContext?,
                                     authorization: String) throws -> WebSocketConnection {
        let deadline = ContinuousClock.now + configuration.connectTimeout
        func left() -> Duration { max(.milliseconds(1), ContinuousClock.now.duration(to: deadline)) }
        let connection = try NetConnection.connect(to: configuration.address, timeout: configuration.connectTimeout)
        do {
            if let tlsContext {
                try connection.startTLS(tlsContext, serverName: configuration.address.host, timeout: left())
            }
            let key = WebSocketHandshake.makeKey()
            let host = configuration.address.description
            try connection.write(WebSocketHandshake.clientRequest(host: host, path: configuration.path, key: key,
                                                                  authorization: authorization), timeout: left())
            var received: [UInt8] = []
            while true {
                let chunk = try connection.read(maxLength: 4096, timeout: left())
                if chunk.isEmpty {
                    throw NetError(.netDisconnected, "\(host) closed the connection during the websocket upgrade")
                }
                received += chunk
                if let (head, consumed) = try HTTPHead.parse(received) {
                    try WebSocketHandshake.validateServerResponse(head, key: key)
                    return WebSocketConnection(connection: connection, role: .client,
                                               leftover: Array(received[consumed...]),
                                               maxMessageSize: configuration.maxMessageSize)
                }
            }
        } catch {
            connection.close()
            throw error
        }
    }

    private func install(_ socket: WebSocketConnection) throws {
        let generation = try state.withLock { state -> Int in
            if case .shutdown = state.phase {
                throw NetError(.netShutdown, "the client has been shutdown")
            }
            state.phase = .connected(socket)
            state.nextID = 1
            state.generation += 1
            return state.generation
        }
        logger.debug("\(configuration.name): connected to \(configuration.address)")
        socket.connection.queue.async { self.readLoop(socket, generation: generation) }
    }

    // MARK: - Calls

    /// Sends `{"jsonrpc":"1.0","method":…,"params":[…],"id":N}` and waits for the matching reply.
    /// Returns `result` (`.null` when absent); throws `netRPC` for an error object.
    ///
    /// The only call in flight polls for its reply for up to a loopback round trip
    /// (`NetConnection.requestReplyBusyPollNanoseconds`) before suspending, and the reader busy-polls the socket
    /// meanwhile — while the last reply came back within that time: every sleeping thread that must be woken costs
    /// tens of microseconds on a VM. Concurrent calls, and calls to a distant server, suspend at once.
    public func call(_ method: String, _ params: [JSONValue] = [], timeout: Duration? = nil) async throws -> JSONValue {
        let reply = HandedOffResult<JSONValue>()
        return try await perform(method, params, timeout: timeout, reply: .tree(reply), poll: { reply.poll(for: $0) }) {
            try await reply.wait()
        }
    }

    /// `call`, but the reply's `result` is handed over as its bytes, never built into a tree: for replies
    /// of hundreds of MB (`listscripts` of a million users), read with a `JSONReader`. An error object still throws
    /// `netRPC`.
    public func callRaw(_ method: String, _ params: [JSONValue] = [], timeout: Duration? = nil) async throws -> RawJSON {
        let reply = HandedOffResult<RawJSON>()
        return try await perform(method, params, timeout: timeout, reply: .raw(reply), poll: { reply.poll(for: $0) }) {
            try await reply.wait()
        }
    }

    private func perform<T>(_ method: String, _ params: [JSONValue], timeout: Duration?, reply: PendingReply,
                            poll: (UInt64) -> Void, wait: () async throws -> T) async throws -> T {
        let deadline = ContinuousClock.now + (timeout ?? configuration.callTimeout)
        let startedAt = DispatchTime.now().uptimeNanoseconds
        let outcome = state.withLock { state -> Result<(WebSocketConnection, UInt64, Bool), NetError> in
            switch state.phase {
            case .connected(let socket):
                let id = state.nextID
                state.nextID += 1
                state.pending[id] = Pending(reply: reply, deadline: deadline, startedAt: startedAt, method: method)
                return .success((socket, id, state.pending.count == 1))
            case .shutdown: return .failure(NetError(.netShutdown, "the client has been shutdown"))
            case .idle: return .failure(NetError(.netShutdown, "the client is not connected"))
            case .reconnecting: return .failure(NetError(.netDisconnected, "the client has been disconnected"))
            }
        }
        let (socket, id, isSoleCall) = try outcome.get()
        // Poll only where replies come back quickly (a wallet on this host); a distant one would burn the window.
        let window = NetConnection.requestReplyBusyPollNanoseconds
        let pollsForReply = isSoleCall && recentRoundTrip.load(ordering: .relaxed) < window
        // The reader polls for a sole call's reply too (with many calls in flight replies keep it busy anyway).
        socket.connection.busyPollNanoseconds = pollsForReply ? window : 0
        var request = JSONObject()
        request.entries = [("jsonrpc", "1.0"), ("method", .string(method)), ("params", .array(params)),
                           ("id", .int(Int64(id)))]
        do {
            try socket.sendText(JSONValue.object(request).encoded())
        } catch {
            fail(id: id, with: (error as? NetError) ?? NetError(.netIO, "\(error)"))
        }
        callTimer.arm(at: deadline)
        if pollsForReply { poll(window) }
        return try await withTaskCancellationHandler {
            try await wait()
        } onCancel: {
            fail(id: id, with: CancellationError())
        }
    }

    private func fail(id: UInt64, with error: any Error) {
        let pending = state.withLock { $0.pending.removeValue(forKey: id) }
        pending?.reply.fail(error)
    }

    /// Calls a registration method (e.g. `notifyblocks`) and, when it succeeds, remembers it so it is
    /// re-sent after every reconnect, in registration order.
    public func subscribe(_ method: String, _ params: [JSONValue] = []) async throws {
        _ = try await call(method, params)
        state.withLock { state in
            if !state.subscriptions.contains(where: { $0.method == method && $0.params == params }) {
                state.subscriptions.append((method, params))
            }
        }
    }

    /// Installs a check run on every reconnected socket before the subscriptions are re-sent (vspd re-checks a
    /// daemon's version and network on each new connection); a throw drops that socket and the reconnect policy
    /// tries again later.
    public func setReconnectCheck(_ check: (@Sendable () async throws -> Void)?) {
        state.withLock { $0.reconnectCheck = check }
    }

    /// Installs the handler for server notifications (replacing any previous one). It runs on the
    /// connection's reader thread: keep it short and non-blocking.
    public func setNotificationHandler(_ handler: NotificationHandler?) {
        state.withLock { $0.handler = handler }
    }

    // MARK: - Closing

    /// Shuts the client down for good: pending and later calls fail with `netShutdown`. Idempotent.
    public func close() {
        let (socket, pending, task) = state.withLock { state -> (WebSocketConnection?, [Pending], Task<Void, Never>?) in
            var socket: WebSocketConnection?
            if case .connected(let current) = state.phase { socket = current }
            state.phase = .shutdown
            let pending = Array(state.pending.values)
            state.pending = [:]
            let task = state.reconnectTask
            state.reconnectTask = nil
            return (socket, pending, task)
        }
        task?.cancel()
        callTimer.cancel()
        socket?.close()
        for call in pending { call.reply.fail(NetError(.netShutdown, "the client has been shutdown")) }
    }

    /// Drops the current websocket as if the network failed (tests and fault injection); the
    /// reconnect policy applies.
    public func dropConnection() {
        if case .connected(let socket) = state.withLock({ $0.phase }) { socket.connection.close() }
    }

    // MARK: - Reader

    private func readLoop(_ socket: WebSocketConnection, generation: Int) {
        let ended = socket.runReader { payload in
            handleMessage(payload, socket: socket)
        }
        connectionEnded(generation: generation, error: ended)
    }

    private func handleMessage(_ payload: [UInt8], socket: WebSocketConnection) {
        if state.withLock({ $0.pending.values.contains { $0.reply.isRaw } }), deliverRaw(payload) { return }
        switch JSONRPCServerMessage.decode(payload) {
        case .malformed:
            logger.warn("\(configuration.name): malformed JSON from the server; dropping the connection")
            failAll(NetError(.netProtocol, "\(configuration.name) sent malformed JSON"))
            socket.close(code: 1002, reason: "malformed JSON")
        case .ignored(let why):
            logger.warn("\(configuration.name): \(why)")
        case .notification(let method, let params):
            let handler = state.withLock { $0.handler }
            if let handler { handler(method, params) } else { logger.debug("ignoring notification \(method)") }
        case .reply(let id, let outcome):
            guard let pending = state.withLock({ $0.pending.removeValue(forKey: id) }) else {
                logger.warn("\(configuration.name): dropping a reply for unknown id \(id)")
                return
            }
            recentRoundTrip.store(DispatchTime.now().uptimeNanoseconds &- pending.startedAt, ordering: .relaxed)
            switch (outcome, pending.reply) {
            case (.result(let result), .tree(let reply)):
                reply.deliver(.success(result))
            case (.result, .raw):
                pending.reply.fail(NetError(.netProtocol, "\(pending.method): the reply could not be read"))
            case (.error(let code, let message), _):
                pending.reply.fail(NetError.rpc(code: code, message: message))
            case (.badErrorMember, _):
                pending.reply.fail(NetError(.netProtocol, "\(pending.method): the reply's error member is not an object"))
            }
        }
    }

    /// Hands a reply to the `callRaw` waiting for it without decoding its result; false when the message is not
    /// such a reply (the caller then decodes it as usual).
    private func deliverRaw(_ payload: [UInt8]) -> Bool {
        guard let scanned = JSONRPCServerMessage.scanReply(payload),
              let pending = state.withLock({ state -> Pending? in
                  guard state.pending[scanned.id]?.reply.isRaw == true else { return nil }
                  return state.pending.removeValue(forKey: scanned.id)
              }),
              case .raw(let reply) = pending.reply else { return false }
        recentRoundTrip.store(DispatchTime.now().uptimeNanoseconds &- pending.startedAt, ordering: .relaxed)
        switch scanned.error {
        case nil, .null?:
            let null = Array("null".utf8)
            reply.deliver(.success(scanned.result.map { RawJSON(bytes: payload, range: $0) } ?? RawJSON(bytes: null, range: 0..<4)))
        case .object(let error)?:
            let code = error["code"]?.intValue.map { Int(clamping: $0) } ?? 0
            reply.deliver(.failure(NetError.rpc(code: code, message: error["message"]?.stringValue ?? "")))
        default:
            reply.deliver(.failure(NetError(.netProtocol, "\(pending.method): the reply's error member is not an object")))
        }
        return true
    }

    /// `callTimer`'s work: fails the calls whose deadline has passed; returns the earliest deadline still pending.
    private static func failExpiredCalls(_ state: SpinningLock<State>, name: String) -> ContinuousClock.Instant? {
        let now = ContinuousClock.now
        let (expired, next) = state.withLock { state -> ([Pending], ContinuousClock.Instant?) in
            let ids = state.pending.filter { $0.value.deadline <= now }.map(\.key)
            let expired = ids.compactMap { state.pending.removeValue(forKey: $0) }
            return (expired, state.pending.values.map(\.deadline).min())
        }
        for call in expired {
            call.reply.fail(NetError(.netTimeout, "\(call.method) on \(name) timed out"))
        }
        return next
    }

    private func failAll(_ error: NetError) {
        let pending = state.withLock { state -> [Pending] in
            defer { state.pending = [:] }
            return Array(state.pending.values)
        }
        for call in pending { call.reply.fail(error) }
    }

    private func connectionEnded(generation: Int, error: NetError) {
        let (pending, reconnect) = state.withLock { state -> ([Pending], Bool) in
            guard state.generation == generation, case .connected = state.phase else { return ([], false) }
            let pending = Array(state.pending.values)
            state.pending = [:]
            if configuration.reconnect != nil {
                state.phase = .reconnecting
                return (pending, true)
            }
            state.phase = .shutdown
            return (pending, false)
        }
        if !pending.isEmpty || reconnect {
            logger.warn("\(configuration.name): connection lost: \(error.message)")
        }
        // A reply over `maxMessageSize` ends the connection; the calls in flight learn why (the caller names the
        // setting that raises the cap) rather than seeing a plain disconnection.
        let failure = error.code == .netTooLarge
            ? NetError(.netTooLarge, "\(configuration.name) sent a reply larger than \(configuration.maxMessageSize) bytes")
            : NetError(.netDisconnected, "the client has been disconnected")
        for call in pending { call.reply.fail(failure) }
        if reconnect { startReconnecting() }
    }

    private func startReconnecting() {
        guard let policy = configuration.reconnect else { return }
        let task = Task { [self] in
            var attempt = 0
            while !Task.isCancelled {
                attempt += 1
                do {
                    try await Task.sleep(for: policy.delay(attempt: attempt))
                    let socket = try await dial()
                    try install(socket)
                    if let check = state.withLock({ $0.reconnectCheck }) { try await check() }
                    try await resubscribe()
                    logger.info("\(configuration.name): reconnected after \(attempt) attempt(s)")
                    return
                } catch is CancellationError {
                    return
                } catch {
                    if case .shutdown = state.withLock({ $0.phase }) { return }
                    logger.warn("\(configuration.name): reconnect attempt \(attempt) failed: \(error)")
                    // Re-registration failed on a fresh socket: drop it ourselves (the bumped generation
                    // keeps its reader from starting a second reconnect loop) and try again.
                    let (socket, pending) = state.withLock { state -> (WebSocketConnection?, [Pending]) in
                        guard case .connected(let socket) = state.phase else { return (nil, []) }
                        state.phase = .reconnecting
                        state.generation += 1
                        defer { state.pending = [:] }
                        return (socket, Array(state.pending.values))
                    }
                    socket?.close()
                    for call in pending {
                        call.reply.fail(NetError(.netDisconnected, "the client has been disconnected"))
                    }
                }
            }
        }
        state.withLock { state in
            if case .shutdown = state.phase { task.cancel() } else { state.reconnectTask = task }
        }
    }

    private func resubscribe() async throws {
        let subscriptions = state.withLock { $0.subscriptions }
        for subscription in subscriptions {
            _ = try await call(subscription.method, subscription.params)
        }
    }
}
