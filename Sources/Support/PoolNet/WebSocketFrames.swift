/// WebSocket opcodes (RFC 6455 §5.2).
public enum WebSocketOpcode: UInt8, Sendable {
    case continuation = 0x0, text = 0x1, binary = 0x2, close = 0x8, ping = 0x9, pong = 0xA

    var isControl: Bool { rawValue & 0x8 != 0 }
}

/// What the frame parser produced: whole messages (fragments already joined) and control frames.
public enum WebSocketEvent: Sendable, Equatable {
    case text([UInt8])
    case binary([UInt8])
    case ping([UInt8])
    case pong([UInt8])
    /// The peer's close frame: status code (1005 when absent) and reason text.
    case close(code: UInt16, reason: String)
}

/// Which side of the connection we are: clients mask every frame, servers never do (RFC 6455 §5.1).
public enum WebSocketRole: Sendable { case client, server }

/// RFC 6455 frame parser as a pure state machine: feed bytes with `append`, take events with `next()`.
///
/// Enforces: masking by role, zero RSV bits, known opcodes, control frames ≤ 125 bytes and unfragmented,
/// continuation only inside a fragmented message, 64-bit lengths with the top bit clear, UTF-8 text,
/// close-frame payload shape, and `maxMessageSize` for a whole (joined) message.
/// Errors are `NetError` with `netProtocol` or `netTooLarge`; `closeCode` says what to send back.
public struct WebSocketFrameParser: Sendable {
    public let role: WebSocketRole
    public let maxMessageSize: Int
    private var buffer: [UInt8] = []
    private var readIndex = 0
    private var fragmentOpcode: WebSocketOpcode?
    private var fragments: [UInt8] = []
    /// Buffer capacity kept between messages; more is released once consumed.
    static let retainedCapacity = 1 << 20

    public init(role: WebSocketRole, maxMessageSize: Int = 16 << 20) {
        self.role = role
        self.maxMessageSize = maxMessageSize
    }

    /// Bytes buffered but not yet consumed (a partial frame).
    public var bufferedCount: Int { buffer.count - readIndex }
    /// Memory the buffer holds between messages (tests).
    var bufferCapacity: Int { buffer.capacity }

    public mutating func append(_ bytes: UnsafeRawBufferPointer) {
        compactIfNeeded()
        buffer.append(contentsOf: bytes)
    }

    public mutating func append(_ bytes: [UInt8]) {
        bytes.withUnsafeBytes { append($0) }
    }

    private mutating func compactIfNeeded() {
        if readIndex == buffer.count {
            // After a large message, give its memory back: a 200 MB `listscripts` reply must not stay resident
            // for the connection's life.
            buffer.removeAll(keepingCapacity: buffer.capacity <= Self.retainedCapacity)
            readIndex = 0
        } else if readIndex > 65_536 && readIndex * 2 > buffer.count {
            buffer.removeSubrange(0..<readIndex)
            readIndex = 0
        }
    }

    /// The close status to send when `next()` threw `error` (1009 too big, 1007 bad UTF-8, else 1002).
    public static func closeCode(for error: NetError) -> UInt16 {
        if error.code == .netTooLarge { return 1009 }
        if error.message.contains("UTF-8") { return 1007 }
        return 1002
    }

    /// The next complete event, or nil when more bytes are needed.
    public mutating func next() throws -> WebSocketEvent? {
        while true {
            let available = buffer.count - readIndex
            guard available >= 2 else { return nil }
            let first = buffer[readIndex]
            let second = buffer[readIndex + 1]
            let fin = first & 0x80 != 0
            guard first & 0x70 == 0 else { throw violation("reserved bits set") }
            guard let opcode = WebSocketOpcode(rawValue: first & 0x0F) else { throw violation("unknown opcode \(first & 0x0F)") }
            let masked = second & 0x80 != 0
            switch role {
            case .server: guard masked else { throw violation("client frame is not masked") }
            case .client: guard !masked else { throw violation("server frame is masked") }
            }
            var headerLength = 2
            var length = UInt64(second & 0x7F)
            if length == 126 {
                guard available >= 4 else { return nil }
                length = UInt64(buffer[readIndex + 2]) << 8 | UInt64(buffer[readIndex + 3])
                headerLength = 4
            } else if length == 127 {
                guard available >= 10 else { return nil }
                length = 0
                for offset in 2..<10 { length = length << 8 | UInt64(buffer[readIndex + offset]) }
                guard length >> 63 == 0 else { throw violation("frame length has the top bit set") }
                headerLength = 10
            }
            if opcode.isControl {
                guard fin else { throw violation("fragmented control frame") }
                guard length <= 125 else { throw violation("control frame longer than 125 bytes") }
            }
            let pendingSize = opcode == .continuation ? fragments.count : 0
            guard length <= UInt64(maxMessageSize - pendingSize) else {
                throw NetError(.netTooLarge, "websocket message larger than \(maxMessageSize) bytes")
            }
            let maskLength = masked ? 4 : 0
            let total = headerLength + maskLength + Int(length)
            guard available >= total else {
                // A large frame is coming: make room for it once, rather than let the buffer double (and copy
                // itself) on the way, which would hold the old and the new buffer at once.
                if total > Self.retainedCapacity, buffer.capacity - readIndex < total {
                    buffer.removeSubrange(0..<readIndex)
                    readIndex = 0
                    buffer.reserveCapacity(total)
                }
                return nil
            }
            let payloadStart = readIndex + headerLength + maskLength
            var payload: [UInt8]
            if !masked, length > UInt64(Self.retainedCapacity), payloadStart + Int(length) == buffer.count {
                // A large frame that ends the buffer (a big reply): hand the buffer over rather than copy it, so
                // the message costs its size once, not twice.
                buffer.removeSubrange(0..<payloadStart)
                payload = buffer
                buffer = []
                readIndex = 0
            } else {
                payload = Array(buffer[payloadStart..<(payloadStart + Int(length))])
                if masked {
                    let key = (buffer[readIndex + headerLength], buffer[readIndex + headerLength + 1],
                               buffer[readIndex + headerLength + 2], buffer[readIndex + headerLength + 3])
                    WebSocketMask.apply(key: key, to: &payload)
                }
                readIndex += total
                compactIfNeeded()
            }

            switch opcode {
            case .ping: return .ping(payload)
            case .pong: return .pong(payload)
            case .close: return try closeEvent(payload)
            case .text, .binary:
                guard fragmentOpcode == nil else { throw violation("new message inside a fragmented message") }
                if fin { return try message(opcode, payload) }
                fragmentOpcode = opcode
                fragments = payload
            case .continuation:
                guard let started = fragmentOpcode else { throw violation("continuation without a message") }
                fragments.append(contentsOf: payload)
                if fin {
                    let whole = fragments
                    fragments = []
                    fragmentOpcode = nil
                    return try message(started, whole)
                }
            }
        }
    }

    private func message(_ opcode: WebSocketOpcode, _ payload: [UInt8]) throws -> WebSocketEvent {
        if opcode == .binary { return .binary(payload) }
        guard UTF8Validation.isValid(payload) else { throw violation("text message is not UTF-8") }
        return .text(payload)
    }

    private func closeEvent(_ payload: [UInt8]) throws -> WebSocketEvent {
        if payload.isEmpty { return .close(code: 1005, reason: "") }
        guard payload.count >= 2 else { throw violation("close frame with a 1-byte payload") }
        let code = UInt16(payload[0]) << 8 | UInt16(payload[1])
        guard let reason = String(validating: payload[2...], as: UTF8.self) else {
            throw violation("close reason is not UTF-8")
        }
        return .close(code: code, reason: reason)
    }

    private func violation(_ why: String) -> NetError { NetError(.netProtocol, "websocket protocol violation: \(why)") }
}

/// Builds frames. Clients pass a mask key (random per frame); servers pass nil.
public enum WebSocketFrameEncoder {
    /// Appends one frame to `out`.
    public static func append(opcode: WebSocketOpcode, payload: UnsafeRawBufferPointer, fin: Bool = true,
                              maskKey: UInt32?, to out: inout [UInt8]) {
        out.append((fin ? 0x80 : 0) | opcode.rawValue)
        let maskBit: UInt8 = maskKey == nil ? 0 : 0x80
        let count = payload.count
        if count < 126 {
            out.append(maskBit | UInt8(count))
        } else if count <= 0xFFFF {
            out.append(maskBit | 126)
            out.append(UInt8(count >> 8))
            out.append(UInt8(count & 0xFF))
        } else {
            out.append(maskBit | 127)
            for shift in stride(from: 56, through: 0, by: -8) { out.append(UInt8((UInt64(count) >> UInt64(shift)) & 0xFF)) }
        }
        if let maskKey {
            let key = (UInt8(maskKey >> 24), UInt8((maskKey >> 16) & 0xFF), UInt8((maskKey >> 8) & 0xFF), UInt8(maskKey & 0xFF))
            out.append(contentsOf: [key.0, key.1, key.2, key.3])
            let start = out.count
            out.append(contentsOf: payload)
            out.withUnsafeMutableBufferPointer { buffer in
                WebSocketMask.apply(key: key, to: UnsafeMutableBufferPointer(rebasing: buffer[start...]))
            }
        } else {
            out.append(contentsOf: payload)
        }
    }

    /// One frame as a new array.
    public static func frame(opcode: WebSocketOpcode, payload: [UInt8], fin: Bool = true, maskKey: UInt32?) -> [UInt8] {
        var out: [UInt8] = []
        out.reserveCapacity(payload.count + 14)
        payload.withUnsafeBytes { append(opcode: opcode, payload: $0, fin: fin, maskKey: maskKey, to: &out) }
        return out
    }

    /// A close frame payload: status code + reason (truncated to fit 125 bytes).
    public static func closePayload(code: UInt16, reason: String) -> [UInt8] {
        [UInt8(code >> 8), UInt8(code & 0xFF)] + Array(reason.utf8.prefix(123))
    }
}

enum WebSocketMask {
    static func apply(key: (UInt8, UInt8, UInt8, UInt8), to payload: inout [UInt8]) {
        payload.withUnsafeMutableBufferPointer { apply(key: key, to: $0) }
    }

    /// XOR with the 4-byte key, 8 bytes at a time where possible.
    static func apply(key: (UInt8, UInt8, UInt8, UInt8), to buffer: UnsafeMutableBufferPointer<UInt8>) {
        let count = buffer.count
        guard count > 0, let base = buffer.baseAddress else { return }
        let key32 = UInt32(key.0) | UInt32(key.1) << 8 | UInt32(key.2) << 16 | UInt32(key.3) << 24
        let key64 = UInt64(key32) | UInt64(key32) << 32
        var index = 0
        let raw = UnsafeMutableRawPointer(base)
        while index + 8 <= count {
            let word = raw.loadUnaligned(fromByteOffset: index, as: UInt64.self)
            raw.storeBytes(of: word ^ key64, toByteOffset: index, as: UInt64.self)
            index += 8
        }
        let keyBytes = [key.0, key.1, key.2, key.3]
        while index < count {
            base[index] ^= keyBytes[index & 3]
            index += 1
        }
    }
}
