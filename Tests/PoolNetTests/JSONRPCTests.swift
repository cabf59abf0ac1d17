import Foundation
import PoolKernel
import PoolTestKit
@testable import PoolNet
import Synchronization
import XCTest

/// Client and server dispatcher against each other over real TLS websockets on loopback.
final class JSONRPCTests: XCTestCase {
    private var directory: URL!
    private var servers: [JSONRPCServer] = []
    private var clients: [JSONRPCClient] = []
    private var certificateFile = ""
    /// Requests that reached the `hang` handler (so a test knows a call is in flight on the server).
    private let hanging = LockedValue(0)

    override func setUpWithError() throws {
        directory = FileManager.default.temporaryDirectory.appendingPathComponent("poolnet-rpc-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
    }

    override func tearDownWithError() throws {
        clients.forEach { $0.close() }
        servers.forEach { $0.stop() }
        try? FileManager.default.removeItem(at: directory)
    }

    private func makeServer(user: String = "rpcuser", password: String = "rpcpass-secret") throws -> JSONRPCServer {
        certificateFile = directory.appendingPathComponent("rpc.cert").path
        let key = directory.appendingPathComponent("rpc.key").path
        _ = try SelfSignedCertificate.loadOrCreate(certificateFile: certificateFile, privateKeyFile: key)
        let server = try JSONRPCServer(configuration: .init(
            address: HostPort(host: "127.0.0.1", port: 0), tls: .init(certificateFile: certificateFile, privateKeyFile: key),
            user: user, password: password, defaultErrorCode: -4), logger: .disabled)
        server.register("echo") { params in .array(params) }
        server.register("sleep") { params in
            try await Task.sleep(for: .milliseconds(params.first?.intValue ?? 0))
            return params.first ?? .null
        }
        let hanging = hanging
        server.register("hang") { _ in
            hanging.withLock { $0 += 1 }
            try await Task.sleep(for: .seconds(5))
            return .null
        }
        server.register("fail") { _ in throw NetError.rpc(code: -5, message: "No information for transaction") }
        server.register("crash") { _ in throw NetError(.netIO, "disk on fire") }
        server.registerSubscription("notifyblocks", notifications: ["blockconnected"])
        try server.start()
        servers.append(server)
        return server
    }

    private func makeClient(_ server: JSONRPCServer, password: String = "rpcpass-secret", reconnect: ReconnectPolicy? = nil,
                            callTimeout: Duration = .seconds(10)) throws -> JSONRPCClient {
        let address = try XCTUnwrap(server.localAddress)
        let client = try JSONRPCClient(configuration: .init(
            address: address, tls: .init(trust: .certificateFile(certificateFile)), user: "rpcuser", password: password,
            connectTimeout: .seconds(5), callTimeout: callTimeout, reconnect: reconnect), logger: .disabled)
        clients.append(client)
        return client
    }

    private func assertNetError<T>(_ code: ErrorCode, _ body: () async throws -> T, file: StaticString = #filePath, line: UInt = #line) async {
        do {
            _ = try await body()
            XCTFail("expected \(code)", file: file, line: line)
        } catch {
            XCTAssertEqual((error as? NetError)?.code, code, "\(error)", file: file, line: line)
        }
    }

    func testJSONRPC_callsReturnResultsOverTLS() async throws {
        let server = try makeServer()
        let client = try makeClient(server)
        try await client.connect()
        let result = try await client.call("echo", ["a", 1, 0.5, ["k": true]])
        XCTAssertEqual(result, ["a", 1, 0.5, ["k": true]])
    }

    func testJSONRPC_manyConcurrentCallsCompleteOutOfOrder() async throws {
        let server = try makeServer()
        let client = try makeClient(server)
        try await client.connect()
        try await withThrowingTaskGroup(of: (Int64, JSONValue).self) { group in
            for index in 0..<200 {
                group.addTask { (Int64(index), try await client.call("sleep", [.int(Int64(index % 7))])) }
            }
            var seen = 0
            for try await (index, value) in group {
                XCTAssertEqual(value, .int(index % 7))
                seen += 1
            }
            XCTAssertEqual(seen, 200)
        }
    }

    func testJSONRPC_errorObjectsBecomeTypedErrors() async throws {
        let server = try makeServer()
        let client = try makeClient(server)
        try await client.connect()
        do {
            _ = try await client.call("fail")
            XCTFail("expected an error")
        } catch let error as NetError {
            XCTAssertEqual(error.code, .netRPC)
            XCTAssertEqual(error.rpcCode, -5)
            XCTAssertEqual(error.message, "-5: No information for transaction")
        }
        do {
            _ = try await client.call("nosuchmethod")
            XCTFail("expected an error")
        } catch let error as NetError {
            XCTAssertEqual(error.rpcCode, -32601)
        }
        do {
            _ = try await client.call("crash")
            XCTFail("expected an error")
        } catch let error as NetError {
            XCTAssertEqual(error.rpcCode, -4, "uncoded handler errors use the configured catch-all")
            XCTAssertEqual(error.rpcMessage, "disk on fire")
        }
    }

    func testJSONRPC_rawResultsAnswerLikeTheirTreeAndRaiseErrorsLikeIt() async throws {
        let server = try makeServer()
        let value: JSONValue = ["scripts": [["hash160": "ab", "address": "Sc<&>\"\u{2028}"], [], .null, 1.5, -7]]
        server.registerRaw("rawvalue") { _ in
            let bytes = Array(#"{"scripts":[{"hash160":"ab","address":"Sc\u003c\u0026\u003e\"\u2028"},[],null,1.5,-7]}"#.utf8)
            return RawJSON(bytes: [0x20] + bytes + [0x20], range: 1..<(bytes.count + 1)) // a slice, as `callRaw` hands out
        }
        server.registerRaw("rawfail") { _ in throw NetError.rpc(code: -32600, message: "too many params") }
        server.registerRaw("echo") { params in
            let bytes = JSONValue.array(params + ["raw"]).encoded()
            return RawJSON(bytes: bytes, range: bytes.indices)
        }
        let client = try makeClient(server)
        try await client.connect()
        // Many at once, so each reply's id must find its call.
        try await withThrowingTaskGroup(of: JSONValue.self) { group in
            for _ in 0..<50 { group.addTask { try await client.call("rawvalue") } }
            for try await result in group { XCTAssertEqual(result, value) }
        }
        let raw = try await client.callRaw("rawvalue")
        XCTAssertEqual(Array(raw.bytes[raw.range]), value.encoded())
        let rawEcho = try await client.call("echo", [1])
        XCTAssertEqual(rawEcho, [1, "raw"], "registerRaw replaces a tree handler")
        server.register("echo") { params in .array(params) }
        let treeEcho = try await client.call("echo", [1])
        XCTAssertEqual(treeEcho, [1], "and register replaces a raw one")
        do {
            _ = try await client.call("rawfail")
            XCTFail("expected an error")
        } catch let error as NetError {
            XCTAssertEqual(error.rpcCode, -32600)
            XCTAssertEqual(error.rpcMessage, "too many params")
        }
    }

    func testJSONRPC_largeRawResultArrivesWholeOverTLS() async throws {
        let server = try makeServer()
        // 20 MB of JSON: many socket-fulls, so the server's backlog is written and compacted many times.
        let text = (0..<20 << 20).map { UInt8(ascii: "a") + UInt8($0 % 26) }
        let expected = Array("\"".utf8) + text + Array("\"".utf8)
        server.registerRaw("big") { _ in RawJSON(bytes: expected, range: expected.indices) }
        let client = try makeClient(server)
        try await client.connect()
        let raw = try await client.callRaw("big")
        XCTAssertTrue(raw.bytes[raw.range].elementsEqual(expected))
    }

    func testJSONRPC_wrongPasswordIsAuthError() async throws {
        let server = try makeServer()
        let client = try makeClient(server, password: "wrong-password")
        await assertNetError(.netAuth) { try await client.connect() }
    }

    func testJSONRPC_wrongCertificateIsUntrusted() async throws {
        let server = try makeServer()
        let other = directory.appendingPathComponent("other.cert").path
        try SelfSignedCertificate.generate().write(certificateFile: other, privateKeyFile: directory.appendingPathComponent("other.key").path)
        let client = try JSONRPCClient(configuration: .init(
            address: try XCTUnwrap(server.localAddress), tls: .init(trust: .certificateFile(other)),
            user: "rpcuser", password: "rpcpass-secret"), logger: .disabled)
        clients.append(client)
        await assertNetError(.netTLSUntrusted) { try await client.connect() }
    }

    func testJSONRPC_callTimesOutAndConnectionStaysUsable() async throws {
        let server = try makeServer()
        let client = try makeClient(server, callTimeout: .milliseconds(150))
        try await client.connect()
        // A timeout error (not the answer the server sends after 2 s) proves the call timeout ended the wait.
        await assertNetError(.netTimeout) { try await client.call("sleep", [2000]) }
        let echoed = try await client.call("echo", [7])
        XCTAssertEqual(echoed, [7])
    }

    /// The earliest deadline wins: a short call made while a long one is pending (the deadline timer is armed for
    /// the long one, 30 s away) still times out on its own deadline.
    func testJSONRPC_shorterCallTimesOutWhileALongerCallIsPending() async throws {
        let server = try makeServer()
        let client = try makeClient(server, callTimeout: .seconds(30))
        try await client.connect()
        let long = Task { try await client.call("hang") }
        defer { long.cancel() }
        while hanging.withLock({ $0 }) == 0 { try await Task.sleep(for: .milliseconds(5)) }
        let started = ContinuousClock.now
        await assertNetError(.netTimeout) { try await client.call("sleep", [3000], timeout: .milliseconds(100)) }
        XCTAssertLessThan(ContinuousClock.now - started, .milliseconds(2900), "timed out on its own deadline")
    }

    /// An idle client's reader sleeps in `poll` and is never woken: no tick while no call is pending (it used to
    /// wake every 25 ms to sweep call timeouts). The reader thread is the one that runs the notification handler;
    /// the kernel's context-switch count for it must not move while nothing is sent.
    func testJSONRPC_idleClientReaderSleepsWithoutWakeUps() async throws {
        let server = try makeServer()
        let client = try makeClient(server)
        try await client.connect()
        let reader = LockedValue<Int32?>(nil)
        client.setNotificationHandler { _, _ in reader.withLock { $0 = ThreadActivity.currentThreadID() } }
        try await client.subscribe("notifyblocks")
        _ = try await client.call("echo", [1])
        XCTAssertEqual(server.notify("blockconnected", ["00ff", nil]), 1)
        var thread: Int32?
        for _ in 0..<2_000 where thread == nil {
            thread = reader.withLock { $0 }
            if thread == nil { try await Task.sleep(for: .milliseconds(5)) }
        }
        let tid = try XCTUnwrap(thread, "the notification never reached the handler")
        let blocked = await ThreadActivity.waitUntilBlocked(tid)
        XCTAssertTrue(blocked, "the reader should sleep in poll")
        let before = try XCTUnwrap(ThreadActivity.contextSwitches(tid))
        try await Task.sleep(for: .milliseconds(400))
        XCTAssertEqual(ThreadActivity.contextSwitches(tid), before, "the idle reader woke up")
        // Still usable: the reader wakes for the next message.
        let echoed = try await client.call("echo", [2])
        XCTAssertEqual(echoed, [2])
    }

    func testJSONRPC_notificationsReachSubscribersOnly() async throws {
        let server = try makeServer()
        let client = try makeClient(server)
        try await client.connect()
        let (stream, continuation) = AsyncStream<(String, [JSONValue])>.makeStream()
        client.setNotificationHandler { method, params in continuation.yield((method, params)) }
        XCTAssertEqual(server.notify("blockconnected", ["00ff", nil]), 0, "nobody subscribed yet")
        try await client.subscribe("notifyblocks")
        XCTAssertEqual(server.notify("blockconnected", ["00ff", nil]), 1)
        var iterator = stream.makeAsyncIterator()
        let received = await iterator.next()
        XCTAssertEqual(received?.0, "blockconnected")
        XCTAssertEqual(received?.1, ["00ff", nil])
    }

    func testJSONRPC_dropWithoutReconnectShutsTheClientDown() async throws {
        let server = try makeServer()
        let client = try makeClient(server)
        try await client.connect()
        async let pending = client.call("hang")
        try await waitUntil { hanging.withLock { $0 } == 1 }
        server.dropAllConnections()
        do {
            _ = try await pending
            XCTFail("expected a disconnect")
        } catch {
            XCTAssertEqual((error as? NetError)?.code, .netDisconnected, "\(error)")
        }
        await assertNetError(.netShutdown) { try await client.call("echo") }
    }

    func testJSONRPC_reconnectsAndResubscribes() async throws {
        let server = try makeServer()
        let client = try makeClient(server, reconnect: ReconnectPolicy(step: .milliseconds(50), maxDelay: .milliseconds(200)))
        try await client.connect()
        let count = Mutex(0)
        client.setNotificationHandler { _, _ in count.withLock { $0 += 1 } }
        try await client.subscribe("notifyblocks")
        server.dropAllConnections()
        try await waitUntil { server.sessionCount == 0 }
        // Re-registration happens after the reconnect: a notification then reaches the client again.
        try await waitUntil { server.notify("blockconnected", ["aa", nil]) == 1 }
        try await waitUntil { count.withLock { $0 } >= 1 }
        let echoed = try await client.call("echo", [1])
        XCTAssertEqual(echoed, [1])
    }

    func testJSONRPC_closeFailsLaterCalls() async throws {
        let server = try makeServer()
        let client = try makeClient(server)
        try await client.connect()
        client.close()
        await assertNetError(.netShutdown) { try await client.call("echo") }
    }

    private func waitUntil(timeout: Duration = .seconds(10), _ condition: () -> Bool) async throws {
        let deadline = ContinuousClock.now + timeout
        while !condition() {
            guard ContinuousClock.now < deadline else { XCTFail("condition not met in time"); return }
            try await Task.sleep(for: .milliseconds(10))
        }
    }
}
