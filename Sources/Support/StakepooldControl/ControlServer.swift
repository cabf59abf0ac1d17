import Dispatch
import Foundation
import PoolKernel
import PoolNet
import Synchronization

/// stakepoold's control API for the web app (stakepoold.md §4 over HTTP/JSON + TLS instead of gRPC; see
/// docs/stakepoold-control-api.md):
///
/// - `GET /v1/version` → `{"version_string":"3.0.0","major":3,"minor":0,"patch":0,"prerelease":"","build_metadata":""}`
/// - `GET /v1/ping` → `{}`
/// - `POST /v1/voting-prefs` with `{"Userid": <int>}` → `{}` at once, then a (coalesced) reload of every user's
///   prefs (`Userid` 0 = all users; any id reloads all, as in v1.1.1).
///
/// Authentication: TLS (the web app pins `rpccert`) plus, when `controltoken` is set, `Authorization: Bearer
/// <token>` (compared in constant time; 401 otherwise). One request per connection, bounded sizes and times.
public final class ControlServer: EngineService {
    public struct Configuration: Sendable {
        public var listen: [PoolNet.HostPort]
        public var certificateFile: String
        public var privateKeyFile: String
        /// Required bearer token; nil or empty: TLS only (as v1.1.1's gRPC).
        public var authToken: String?
        public var maxConnections = 16
        /// Whole request (handshake + request + response) must finish within this.
        public var connectionTimeout: Duration = .seconds(5)
        /// The TLS handshake and the whole request must arrive within this (a silent client frees its slot).
        public var headerTimeout: Duration = .seconds(3)
        /// `GET /health`'s report (served without the token, like the metrics listener's); nil: no `/health`.
        public var health: (@Sendable () -> HealthReport)?

        public init(listen: [PoolNet.HostPort], certificateFile: String, privateKeyFile: String, authToken: String? = nil,
                    health: (@Sendable () -> HealthReport)? = nil) {
            self.listen = listen
            self.certificateFile = certificateFile
            self.privateKeyFile = privateKeyFile
            self.authToken = authToken
            self.health = health
        }
    }

    /// The API version served (the gRPC API's, stakepoold.md §4.1).
    public static let apiVersion = APIVersion(major: 3, minor: 0, patch: 0)

    public var name: String { "control" }
    let configuration: Configuration
    let onUpdateVotingPrefs: @Sendable (Int64) -> Void
    let logger: Logger
    private struct Running {
        var listeners: [TCPListener] = []
        var context: TLSContext?
    }
    private let running = Mutex(Running())
    private let stopped = Atomic<Bool>(false)
    private let active = Atomic<Int>(0)

    public init(configuration: Configuration, logger: Logger, onUpdateVotingPrefs: @escaping @Sendable (Int64) -> Void) {
        self.configuration = configuration
        self.logger = logger
        self.onUpdateVotingPrefs = onUpdateVotingPrefs
    }

    /// Loads (or creates, like stakepoold) the TLS pair and binds every listen address. A failure throws (the
    /// host exits with a configuration error), except an IPv6 address while another one listens (warned).
    /// Returns the bound addresses (port 0 becomes the real port).
    @discardableResult
    public func bind() throws -> [PoolNet.HostPort] {
        let hosts = Array(Set(SelfSignedCertificate.loopbackHosts + [ProcessInfo.processInfo.hostName]))
        _ = try SelfSignedCertificate.loadOrCreate(certificateFile: configuration.certificateFile,
                                                   privateKeyFile: configuration.privateKeyFile, hosts: hosts)
        let context = try TLSContext(server: TLSServerConfiguration(certificateFile: configuration.certificateFile,
                                                                    privateKeyFile: configuration.privateKeyFile))
        var listeners: [TCPListener] = []
        var failures: [(address: PoolNet.HostPort, error: any Error)] = []
        for address in configuration.listen {
            do {
                let listener = try TCPListener(bindTo: address)
                listeners.append(listener)
                logger.info("control API listening on \(listener.localAddress)")
            } catch {
                failures.append((address, error))
            }
        }
        // An address that cannot listen means preference pushes to it fail silently, so it stops the daemon.
        // Only an IPv6 address may be missing (a host without IPv6) while another address listens.
        for failure in failures {
            if failure.address.host.contains(":"), !listeners.isEmpty {
                logger.warn("control API cannot listen on \(failure.address): \(failure.error)")
                continue
            }
            for listener in listeners { listener.close() }
            throw ControlError(.controlUnavailable, "the control API cannot listen on \(failure.address) (rpclisten): "
                               + Self.reason(failure.error))
        }
        guard !listeners.isEmpty else {
            throw ControlError(.controlUnavailable, "control API: no usable listen address")
        }
        running.withLock { $0 = Running(listeners: listeners, context: context) }
        return listeners.map(\.localAddress)
    }

    public var boundAddresses: [PoolNet.HostPort] { running.withLock { $0.listeners.map(\.localAddress) } }

    public func run() async throws {
        if running.withLock({ $0.listeners.isEmpty }) { try bind() }
        let (listeners, context) = running.withLock { ($0.listeners, $0.context) }
        guard let context else { return }
        for listener in listeners {
            let thread = Thread { [self] in acceptLoop(listener, context: context) }
            thread.name = "control-accept"
            thread.start()
        }
        // Sleeps until cancelled (a cancelled sleep returns at once): no periodic wake-up while idle.
        while !Task.isCancelled { try? await Task.sleep(for: .seconds(3600)) }
        stop()
    }

    /// Stops accepting; requests in flight finish on their own (bounded by the timeout).
    public func stop() {
        stopped.store(true, ordering: .relaxed)
        for listener in running.withLock({ $0.listeners }) { listener.close() }
    }

    private func acceptLoop(_ listener: TCPListener, context: TLSContext) {
        while !stopped.load(ordering: .relaxed) {
            let connection: NetConnection?
            do {
                connection = try listener.accept(timeout: nil)  // `stop()` closes the listener, which wakes it
            } catch {
                if !stopped.load(ordering: .relaxed) { logger.warn("control API accept failed: \(error)") }
                return
            }
            guard let connection else { continue }
            if active.add(1, ordering: .relaxed).newValue > configuration.maxConnections {
                active.subtract(1, ordering: .relaxed)
                connection.close()
                continue
            }
            connection.queue.async { [self] in
                serve(connection, context: context)
                active.subtract(1, ordering: .relaxed)
            }
        }
    }

    private func serve(_ connection: NetConnection, context: TLSContext) {
        defer { connection.close() }
        let start = ContinuousClock.now
        let deadline = start + configuration.connectionTimeout
        let headerDeadline = min(deadline, start + configuration.headerTimeout)
        func remaining(_ until: ContinuousClock.Instant) -> Duration { max(.milliseconds(1), until - ContinuousClock.now) }
        do {
            try connection.acceptTLS(context, timeout: remaining(headerDeadline))
            var buffer: [UInt8] = []
            var message: ControlMessage?
            while message == nil {
                let chunk = try connection.read(maxLength: 4096, timeout: remaining(headerDeadline))
                if chunk.isEmpty { return }
                buffer += chunk
                message = try ControlWire.parse(buffer)
            }
            guard let message else { return }
            let answer = ControlRoutes.respond(to: message, token: configuration.authToken, health: configuration.health,
                                               onUpdateVotingPrefs: onUpdateVotingPrefs)
            if answer.status != 200 {
                // Refused requests are logged with the client and the reason (never the token sent).
                logger.warn("control API refused \(Self.printable(message.startLine)) from \(connection.peer): "
                            + "\(answer.status) \(answer.reason) (\(answer.refusal))")
            }
            try connection.write(ControlWire.response(status: answer.status, reason: answer.reason, json: answer.json),
                                 timeout: remaining(deadline))
        } catch let error as ControlError {
            logger.warn("control API refused a request from \(connection.peer): 400 Bad Request (\(error.message))")
            let bytes = ControlWire.response(status: 400, reason: "Bad Request",
                                             json: "{\"error\":\"\(error.message)\"}")
            try? connection.write(bytes, timeout: remaining(deadline))
        } catch {
            logger.debug("control API connection from \(connection.peer) failed: \(error)")
        }
    }

    /// A start line safe for one log line: printable ASCII only, at most 80 characters.
    static func printable(_ text: String) -> String {
        String(String.UnicodeScalarView(text.unicodeScalars.prefix(80).map {
            (0x20..<0x7F).contains($0.value) ? $0 : "?"
        }))
    }

    package static func reason(_ error: any Error) -> String {
        (error as? any CodedError)?.message ?? String(describing: error)
    }
}

/// The control API's routes as a pure function (tested without sockets).
enum ControlRoutes {
    struct Answer: Equatable {
        var status: Int
        var reason: String
        var json: String

        /// The reason for a refusal, as logged (the error text of the JSON body).
        var refusal: String {
            guard let object = try? JSONSerialization.jsonObject(with: Data(json.utf8)) as? [String: Any] else { return "" }
            return object["error"] as? String ?? ""
        }
    }

    static func respond(to message: ControlMessage, token: String?, health: (@Sendable () -> HealthReport)? = nil,
                        onUpdateVotingPrefs: @Sendable (Int64) -> Void) -> Answer {
        guard let (method, path) = message.requestParts else {
            return Answer(status: 400, reason: "Bad Request", json: #"{"error":"malformed request line"}"#)
        }
        // A load balancer's health check carries no token: /health changes nothing and names no user.
        if path == "/health", let health {
            guard method == "GET" else {
                return Answer(status: 405, reason: "Method Not Allowed", json: #"{"error":"method not allowed"}"#)
            }
            let report = health()
            return Answer(status: report.httpStatusCode, reason: report.status == .down ? "Service Unavailable" : "OK",
                          json: report.json.trimmingCharacters(in: .newlines))
        }
        if let token, !token.isEmpty {
            let given = message.headers["authorization"] ?? ""
            guard ConstantTime.equal(given, "Bearer " + token) else {
                return Answer(status: 401, reason: "Unauthorized", json: #"{"error":"missing or wrong token"}"#)
            }
        }
        switch (method, path) {
        case ("GET", "/v1/version"):
            let v = ControlServer.apiVersion
            return Answer(status: 200, reason: "OK",
                          json: "{\"version_string\":\"\(v.versionString)\",\"major\":\(v.major),\"minor\":\(v.minor),"
                              + "\"patch\":\(v.patch),\"prerelease\":\"\",\"build_metadata\":\"\"}")
        case ("GET", "/v1/ping"):
            return Answer(status: 200, reason: "OK", json: "{}")
        case ("POST", "/v1/voting-prefs"):
            var userId: Int64 = 0
            if !message.body.isEmpty {
                guard let object = try? JSONSerialization.jsonObject(with: Data(message.body)) as? [String: Any] else {
                    return Answer(status: 400, reason: "Bad Request", json: #"{"error":"body must be a JSON object"}"#)
                }
                if let value = object["Userid"] {
                    guard let number = value as? NSNumber, let id = Int64(exactly: number.doubleValue) else {
                        return Answer(status: 400, reason: "Bad Request", json: #"{"error":"Userid must be an integer"}"#)
                    }
                    userId = id
                }
            }
            onUpdateVotingPrefs(userId)
            return Answer(status: 200, reason: "OK", json: "{}")
        case (_, "/v1/version"), (_, "/v1/ping"), (_, "/v1/voting-prefs"):
            return Answer(status: 405, reason: "Method Not Allowed", json: #"{"error":"method not allowed"}"#)
        default:
            return Answer(status: 404, reason: "Not Found", json: #"{"error":"not found"}"#)
        }
    }
}
