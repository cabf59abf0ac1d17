import Foundation
import XCTest
#if canImport(Glibc)
import Glibc
#endif

/// A blocking test client over a raw TCP (or Unix) socket, with a receive timeout, so tests can
/// send exactly the bytes they want and read exactly what the server answers.
final class RawHTTPClient {
    let fd: Int32
    private var pending: [UInt8] = []

    struct Response {
        var status: Int
        var headers: [(String, String)]
        var body: [UInt8]
        var text: String { String(decoding: body, as: UTF8.self) }
        func header(_ name: String) -> String? { headers.first { $0.0.lowercased() == name.lowercased() }?.1 }
    }

    struct ClientError: Error, CustomStringConvertible { let description: String }

    init(port: Int, host: String = "127.0.0.1", source: String? = nil, timeout: TimeInterval = 5) throws {
        fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard fd >= 0 else { throw ClientError(description: "socket failed: \(errno)") }
        if let source {
            // Connect from another loopback address (127.0.0.x) to look like a different client.
            var local = sockaddr_in()
            local.sin_family = sa_family_t(AF_INET)
            inet_pton(AF_INET, source, &local.sin_addr)
            let bound = withUnsafePointer(to: &local) {
                $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
            }
            guard bound == 0 else { let code = errno; close(fd); throw ClientError(description: "bind failed: \(code)") }
        }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = in_port_t(UInt16(port).bigEndian)
        inet_pton(AF_INET, host, &address.sin_addr)
        let rc = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        guard rc == 0 else { let code = errno; close(fd); throw ClientError(description: "connect failed: \(code)") }
        setTimeout(timeout)
    }

    init(unixPath: String, timeout: TimeInterval = 5) throws {
        fd = socket(AF_UNIX, Int32(SOCK_STREAM.rawValue), 0)
        var address = sockaddr_un()
        address.sun_family = sa_family_t(AF_UNIX)
        withUnsafeMutableBytes(of: &address.sun_path) { raw in
            for (index, byte) in unixPath.utf8.enumerated() { raw[index] = byte }
        }
        let rc = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(fd, $0, socklen_t(MemoryLayout<sockaddr_un>.size)) }
        }
        guard rc == 0 else { let code = errno; close(fd); throw ClientError(description: "connect failed: \(code)") }
        setTimeout(timeout)
    }

    deinit { close(fd) }

    func setTimeout(_ seconds: TimeInterval) {
        var value = timeval(tv_sec: Int(seconds), tv_usec: Int((seconds - Double(Int(seconds))) * 1_000_000))
        setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &value, socklen_t(MemoryLayout<timeval>.size))
        setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &value, socklen_t(MemoryLayout<timeval>.size))
    }

    func send(_ text: String) throws { try send(Array(text.utf8)) }

    func send(_ bytes: [UInt8]) throws {
        var offset = 0
        while offset < bytes.count {
            let sent = bytes.withUnsafeBytes { Glibc.send(fd, $0.baseAddress! + offset, bytes.count - offset, Int32(MSG_NOSIGNAL)) }
            guard sent > 0 else { throw ClientError(description: "send failed: \(errno)") }
            offset += sent
        }
    }

    /// Reads more bytes; false at EOF, throws on timeout or reset.
    private func fill() throws -> Bool {
        var chunk = [UInt8](repeating: 0, count: 65536)
        let count = chunk.withUnsafeMutableBytes { recv(fd, $0.baseAddress, 65536, 0) }
        if count > 0 { pending.append(contentsOf: chunk[0..<count]); return true }
        if count == 0 { return false }
        throw ClientError(description: errno == EAGAIN ? "timeout" : "recv failed: \(errno)")
    }

    /// Reads one response (Content-Length framed; `head` for responses to HEAD).
    func readResponse(head: Bool = false) throws -> Response {
        while true {
            if let end = findHeadEnd() {
                let headText = String(decoding: pending[0..<end], as: UTF8.self)
                var lines = headText.components(separatedBy: "\r\n")
                let statusLine = lines.removeFirst()
                let parts = statusLine.split(separator: " ")
                guard parts.count >= 2, let status = Int(parts[1]) else { throw ClientError(description: "bad status line \(statusLine)") }
                var headers: [(String, String)] = []
                for line in lines where !line.isEmpty {
                    guard let colon = line.firstIndex(of: ":") else { continue }
                    headers.append((String(line[..<colon]), line[line.index(after: colon)...].trimmingCharacters(in: .whitespaces)))
                }
                let length = head || status == 204 || status == 304 || status < 200 ? 0
                    : Int(headers.first { $0.0.lowercased() == "content-length" }?.1 ?? "0") ?? 0
                while pending.count < end + 4 + length {
                    guard try fill() else { throw ClientError(description: "EOF in body") }
                }
                let body = Array(pending[(end + 4)..<(end + 4 + length)])
                pending.removeFirst(end + 4 + length)
                return Response(status: status, headers: headers, body: body)
            }
            guard try fill() else { throw ClientError(description: "EOF before response") }
        }
    }

    /// True when the server closes the connection (EOF or reset) within the receive timeout.
    func isClosedByPeer() -> Bool {
        do {
            while try fill() { pending.removeAll() }
            return true
        } catch let error as ClientError {
            return error.description.contains("recv failed")
        } catch { return false }
    }

    private func findHeadEnd() -> Int? {
        guard pending.count >= 4 else { return nil }
        for index in 0...(pending.count - 4) where pending[index] == 13 && pending[index + 1] == 10
            && pending[index + 2] == 13 && pending[index + 3] == 10 { return index }
        return nil
    }

    /// One request on a fresh connection.
    static func get(port: Int, _ path: String, headers: [String: String] = [:], source: String? = nil) throws -> Response {
        let client = try RawHTTPClient(port: port, source: source)
        var text = "GET \(path) HTTP/1.1\r\nHost: test\r\n"
        for (name, value) in headers { text += "\(name): \(value)\r\n" }
        try client.send(text + "\r\n")
        return try client.readResponse()
    }
}
