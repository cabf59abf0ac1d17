/// Writes a response in HTTP/1.1 wire form.
enum HTTPResponseSerializer {
    /// Headers the server owns; a handler's values for them are ignored.
    private static let serverOwned: Set<String> = ["content-length", "connection", "date", "transfer-encoding"]

    /// Appends the response to `buffer`; returns the number of body bytes written.
    @discardableResult
    static func append(_ response: HTTPResponse, keepAlive: Bool, omitBody: Bool, date: String,
                       to buffer: inout [UInt8]) -> Int {
        buffer.reserveCapacity(buffer.count + 160 + response.body.count)
        appendASCII("HTTP/1.1 \(response.status.code) \(response.status.reason)\r\n", to: &buffer)
        for (name, value) in response.headers {
            if serverOwned.contains(name.lowercased()) { continue }
            appendASCII(name, to: &buffer)
            buffer.append(contentsOf: [UInt8(ascii: ":"), UInt8(ascii: " ")])
            // A CR or LF in a value would let a handler's input split the response: drop them.
            for byte in value.utf8 where byte != 13 && byte != 10 { buffer.append(byte) }
            buffer.append(contentsOf: [13, 10])
        }
        let length = response.file?.length ?? response.body.count
        if !response.status.forbidsBody {
            appendASCII("Content-Length: \(length)\r\n", to: &buffer)
        }
        if !date.isEmpty { appendASCII("Date: \(date)\r\n", to: &buffer) }
        if !keepAlive { appendASCII("Connection: close\r\n", to: &buffer) }
        buffer.append(contentsOf: [13, 10])
        guard !omitBody, !response.status.forbidsBody else { return 0 }
        // A file body follows the head as the connection drains (`HTTPConnection.file`).
        if response.file == nil { buffer.append(contentsOf: response.body) }
        return length
    }

    private static func appendASCII(_ text: String, to buffer: inout [UInt8]) {
        buffer.append(contentsOf: text.utf8)
    }
}
