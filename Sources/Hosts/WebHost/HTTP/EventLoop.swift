import CEpoll
import Foundation
import PoolKernel
import Synchronization
#if canImport(Glibc)
import Glibc
#endif

/// One I/O thread: an epoll set with the shared listening sockets and this loop's connections.
///
/// `@unchecked Sendable`: every mutable property except `inbox` is touched only by the thread that
/// runs `run()`; other threads talk to the loop through `post(_:)` (the `inbox` mutex + an eventfd).
final class EventLoop: @unchecked Sendable {
    enum Message: Sendable {
        case completed(connection: UInt64, response: HTTPResponse)
        case drain(deadline: UInt64)
        /// A connection another loop accepted and handed to this one (`HTTPServerCore.loopFor(_:)`).
        case adopt(AcceptedSocket)
    }

    /// An accepted, admitted socket on its way to the loop that will serve it.
    struct AcceptedSocket: Sendable {
        let fd: Int32
        let peer: String
        let trusted: Bool
        let counted: Bool
        let perIPKey: String?
        let acceptedAt: UInt64
    }

    /// Connections this loop serves or has been handed (read by other loops to pick the least busy one).
    let load = Atomic<Int>(0)

    private static let wakeID: UInt64 = 1
    private static let listenerBaseID: UInt64 = 16
    private static let firstConnectionID: UInt64 = 1 << 20

    private let index: Int
    private let shared: HTTPServerCore
    private let epollFD: Int32
    private let wakeFD: Int32
    private let inbox = Mutex<[Message]>([])

    private var connections: [UInt64: HTTPConnection] = [:]
    private var nextConnectionID: UInt64
    private var listenersEnabled = true
    private var draining = false
    private var drainDeadline: UInt64 = 0
    private var readBuffer: UnsafeMutableRawBufferPointer
    private var dateHeader = ""
    private var dateSecond = 0
    private var requestCounter: UInt64 = 0
    private var nextSweep: UInt64 = 0
    private var perIPWarnedAt: UInt64 = 0
    private var perIPRefusedSinceWarning = 0

    init(index: Int, shared: HTTPServerCore) throws(WebError) {
        self.index = index
        self.shared = shared
        epollFD = epoll_create1(Int32(EPOLL_CLOEXEC))
        guard epollFD >= 0 else { throw WebError(.bindFailed, "epoll_create1: \(SocketIO.errnoText())") }
        wakeFD = eventfd(0, Int32(EFD_NONBLOCK) | Int32(EFD_CLOEXEC))
        guard wakeFD >= 0 else {
            close(epollFD)
            throw WebError(.bindFailed, "eventfd: \(SocketIO.errnoText())")
        }
        nextConnectionID = EventLoop.firstConnectionID + UInt64(index) << 48
        readBuffer = .allocate(byteCount: 64 * 1024, alignment: 16)
        register(fd: wakeFD, id: EventLoop.wakeID, events: EPOLLIN.rawValue)
        for (offset, fd) in shared.listenerFDs.enumerated() {
            register(fd: fd, id: EventLoop.listenerBaseID + UInt64(offset), events: EPOLLIN.rawValue | EPOLLEXCLUSIVE.rawValue)
        }
    }

    deinit {
        readBuffer.deallocate()
        close(wakeFD)
        close(epollFD)
    }

    /// Thread-safe: hands a message to the loop and wakes it.
    func post(_ message: Message) {
        inbox.withLock { $0.append(message) }
        var one: UInt64 = 1
        _ = Glibc.write(wakeFD, &one, 8)
    }

    // MARK: - The loop

    /// Runs until drained (after a `.drain` message) — on the loop's own thread.
    func run() {
        var events = [epoll_event](repeating: epoll_event(), count: 256)
        refreshDate()
        while true {
            let timeout = waitMilliseconds()
            let count = events.withUnsafeMutableBufferPointer { epoll_wait(epollFD, $0.baseAddress, 256, timeout) }
            if count < 0 && errno != EINTR {
                shared.logger.error("epoll_wait failed: \(SocketIO.errnoText())")
                break
            }
            if timeout < 0 { refreshDate() }  // after an idle sleep the Date header may be old
            for slot in 0..<max(0, Int(count)) {
                let event = events[slot]
                let id = event.data.u64
                if id == EventLoop.wakeID {
                    drainInbox()
                } else if id >= EventLoop.listenerBaseID && id < EventLoop.firstConnectionID {
                    acceptConnections(listener: shared.listenerFDs[Int(id - EventLoop.listenerBaseID)])
                } else if let connection = connections[id] {
                    handle(event.events, on: connection)
                }
            }
            let now = MonotonicClock.now()
            if now >= nextSweep {
                nextSweep = now + 250_000_000
                refreshDate()
                sweep(now: now)
            }
            if draining && (connections.isEmpty || now >= drainDeadline) { break }
        }
        for connection in Array(connections.values) { closeConnection(connection) }
        // Sockets handed over after this loop stopped reading its inbox are closed, not leaked.
        for case .adopt(let socket) in inbox.withLock({ $0 }) { release(socket) }
    }

    /// How long `epoll_wait` may sleep: until the next sweep while there is something to sweep (connections, paused
    /// listeners, a drain), else indefinitely — an idle loop wakes only for a connection or a posted message.
    private func waitMilliseconds() -> Int32 {
        if connections.isEmpty && listenersEnabled && !draining { return -1 }
        let now = MonotonicClock.now()
        return nextSweep > now ? Int32((nextSweep - now + 999_999) / 1_000_000) : 0
    }

    private func register(fd: Int32, id: UInt64, events: UInt32) {
        var event = epoll_event()
        event.events = events
        event.data.u64 = id
        epoll_ctl(epollFD, EPOLL_CTL_ADD, fd, &event)
    }

    private func drainInbox() {
        var counter: UInt64 = 0
        _ = Glibc.read(wakeFD, &counter, 8)
        let messages = inbox.withLock { messages -> [Message] in
            let taken = messages
            messages.removeAll(keepingCapacity: true)
            return taken
        }
        for message in messages {
            switch message {
            case .completed(let id, let response):
                guard let connection = connections[id] else { continue }
                complete(connection, with: response)
                process(connection)
            case .drain(let deadline):
                beginDrain(deadline: deadline)
            case .adopt(let socket):
                if draining { release(socket) } else { serve(socket) }
            }
        }
    }

    // MARK: - Accepting

    private func acceptConnections(listener: Int32) {
        guard listenersEnabled else { return }
        for _ in 0..<64 {
            var storage = sockaddr_storage()
            var length = socklen_t(MemoryLayout<sockaddr_storage>.size)
            let fd = withUnsafeMutablePointer(to: &storage) {
                $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                    accept(listener, $0, &length)
                }
            }
            if fd < 0 {
                let code = errno
                if code == EINVAL { setListeners(enabled: false); return }  // listener shut down
                if code == EMFILE || code == ENFILE || code == ENOBUFS || code == ENOMEM {
                    // Out of descriptors: stop accepting on this loop until the next sweep.
                    shared.logger.warn("accept failed: \(SocketIO.errnoText(code)); pausing accepts")
                    setListeners(enabled: false)
                }
                return
            }
            // accept4 is not visible from Swift's Glibc module; set the flags afterwards.
            _ = fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) | O_NONBLOCK)
            _ = fcntl(fd, F_SETFD, FD_CLOEXEC)
            let peer = SocketIO.hostAndPort(storage).0
            if Int32(storage.ss_family) != AF_UNIX {
                var one: Int32 = 1
                setsockopt(fd, Int32(IPPROTO_TCP), TCP_NODELAY, &one, socklen_t(MemoryLayout<Int32>.size))
            }
            let now = MonotonicClock.now()
            let trusted = shared.realIP.isTrusted(peer)
            var admitted = false
            var perIPKey: String?
            var refusal: [UInt8]?
            switch shared.admitPerIP(peer: peer, trusted: trusted) {
            case .refused:
                shared.metrics?.rejectedPerIP.increment()
                notePerIPRefusal(peer: peer, now: now)
                refusal = HTTPServerCore.perIPOverloadResponse
            case .exempt:
                admitted = shared.admitConnection()
            case .counted(let key):
                admitted = shared.admitConnection()
                if admitted { perIPKey = key } else { shared.releasePerIP(key) }
            }
            if refusal == nil && !admitted {
                shared.metrics?.rejectedConnections.increment()
                shared.logger.warn("connection from \(peer) refused: \(shared.configuration.maxConnections) connections open")
                refusal = HTTPServerCore.overloadResponse
            }
            let socket = AcceptedSocket(fd: fd, peer: peer, trusted: trusted, counted: admitted, perIPKey: perIPKey,
                                        acceptedAt: now)
            if refusal == nil && !draining {
                // Connections opened at once (wrk's 64, a proxy's pool) would otherwise all stay on the loop that
                // woke first while the others idle: each goes to the loop serving the fewest (counted there).
                let target = shared.loopFor(self)
                if target === self { serve(socket) } else { target.post(.adopt(socket)) }
                continue
            }
            load.add(1, ordering: .relaxed)
            if let refusal {
                let connection = serve(socket)
                connection.writeBuffer = refusal
                connection.phase = .closingAfterWrite
                connection.writePendingSince = now
                flush(connection)
            } else {
                release(socket)
            }
        }
    }

    /// Starts serving an accepted socket on this loop (its `load` already counts it).
    @discardableResult
    private func serve(_ socket: AcceptedSocket) -> HTTPConnection {
        let connection = HTTPConnection(id: nextConnectionID, fd: socket.fd, peer: socket.peer, peerTrusted: socket.trusted,
                                        limits: shared.configuration.limits, now: socket.acceptedAt, counted: socket.counted)
        connection.perIPKey = socket.perIPKey
        nextConnectionID += 1
        connections[connection.id] = connection
        register(fd: socket.fd, id: connection.id, events: EPOLLIN.rawValue)
        connection.registeredEvents = EPOLLIN.rawValue
        return connection
    }

    /// Closes a socket that will not be served, releasing what counts it.
    private func release(_ socket: AcceptedSocket) {
        close(socket.fd)
        load.subtract(1, ordering: .relaxed)
        if socket.counted { shared.releaseConnection() }
        if let key = socket.perIPKey { shared.releasePerIP(key) }
    }

    /// One warning a minute at most (a flood from one address must not flood the log too).
    private func notePerIPRefusal(peer: String, now: UInt64) {
        perIPRefusedSinceWarning += 1
        guard perIPWarnedAt == 0 || now &- perIPWarnedAt > 60_000_000_000 else { return }
        shared.logger.warn("connection from \(peer) refused: it holds maxconnectionsperip "
                           + "(\(shared.configuration.maxConnectionsPerIP)) connections; \(perIPRefusedSinceWarning) refused "
                           + "on this I/O thread since the last warning")
        perIPWarnedAt = now
        perIPRefusedSinceWarning = 0
    }

    private func setListeners(enabled: Bool) {
        guard listenersEnabled != enabled else { return }
        listenersEnabled = enabled
        for (offset, fd) in shared.listenerFDs.enumerated() {
            if enabled {
                register(fd: fd, id: EventLoop.listenerBaseID + UInt64(offset), events: EPOLLIN.rawValue | EPOLLEXCLUSIVE.rawValue)
            } else {
                epoll_ctl(epollFD, EPOLL_CTL_DEL, fd, nil)
            }
        }
    }

    // MARK: - Reading and dispatching

    private func handle(_ events: UInt32, on connection: HTTPConnection) {
        if events & (EPOLLIN.rawValue | EPOLLHUP.rawValue | EPOLLERR.rawValue) != 0 {
            readAvailable(connection)
            guard connections[connection.id] != nil else { return }
        }
        if events & EPOLLOUT.rawValue != 0 { flush(connection) }
        guard connections[connection.id] != nil else { return }
        process(connection)
    }

    private func readAvailable(_ connection: HTTPConnection) {
        let received = recv(connection.fd, readBuffer.baseAddress, readBuffer.count, 0)
        if received > 0 {
            if connection.phase == .lingering { return }  // discard: we only wait for the peer to close
            // The clocks restart only when a request is answered (`complete`), so no byte pattern can reset them.
            if connection.requestStartedAt == 0 { connection.requestStartedAt = MonotonicClock.now() }
            connection.parser.append(UnsafeRawBufferPointer(rebasing: readBuffer[0..<received]))
        } else if received == 0 {
            if connection.phase == .lingering || (connection.inFlight == nil && !connection.hasPendingOutput && connection.parser.isIdle) {
                closeConnection(connection)
                return
            }
            connection.peerClosed = true
        } else if errno != EAGAIN && errno != EWOULDBLOCK && errno != EINTR {
            closeConnection(connection)
        }
    }

    /// Answers every complete buffered request, one at a time, in order.
    private func process(_ connection: HTTPConnection) {
        while connection.phase == .open && connection.inFlight == nil {
            // Back-pressure: a client that pipelines without reading its answers waits here.
            if connection.writeBuffer.count - connection.writeOffset > 256 * 1024 { break }
            // The request after a file body waits until all of the file is sent (answers go out in order).
            if connection.file != nil {
                flush(connection)
                guard connections[connection.id] != nil else { return }
                if connection.file != nil { break }
            }
            switch connection.parser.next() {
            case .request(let request):
                dispatch(request, on: connection)
            case .expectsContinue:
                connection.writeBuffer.append(contentsOf: HTTPServerCore.continueResponse)
            case .needMoreData:
                if connection.peerClosed {
                    if connection.parser.isIdle { connection.phase = .closingAfterWrite } else { closeConnection(connection); return }
                }
                // Part of a pipelined request is buffered: its header/read clock starts now.
                if !connection.parser.isIdle, connection.requestStartedAt == 0 {
                    connection.requestStartedAt = MonotonicClock.now()
                }
                flushAndUpdateInterest(connection)
                return
            case .failure(let failure):
                shared.metrics?.parseFailures.increment([String(failure.status.code)])
                shared.logger.debug("bad request from \(connection.peer): \(failure.reason)")
                var response = HTTPResponse.plainError(failure.status)
                if failure.status == .uriTooLong || failure.status == .headerFieldsTooLarge || failure.status == .payloadTooLarge {
                    response = .text("\(failure.status.reason)\n", status: failure.status)
                }
                let exchange = HTTPConnection.Exchange(method: HTTPMethod("-"), path: "-", clientIP: connection.peer,
                                                       requestID: "-", receivedAt: MonotonicClock.now(),
                                                       keepAlive: false, isHead: false)
                write(response, for: exchange, on: connection)
                connection.phase = .closingAfterWrite
            }
        }
        flushAndUpdateInterest(connection)
    }

    private func dispatch(_ incoming: HTTPRequest, on connection: HTTPConnection) {
        var request = incoming
        let now = MonotonicClock.now()
        requestCounter += 1
        request.peerAddress = connection.peer
        request.clientIP = shared.realIP.clientIP(peer: connection.peer, peerTrusted: connection.peerTrusted,
                                                  headers: request.headers)
        shared.noteForwardingHeader(request, peerTrusted: connection.peerTrusted)
        request.requestID = shared.requestIDPrefix + String(index, radix: 36) + String(requestCounter, radix: 36)
        request.receivedAt = now
        let exchange = HTTPConnection.Exchange(method: request.method, path: request.path, clientIP: request.clientIP,
                                               requestID: request.requestID, receivedAt: now,
                                               keepAlive: request.wantsKeepAlive && !draining,
                                               isHead: request.method == .head)
        connection.inFlight = exchange
        connection.requestStartedAt = 0
        switch shared.responder.respond(to: request) {
        case .immediate(let response):
            complete(connection, with: response)
        case .deferred(let work):
            let id = connection.id
            Task { [self] in
                let response = await work()
                post(.completed(connection: id, response: response))
            }
        }
    }

    private func complete(_ connection: HTTPConnection, with response: HTTPResponse) {
        guard var exchange = connection.inFlight else { return }
        connection.inFlight = nil
        if draining { exchange.keepAlive = false }
        write(response, for: exchange, on: connection)
        if !exchange.keepAlive { connection.phase = .closingAfterWrite }
        // Answered: until more bytes arrive the idle clock runs (`process` starts the header clock at once
        // when the next request is already partly buffered).
        connection.requestStartedAt = 0
        connection.idleSince = MonotonicClock.now()
    }

    private func write(_ response: HTTPResponse, for exchange: HTTPConnection.Exchange, on connection: HTTPConnection) {
        let before = connection.writeBuffer.count
        let bodyBytes = HTTPResponseSerializer.append(response, keepAlive: exchange.keepAlive && connection.phase == .open,
                                                      omitBody: exchange.isHead, date: dateHeader,
                                                      to: &connection.writeBuffer)
        if !exchange.isHead, !response.status.forbidsBody, let file = response.file, file.length > 0 {
            connection.file = file
            connection.fileOffset = 0
        }
        if connection.writePendingSince == 0 && connection.writeBuffer.count > before {
            connection.writePendingSince = MonotonicClock.now()
        }
        shared.recordExchange(exchange, status: response.status.code, bodyBytes: bodyBytes, now: MonotonicClock.now())
    }

    // MARK: - Writing

    private func flushAndUpdateInterest(_ connection: HTTPConnection) {
        flush(connection)
        guard connections[connection.id] != nil else { return }
        updateInterest(connection)
    }

    private func flush(_ connection: HTTPConnection) {
        while connection.hasPendingOutput {
            if connection.writeOffset == connection.writeBuffer.count, let file = connection.file {
                // The buffer is out: the next piece of the file body, and the write clock restarts (progress).
                let piece = min(256 * 1024, file.length - connection.fileOffset)
                guard let bytes = file.read(at: connection.fileOffset, count: piece), bytes.count == piece else {
                    closeConnection(connection)  // the file shrank or failed: the promised length cannot be kept
                    return
                }
                connection.writeBuffer = bytes
                connection.writeOffset = 0
                connection.fileOffset += piece
                if connection.fileOffset == file.length { connection.file = nil }
                connection.writePendingSince = MonotonicClock.now()
            }
            let sent = connection.writeBuffer.withUnsafeBytes { bytes in
                send(connection.fd, bytes.baseAddress! + connection.writeOffset, bytes.count - connection.writeOffset,
                     Int32(MSG_NOSIGNAL))
            }
            if sent > 0 {
                connection.writeOffset += sent
            } else if sent < 0 && (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR) {
                if errno != EINTR { updateInterest(connection); return }
            } else {
                closeConnection(connection)
                return
            }
        }
        connection.writeBuffer.removeAll(keepingCapacity: connection.writeBuffer.capacity <= 16 * 1024)
        connection.writeOffset = 0
        connection.writePendingSince = 0
        if connection.phase == .closingAfterWrite && connection.inFlight == nil { startLingeringClose(connection) }
    }

    private func updateInterest(_ connection: HTTPConnection) {
        var wanted: UInt32 = 0
        switch connection.phase {
        case .open:
            let backlog = connection.writeBuffer.count - connection.writeOffset > 256 * 1024 || connection.file != nil
            if connection.inFlight == nil && !connection.peerClosed && !backlog { wanted |= EPOLLIN.rawValue }
        case .closingAfterWrite:
            break
        case .lingering:
            wanted |= EPOLLIN.rawValue
        }
        if connection.hasPendingOutput { wanted |= EPOLLOUT.rawValue }
        guard wanted != connection.registeredEvents else { return }
        var event = epoll_event()
        event.events = wanted
        event.data.u64 = connection.id
        epoll_ctl(epollFD, EPOLL_CTL_MOD, connection.fd, &event)
        connection.registeredEvents = wanted
    }

    /// Half-closes and drains input for a moment so that the peer reads our last response instead
    /// of a reset (closing with unread input makes the kernel send RST).
    private func startLingeringClose(_ connection: HTTPConnection) {
        if connection.peerClosed { closeConnection(connection); return }
        shutdown(connection.fd, Int32(SHUT_WR))
        connection.phase = .lingering
        connection.lingerUntil = MonotonicClock.now() + 2_000_000_000
        updateInterest(connection)
    }

    private func closeConnection(_ connection: HTTPConnection) {
        guard connections.removeValue(forKey: connection.id) != nil else { return }
        load.subtract(1, ordering: .relaxed)
        epoll_ctl(epollFD, EPOLL_CTL_DEL, connection.fd, nil)
        close(connection.fd)
        if connection.counted { shared.releaseConnection() }
        if let key = connection.perIPKey { shared.releasePerIP(key) }
    }

    // MARK: - Timers and shutdown

    private func refreshDate() {
        var now = time(nil)
        guard Int(now) != dateSecond else { return }
        dateSecond = Int(now)
        var parts = tm()
        gmtime_r(&now, &parts)
        var text = [UInt8](repeating: 0, count: 64)
        let length = text.withUnsafeMutableBufferPointer { buffer in
            buffer.baseAddress!.withMemoryRebound(to: CChar.self, capacity: 64) {
                strftime($0, 64, "%a, %d %b %Y %H:%M:%S GMT", &parts)
            }
        }
        dateHeader = String(decoding: text[0..<length], as: UTF8.self)
    }

    private func sweep(now: UInt64) {
        if !listenersEnabled && !draining { setListeners(enabled: true) }
        let config = shared.timeouts
        for connection in Array(connections.values) {
            switch connection.phase {
            case .lingering:
                if now >= connection.lingerUntil { closeConnection(connection) }
                continue
            case .closingAfterWrite, .open:
                break
            }
            // Every unwritten answer has a clock (the 100 Continue line is queued without one).
            if connection.hasPendingOutput && connection.writePendingSince == 0 { connection.writePendingSince = now }
            if connection.hasPendingOutput, now &- connection.writePendingSince > config.write {
                shared.logger.debug("write timeout for \(connection.peer)")
                closeConnection(connection)
                continue
            }
            // While answers wait to be read (back-pressure) the write clock above bounds the connection.
            guard connection.phase == .open, connection.inFlight == nil, !connection.hasPendingOutput else { continue }
            // Every partly received request has a clock, however its bytes were split.
            if connection.requestStartedAt == 0 && !connection.parser.isIdle { connection.requestStartedAt = now }
            if connection.requestStartedAt != 0 {
                let elapsed = now &- connection.requestStartedAt
                let inHead = !connection.parser.isReadingBody
                guard (inHead && elapsed > config.header) || elapsed > config.read else { continue }
                if connection.parser.isIdle {
                    // Nothing of a request arrived (a silent new connection): close without an answer.
                    shared.logger.debug("header timeout for \(connection.peer): nothing received")
                    closeConnection(connection)
                    continue
                }
                shared.logger.debug("request timeout for \(connection.peer)")
                connection.parser = HTTPRequestParser(limits: shared.configuration.limits)
                connection.writeBuffer.append(contentsOf: HTTPServerCore.timeoutResponse)
                connection.writePendingSince = now
                connection.phase = .closingAfterWrite
                flushAndUpdateInterest(connection)
            } else if connection.parser.isIdle {
                if draining || now - connection.idleSince > config.idle { closeConnection(connection) }
            }
        }
    }

    private func beginDrain(deadline: UInt64) {
        guard !draining else { return }
        draining = true
        drainDeadline = deadline
        setListeners(enabled: false)
        for connection in Array(connections.values)
        where connection.inFlight == nil && connection.parser.isIdle && !connection.hasPendingOutput && connection.phase == .open {
            closeConnection(connection)
        }
    }
}
