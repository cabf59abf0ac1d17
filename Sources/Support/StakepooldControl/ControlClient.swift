import Foundation
import PoolKernel
import PoolNet

/// The web app's client of one stakepoold's control API (see `ControlServer`, stakepoold.md §4.2):
/// TLS pinned to the daemon's `rpc.cert`, server name `localhost` (as the gRPC client's override).
public struct ControlClient: Sendable {
    public var address: PoolNet.HostPort
    /// The daemon's certificate (`stakepooldcerts` entry).
    public var certificateFile: String
    /// The name the certificate must carry (v1.1.1 overrides it to `localhost`).
    public var serverName: String
    /// Bearer token when the daemon sets `controltoken`.
    public var authToken: String?
    public var timeout: Duration

    public init(address: PoolNet.HostPort, certificateFile: String, serverName: String = "localhost",
                authToken: String? = nil, timeout: Duration = .seconds(10)) {
        self.address = address
        self.certificateFile = certificateFile
        self.serverName = serverName
        self.authToken = authToken
        self.timeout = timeout
    }

    /// `Version`: the daemon's control API version.
    public func version() async throws -> APIVersion {
        let object = try await call("GET", "/v1/version", json: nil)
        func number(_ key: String) -> UInt32 { (object[key] as? NSNumber).map { $0.uint32Value } ?? 0 }
        return APIVersion(major: number("major"), minor: number("minor"), patch: number("patch"),
                          prerelease: object["prerelease"] as? String ?? "",
                          buildMetadata: object["build_metadata"] as? String ?? "",
                          versionString: object["version_string"] as? String)
    }

    /// `Version` plus the web app's rule: major 3 and at least 3.0.0, else `control-incompatible`.
    public func checkVersion() async throws {
        let version = try await version()
        guard version.isCompatible(withRequired: ControlServer.apiVersion) else {
            throw ControlError(.controlIncompatible, "stakepoold at \(address) serves API \(version.versionString), "
                               + "require \(ControlServer.apiVersion.versionString)")
        }
    }

    /// `Ping`.
    public func ping() async throws { _ = try await call("GET", "/v1/ping", json: nil) }

    /// `UpdateVotingPrefs(Userid)`: 0 means every user.
    public func updateVotingPrefs(userId: Int64) async throws {
        _ = try await call("POST", "/v1/voting-prefs", json: "{\"Userid\":\(userId)}")
    }

    private func call(_ method: String, _ path: String, json: String?) async throws -> [String: Any] {
        let request = ControlWire.request(method: method, path: path, host: serverName, token: authToken, json: json)
        let message: ControlMessage
        do {
            let context = try TLSContext(client: TLSClientConfiguration(trust: .certificateFile(certificateFile)))
            let connection = try await NetConnection.connect(to: address, timeout: timeout)
            defer { connection.close() }
            let deadline = ContinuousClock.now + timeout
            message = try await connection.perform { connection in
                func remaining() -> Duration { max(.milliseconds(1), deadline - ContinuousClock.now) }
                try connection.startTLS(context, serverName: serverName, timeout: remaining())
                try connection.write(request, timeout: remaining())
                var buffer: [UInt8] = []
                while true {
                    let chunk = try connection.read(maxLength: 4096, timeout: remaining())
                    if chunk.isEmpty { break }
                    buffer += chunk
                    if let parsed = try ControlWire.parse(buffer) { return parsed }
                }
                guard let parsed = try ControlWire.parse(buffer) else {
                    throw ControlError(.controlBadMessage, "stakepoold at \(address) closed before a full response")
                }
                return parsed
            }
        } catch let error as ControlError {
            throw error
        } catch {
            throw ControlError(.controlUnavailable, "stakepoold at \(address): \(error)")
        }
        guard let status = message.statusCode else {
            throw ControlError(.controlBadMessage, "stakepoold at \(address) sent a malformed status line")
        }
        if status == 401 {
            throw ControlError(.controlUnauthorized, "stakepoold at \(address) refused the token: check stakepooldtoken = controltoken")
        }
        guard status == 200 else {
            throw ControlError(.controlStatus, "stakepoold at \(address) answered \(status) to \(method) \(path)")
        }
        guard let object = try? JSONSerialization.jsonObject(with: Data(message.body)) as? [String: Any] else {
            throw ControlError(.controlBadMessage, "stakepoold at \(address) sent a body that is not a JSON object")
        }
        return object
    }
}
