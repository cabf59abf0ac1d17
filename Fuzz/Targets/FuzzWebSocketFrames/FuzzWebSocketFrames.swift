// libFuzzer target: the websocket frame parser (PoolNet/WebSocketFrames.swift).
// Input: byte 0 picks the role (bit 7: server, which demands masked frames) and the size of the pieces the
// rest is fed in (low bits, 1…64 bytes).
// Checks: fed whole or in pieces the same events come out and it ends the same way; messages respect
// maxMessageSize, text is UTF-8, control payloads ≤ 125 bytes; every event re-encoded by
// WebSocketFrameEncoder parses back to itself.
import PoolNet

private let maxMessageSize = 1024

private func run(_ stream: ArraySlice<UInt8>, role: WebSocketRole, pieceSize: Int) -> [WebSocketEvent?] {
    var parser = WebSocketFrameParser(role: role, maxMessageSize: maxMessageSize)
    var events: [WebSocketEvent?] = []
    var offset = stream.startIndex
    while offset < stream.endIndex {
        let end = min(offset + pieceSize, stream.endIndex)
        parser.append(Array(stream[offset..<end]))
        offset = end
        do {
            while let event = try parser.next() { events.append(event) }
        } catch {
            precondition(error is NetError, "next() threw \(type(of: error))")
            return events + [nil]
        }
    }
    return events
}

private func check(_ event: WebSocketEvent, role: WebSocketRole) {
    let opcode: WebSocketOpcode
    let payload: [UInt8]
    switch event {
    case .text(let bytes):
        precondition(String(validating: bytes, as: UTF8.self) != nil, "text message is not UTF-8")
        (opcode, payload) = (.text, bytes)
    case .binary(let bytes): (opcode, payload) = (.binary, bytes)
    case .ping(let bytes): (opcode, payload) = (.ping, bytes)
    case .pong(let bytes): (opcode, payload) = (.pong, bytes)
    case .close(let code, let reason):
        if code == 1005 && reason.isEmpty { (opcode, payload) = (.close, []) }
        else { (opcode, payload) = (.close, WebSocketFrameEncoder.closePayload(code: code, reason: reason)) }
    }
    precondition(payload.count <= maxMessageSize, "message beyond maxMessageSize")
    if case .ping = event { precondition(payload.count <= 125) }
    if case .pong = event { precondition(payload.count <= 125) }
    // Re-encode as the peer would send it and parse it back.
    let frame = WebSocketFrameEncoder.frame(opcode: opcode, payload: payload, maskKey: role == .server ? 0x1234_5678 : nil)
    var parser = WebSocketFrameParser(role: role, maxMessageSize: maxMessageSize)
    parser.append(frame)
    precondition((try? parser.next()) == event, "re-encoded event parses differently: \(event)")
}

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzWebSocketFrames(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    let input = UnsafeBufferPointer(start: data, count: size)
    guard let first = input.first else { return 0 }
    let role: WebSocketRole = first & 0x80 != 0 ? .server : .client
    let stream = Array(input)[1...]
    let whole = run(stream, role: role, pieceSize: max(stream.count, 1))
    let pieces = run(stream, role: role, pieceSize: Int(first & 0x3F) + 1)
    precondition(whole == pieces, "split-dependent result:\n\(whole)\n\(pieces)")
    for case let event? in whole { check(event, role: role) }
    return 0
}
