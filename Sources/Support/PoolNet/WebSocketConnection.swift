import Dispatch
import Synchronization

/// A websocket over a `NetConnection` (after the HTTP upgrade): framing, masking, ping/pong and close.
///
/// Threading: `runReader` blocks its caller (run it on `connection.queue`); `send…` may be called
/// from any thread and never blocks. Writes combine: a sender appends its frame to the outbound buffer
/// and, if no one is writing, becomes the writer and drains the buffer outside the lock — so frames
/// queued meanwhile by other threads go out in the same TLS write, and no socket call happens under
/// the lock. Bytes the socket does not take at once are flushed from a writer queue, in order. A
/// backlog over `maxBacklog` bytes fails the connection. On the server side, replies sent while the reader
/// handles the messages of one read are held (corked) and go out together when that read is done.
final class WebSocketConnection: Sendable {
    let connection: NetConnection
    let role: WebSocketRole
    private let maxMessageSize: Int
    private let maxBacklog: Int
    private let writeTimeout: Duration
    private let outbound = SpinningLock(Outbound())
    private let writerQueue = DispatchQueue(label: "poolnet.websocket.writer")
    private let leftover: [UInt8]

    private struct Outbound {
        var pending: [UInt8] = []
        var offset = 0
        var flushing = false
        /// Set while the reader handles the messages of one read: replies collect and go out in one write.
        var corked = false
        var failure: NetError?
        var sentClose = false
    }

    /// - Parameter leftover: bytes read past the HTTP head, the start of the first frame(s).
    init(connection: NetConnection, role: WebSocketRole, leftover: [UInt8] = [], maxMessageSize: Int = 16 << 20,
         maxBacklog: Int = 64 << 20, writeTimeout: Duration = .seconds(30)) {
        self.connection = connection
        self.role = role
        self.leftover = leftover
        self.maxMessageSize = maxMessageSize
        self.maxBacklog = maxBacklog
        self.writeTimeout = writeTimeout
    }

    // MARK: - Writing

    /// Sends one text message (one frame).
    func sendText(_ payload: [UInt8]) throws {
        try send(opcode: .text, payload: payload)
    }

    func send(opcode: WebSocketOpcode, payload: [UInt8]) throws {
        var frame: [UInt8] = []
        frame.reserveCapacity(payload.count + 14)
        payload.withUnsafeBytes { bytes in
            WebSocketFrameEncoder.append(opcode: opcode, payload: bytes, maskKey: role == .client ? UInt32.random(in: 0...UInt32.max) : nil,
                                         to: &frame)
        }
        try sendRaw(frame)
    }

    /// Queues already-framed bytes (tests use it to send hand-made frames) and writes them unless another
    /// thread is writing already (it will take them along).
    func sendRaw(_ frame: [UInt8]) throws {
        let becameWriter = try outbound.withLock { state -> Bool in
            if let failure = state.failure { throw failure }
            if state.sentClose { throw NetError(.netClosed, "websocket to \(connection.peer) is closing") }
            guard state.pending.count - state.offset + frame.count <= maxBacklog else {
                let error = NetError(.netTooLarge, "websocket send backlog to \(connection.peer) exceeds \(maxBacklog) bytes")
                state.failure = error
                throw error
            }
            // An empty backlog takes the frame as it is (a 260 MB `listscripts` reply is not copied once more).
            if state.pending.isEmpty { state.pending = frame } else { state.pending.append(contentsOf: frame) }
            if state.flushing || state.corked { return false }
            state.flushing = true
            return true
        }
        if becameWriter { drain() }
    }

    /// Holds sends back (they collect in the outbound buffer) until `uncork`.
    private func cork() { outbound.withLock { $0.corked = true } }

    /// Ends `cork` and writes what collected meanwhile, unless another thread is writing (it takes it along).
    private func uncork() {
        let becameWriter = outbound.withLock { state -> Bool in
            state.corked = false
            guard !state.flushing, state.failure == nil, state.pending.count > state.offset else { return false }
            state.flushing = true
            return true
        }
        if becameWriter { drain() }
    }

    /// Writes the outbound buffer until it is empty, taking it out of the lock for each write. When the
    /// socket stops taking bytes, the rest goes back in front of the buffer and the writer queue waits
    /// for the socket (the `flushing` flag stays set, so nobody else writes meanwhile).
    private func drain() {
        var batch: [UInt8] = []
        while true {
            outbound.withLock { state in
                swap(&batch, &state.pending)
                if state.offset > 0 {
                    batch.removeFirst(state.offset)
                    state.offset = 0
                }
            }
            let written: Int
            do {
                written = try batch.withUnsafeBytes { try connection.tryWrite($0) }
            } catch {
                let failure = (error as? NetError) ?? NetError(.netIO, "\(error)")
                outbound.withLock { $0.failure = failure }
                connection.close()
                return
            }
            let finished = outbound.withLock { state -> Bool in
                if written < batch.count {
                    // The socket is full: keep the unwritten tail first, in order.
                    state.pending.insert(contentsOf: batch[written...], at: 0)
                    return false
                }
                if state.pending.isEmpty {
                    state.flushing = false
                    return true
                }
                return false
            }
            if finished { return }
            if written < batch.count {
                writerQueue.async { self.flush() }
                return
            }
            batch.removeAll(keepingCapacity: true)
        }
    }

    /// Whether to drop the bytes written so far from the front of the backlog. Only once they are at least half of
    /// it, so each byte is moved at most once on average: moving the unwritten tail after each write past a megabyte
    /// made a 260 MB reply cost up to 130 MB of copying per megabyte sent (quadratic in the reply's size).
    static func shouldCompact(written offset: Int, of count: Int) -> Bool {
        offset > 1 << 20 && offset >= count - offset
    }

    private func flush() {
        let deadline = Deadline(timeout: writeTimeout)
        while true {
            do {
                let done = try outbound.withLock { state -> Bool in
                    let written = try state.pending.withUnsafeBytes { bytes in
                        try connection.tryWrite(UnsafeRawBufferPointer(rebasing: bytes[state.offset...]))
                    }
                    state.offset += written
                    if state.offset == state.pending.count {
                        state.pending.removeAll(keepingCapacity: true)
                        state.offset = 0
                        state.flushing = false
                        return true
                    }
                    if Self.shouldCompact(written: state.offset, of: state.pending.count) {
                        state.pending.removeSubrange(0..<state.offset)
                        state.offset = 0
                    }
                    return false
                }
                if done { return }
                try connection.waitWritable(deadline: deadline)
            } catch {
                let failure = (error as? NetError) ?? NetError(.netIO, "\(error)")
                outbound.withLock { $0.failure = failure }
                connection.close()
                return
            }
        }
    }

    /// Sends a close frame (once) and shuts the socket down shortly after, without waiting for the
    /// peer's close frame (pending calls are failed by the owner anyway).
    func close(code: UInt16 = 1000, reason: String = "") {
        uncork()  // replies collected so far go out before the close frame
        // While another thread is writing, a close frame written here could land inside its frame: skip
        // the (best-effort) close frame then and just shut the socket.
        let shouldSend = outbound.withLock { state -> Bool in
            defer { state.sentClose = true }
            return !state.sentClose && state.failure == nil && !state.flushing
        }
        if shouldSend {
            var frame: [UInt8] = []
            WebSocketFrameEncoder.closePayload(code: code, reason: reason).withUnsafeBytes { bytes in
                WebSocketFrameEncoder.append(opcode: .close, payload: bytes,
                                             maskKey: role == .client ? UInt32.random(in: 0...UInt32.max) : nil, to: &frame)
            }
            _ = try? frame.withUnsafeBytes { try connection.tryWrite($0) }
        }
        connection.close()
    }

    // MARK: - Reading

    /// Reads until the connection ends, handing each text/binary message to `onMessage` (on this
    /// thread), answering pings and the peer's close. Sleeps while nothing arrives (no periodic wake-up).
    /// Returns why the connection ended (`netDisconnected` for a peer close or EOF).
    func runReader(onMessage: ([UInt8]) -> Void) -> NetError {
        var parser = WebSocketFrameParser(role: role, maxMessageSize: maxMessageSize)
        parser.append(leftover)
        var readBuffer = [UInt8](repeating: 0, count: 65_536)
        var first = true
        while true {
            if !first {
                let count: Int
                do {
                    // No timeout: the reader sleeps until bytes arrive or the connection closes (its owner's
                    // timers, not a tick of this loop, bound the calls in flight).
                    count = try readBuffer.withUnsafeMutableBytes { try connection.read(into: $0, timeout: nil) }
                } catch let error as NetError {
                    connection.close()
                    return error.code == .netClosed ? NetError(.netDisconnected, "websocket to \(connection.peer) closed") : error
                } catch {
                    connection.close()
                    return NetError(.netIO, "\(error)")
                }
                if count == 0 {
                    connection.close()
                    return NetError(.netDisconnected, "websocket to \(connection.peer) was closed by the peer")
                }
                readBuffer.withUnsafeBytes { parser.append(UnsafeRawBufferPointer(rebasing: $0[..<count])) }
            }
            first = false
            // A server's replies to the messages of this read (handlers answering on this thread) go out in one
            // write. A client never corks: its requests come from other threads and must not wait for this one.
            if role == .server { cork() }
            defer { if role == .server { uncork() } }
            do {
                while let event = try parser.next() {
                    switch event {
                    case .text(let payload), .binary(let payload): onMessage(payload)
                    case .ping(let payload): try? send(opcode: .pong, payload: payload)
                    case .pong: break
                    case .close(let code, let reason):
                        close(code: code == 1005 ? 1000 : code)
                        return NetError(.netDisconnected, "websocket to \(connection.peer) closed by the peer (\(code)\(reason.isEmpty ? "" : " \(reason)"))")
                    }
                }
            } catch let error as NetError {
                close(code: WebSocketFrameParser.closeCode(for: error), reason: "protocol error")
                return error
            } catch {
                close(code: 1011)
                return NetError(.netProtocol, "\(error)")
            }
        }
    }
}
