import Foundation
import PoolNet

/// A plain HTTP/1.1 client for the web app on loopback, as a browser or an API client talks to it: one connection
/// per request (`Connection: close`), the cookies it is given kept for the next request, redirects not followed.
final class LoopbackHTTPClient: @unchecked Sendable {
    // @unchecked: used from one test method at a time.
    struct Response {
        var status: Int
        var headers: [(name: String, value: String)]
        var body: String

        func header(_ name: String) -> String? { headers.first { $0.name.lowercased() == name.lowercased() }?.value }

        /// The body as a JSON object (the API's envelope).
        var json: [String: Any] {
            get throws {
                guard let object = try JSONSerialization.jsonObject(with: Data(body.utf8)) as? [String: Any] else {
                    throw ExampleProcesses.Missing(description: "not a JSON object: \(body.prefix(300))")
                }
                return object
            }
        }
    }

    let address: HostPort
    private(set) var cookies: [String: String] = [:]

    init(_ address: HostPort) { self.address = address }

    func get(_ path: String, bearer: String? = nil) async throws -> Response {
        try await send("GET", path, body: nil, bearer: bearer)
    }

    /// POSTs `form` url-encoded.
    func post(_ path: String, form: [(String, String)], bearer: String? = nil) async throws -> Response {
        var allowed = CharacterSet.alphanumerics
        allowed.insert(charactersIn: "-._")
        let body = form.map { "\($0.0)=\($0.1.addingPercentEncoding(withAllowedCharacters: allowed) ?? $0.1)" }.joined(separator: "&")
        return try await send("POST", path, body: body, bearer: bearer)
    }

    private func send(_ method: String, _ path: String, body: String?, bearer: String?) async throws -> Response {
        var head = "\(method) \(path) HTTP/1.1\r\nHost: \(address)\r\nConnection: close\r\n"
        if !cookies.isEmpty { head += "Cookie: " + cookies.map { "\($0.key)=\($0.value)" }.sorted().joined(separator: "; ") + "\r\n" }
        if let bearer { head += "Authorization: Bearer \(bearer)\r\n" }
        if let body { head += "Content-Type: application/x-www-form-urlencoded\r\nContent-Length: \(body.utf8.count)\r\n" }
        let request = head + "\r\n" + (body ?? "")
        let connection = try await NetConnection.connect(to: address, timeout: .seconds(10))
        defer { connection.close() }
        let raw = try await connection.perform { connection -> [UInt8] in
            try connection.write(request, timeout: .seconds(10))
            var received: [UInt8] = []
            while true {
                let chunk = try connection.read(maxLength: 65_536, timeout: .seconds(180))
                if chunk.isEmpty { return received }
                received += chunk
            }
        }
        return try parse(String(decoding: raw, as: UTF8.self))
    }

    /// Status line, headers (keeping `Set-Cookie`s), and the body (the server sends `Content-Length`, never chunks).
    private func parse(_ raw: String) throws -> Response {
        guard let split = raw.range(of: "\r\n\r\n") else {
            throw ExampleProcesses.Missing(description: "no HTTP response head in \(raw.prefix(200))")
        }
        let lines = raw[..<split.lowerBound].components(separatedBy: "\r\n")
        let parts = lines[0].split(separator: " ")
        guard parts.count >= 2, let status = Int(parts[1]) else {
            throw ExampleProcesses.Missing(description: "bad status line \(lines[0])")
        }
        var headers: [(name: String, value: String)] = []
        for line in lines.dropFirst() {
            guard let colon = line.firstIndex(of: ":") else { continue }
            headers.append((String(line[..<colon]), line[line.index(after: colon)...].trimmingCharacters(in: .whitespaces)))
        }
        for (name, value) in headers where name.lowercased() == "set-cookie" {
            let pair = value.split(separator: ";")[0].split(separator: "=", maxSplits: 1)
            let key = String(pair[0]), content = pair.count > 1 ? String(pair[1]) : ""
            cookies[key] = value.contains("Max-Age=0") || content.isEmpty ? nil : content
        }
        return Response(status: status, headers: headers, body: String(raw[split.upperBound...]))
    }
}
