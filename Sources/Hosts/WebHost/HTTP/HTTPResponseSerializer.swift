/// Writes a response in HTTP/1.1 wire form.
///
/// Byte appends, no lower-cased copies: a small answer (vspinfo at 50,000/s on one I/O thread) spent 7 % of that
/// thread here when every header went through `lowercased()` and a `Set`. (Decimal numbers are small strings:
/// `String(Int)` allocates nothing.)
enum HTTPResponseSerializer {
    /// Headers the server owns; a handler's values for them are ignored.
    private static let serverOwned = ["content-length", "connection", "date", "transfer-encoding"]

    /// Appends the response to `buffer`; returns the number of body bytes written.
    @discardableResult
    static func append(_ response: HTTPResponse, keepAlive: Bool, omitBody: Bool, date: String,
                       to buffer: inout [UInt8]) -> Int {
        buffer.reserveCapacity(buffer.count + 160 + response.body.count)
        buffer.append(contentsOf: "HTTP/1.1 ".utf8)
        buffer.append(contentsOf: String(response.status.code).utf8)
        buffer.append(UInt8(ascii: " "))
        buffer.append(contentsOf: response.status.reason.utf8)
        buffer.append(contentsOf: [13, 10])
        for (name, value) in response.headers where !isServerOwned(name) {
            buffer.append(contentsOf: name.utf8)
            buffer.append(contentsOf: [UInt8(ascii: ":"), UInt8(ascii: " ")])
            // A CR or LF in a value would let a handler's input split the response: drop them.
            if value.utf8.contains(where: { $0 == 13 || $0 == 10 }) {
                for byte in value.utf8 where byte != 13 && byte != 10 { buffer.append(byte) }
            } else {
                buffer.append(contentsOf: value.utf8)
            }
            buffer.append(contentsOf: [13, 10])
        }
        let length = response.file?.length ?? response.body.count
        if !response.status.forbidsBody {
            buffer.append(contentsOf: "Content-Length: ".utf8)
            buffer.append(contentsOf: String(length).utf8)
            buffer.append(contentsOf: [13, 10])
        }
        if !date.isEmpty {
            buffer.append(contentsOf: "Date: ".utf8)
            buffer.append(contentsOf: date.utf8)
            buffer.append(contentsOf: [13, 10])
        }
        if !keepAlive { buffer.append(contentsOf: "Connection: close\r\n".utf8) }
        buffer.append(contentsOf: [13, 10])
        guard !omitBody, !response.status.forbidsBody else { return 0 }
        // A file body follows the head as the connection drains (`HTTPConnection.file`).
        if response.file == nil { buffer.append(contentsOf: response.body) }
        return length
    }

    private static func isServerOwned(_ name: String) -> Bool {
        serverOwned.contains { $0.caseInsensitiveEquals(name) }
    }
}
