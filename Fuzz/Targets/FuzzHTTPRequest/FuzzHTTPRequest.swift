// libFuzzer target: the HTTP/1.x request parser (WebHost/HTTP/HTTPRequestParser.swift).
// Input: byte 0 picks the size of the pieces the rest is fed in (1…64 bytes); the rest is the stream.
// Checks: fed whole or in pieces, the parser yields the same requests and ends the same way; no body
// exceeds the limit; an HTTP/1.1 request has exactly one Host.
@testable import WebHost

private let limits = HTTPParserLimits(maxHeadBytes: 512, maxBodyBytes: 256, maxHeaderCount: 8)

/// What the parser produced: one line per request, then how it stopped.
private func run(_ stream: ArraySlice<UInt8>, pieceSize: Int) -> [String] {
    var parser = HTTPRequestParser(limits: limits)
    var outcome: [String] = []
    var offset = stream.startIndex
    while offset < stream.endIndex {
        let end = min(offset + pieceSize, stream.endIndex)
        parser.append(Array(stream[offset..<end]))
        offset = end
        while true {
            switch parser.next() {
            case .request(let request):
                precondition(request.body.count <= limits.maxBodyBytes, "body beyond maxBodyBytes")
                if request.version.minor == 1 { precondition(request.headers.values("Host").count == 1) }
                outcome.append("\(request.method.rawValue) \(request.target) \(request.path) ?\(request.query) "
                               + "h\(request.headers.count) b\(request.body)")
                continue
            case .expectsContinue, .needMoreData:
                break
            case .failure(let failure):
                if case .failure(let again) = parser.next() { precondition(again == failure, "failure not sticky") }
                return outcome + ["failure \(failure.status.code)"]
            }
            break
        }
    }
    return outcome + ["more"]
}

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzHTTPRequest(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    let input = UnsafeBufferPointer(start: data, count: size)
    guard let first = input.first else { return 0 }
    let stream = Array(input)[1...]
    let whole = run(stream, pieceSize: max(stream.count, 1))
    let pieces = run(stream, pieceSize: Int(first % 64) + 1)
    precondition(whole == pieces, "split-dependent result:\n\(whole)\n\(pieces)")
    return 0
}
