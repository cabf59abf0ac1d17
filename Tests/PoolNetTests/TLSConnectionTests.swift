import Dispatch
import Foundation
import PoolKernel
@testable import PoolNet
import PoolTestKit
import XCTest

/// Real TCP + TLS on loopback: trust, host names, upgrade of a plain connection, timeouts.
final class TLSConnectionTests: XCTestCase {
    private var directory: URL!

    override func setUpWithError() throws {
        directory = FileManager.default.temporaryDirectory.appendingPathComponent("poolnet-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
    }

    override func tearDownWithError() throws {
        try? FileManager.default.removeItem(at: directory)
    }

    /// Writes a fresh cert/key pair for `hosts` and returns (certPath, keyPath).
    private func makeCertificate(_ name: String, hosts: [String] = SelfSignedCertificate.loopbackHosts) throws -> (String, String) {
        let cert = directory.appendingPathComponent("\(name).cert").path
        let key = directory.appendingPathComponent("\(name).key").path
        try SelfSignedCertificate.generate(hosts: hosts).write(certificateFile: cert, privateKeyFile: key)
        return (cert, key)
    }

    /// Accepts one connection on `listener`, optionally does TLS, then echoes one line back.
    private func serveEchoOnce(_ listener: TCPListener, tls: TLSContext?) -> XCTestExpectation {
        let done = expectation(description: "server finished")
        DispatchQueue.global().async {
            defer { done.fulfill() }
            guard let connection = try? listener.accept(timeout: .seconds(5)) else { return }
            do {
                if let tls { try connection.acceptTLS(tls, timeout: .seconds(5)) }
                let bytes = try connection.read(timeout: .seconds(5))
                try connection.write(bytes, timeout: .seconds(5))
            } catch {}
            connection.close()
        }
        return done
    }

    private func assertEcho(host: String, trust: TLSTrust, hosts: [String] = SelfSignedCertificate.loopbackHosts,
                            file: StaticString = #filePath, line: UInt = #line) throws {
        let (cert, key) = try makeCertificate("server", hosts: hosts)
        let server = try TLSContext(server: TLSServerConfiguration(certificateFile: cert, privateKeyFile: key))
        let listener = try TCPListener(bindTo: HostPort(host: host, port: 0))
        defer { listener.close() }
        let done = serveEchoOnce(listener, tls: server)
        let client = try TLSContext(client: TLSClientConfiguration(trust: trust == .certificateFile("") ? .certificateFile(cert) : trust))
        let connection = try NetConnection.connect(to: listener.localAddress, timeout: .seconds(5))
        try connection.startTLS(client, serverName: host, timeout: .seconds(5))
        XCTAssertNotNil(connection.tlsVersion, file: file, line: line)
        XCTAssertTrue(["TLSv1.2", "TLSv1.3"].contains(connection.tlsVersion ?? ""), file: file, line: line)
        try connection.write("ping over tls\n", timeout: .seconds(5))
        let echoed = try connection.read(timeout: .seconds(5))
        XCTAssertEqual(String(decoding: echoed, as: UTF8.self), "ping over tls\n", file: file, line: line)
        connection.close()
        wait(for: [done], timeout: 10)
    }

    func testTLS_trustedCertificateOverIPv4() throws {
        try assertEcho(host: "127.0.0.1", trust: .certificateFile(""))
    }

    func testTLS_trustedCertificateOverLocalhostName() throws {
        try assertEcho(host: "localhost", trust: .certificateFile(""))
    }

    func testTLS_trustedCertificateOverIPv6() throws {
        guard (try? TCPListener(bindTo: HostPort(host: "::1", port: 0))) != nil else {
            throw TestEnvironment.unavailable("this machine has no IPv6 loopback (::1)")
        }
        try assertEcho(host: "::1", trust: .certificateFile(""))
    }

    func testTLS_wrongCertificateIsUntrusted() throws {
        let (cert, key) = try makeCertificate("server")
        let (otherCert, _) = try makeCertificate("other")
        let server = try TLSContext(server: TLSServerConfiguration(certificateFile: cert, privateKeyFile: key))
        let listener = try TCPListener(bindTo: HostPort(host: "127.0.0.1", port: 0))
        defer { listener.close() }
        let done = serveEchoOnce(listener, tls: server)
        let client = try TLSContext(client: TLSClientConfiguration(trust: .certificateFile(otherCert)))
        let connection = try NetConnection.connect(to: listener.localAddress, timeout: .seconds(5))
        XCTAssertThrowsError(try connection.startTLS(client, serverName: "127.0.0.1", timeout: .seconds(5))) { error in
            XCTAssertEqual((error as? NetError)?.code, .netTLSUntrusted, "\(error)")
            XCTAssertTrue("\(error)".contains("not trusted"), "\(error)")
        }
        connection.close()
        wait(for: [done], timeout: 10)
    }

    func testTLS_systemStoreDoesNotTrustSelfSignedCertificate() throws {
        let (cert, key) = try makeCertificate("server")
        let server = try TLSContext(server: TLSServerConfiguration(certificateFile: cert, privateKeyFile: key))
        let listener = try TCPListener(bindTo: HostPort(host: "127.0.0.1", port: 0))
        defer { listener.close() }
        let done = serveEchoOnce(listener, tls: server)
        let client = try TLSContext(client: TLSClientConfiguration(trust: .system))
        let connection = try NetConnection.connect(to: listener.localAddress, timeout: .seconds(5))
        XCTAssertThrowsError(try connection.startTLS(client, serverName: "127.0.0.1", timeout: .seconds(5))) { error in
            XCTAssertEqual((error as? NetError)?.code, .netTLSUntrusted, "\(error)")
        }
        connection.close()
        wait(for: [done], timeout: 10)
    }

    func testTLS_hostNameMismatchIsReported() throws {
        let (cert, key) = try makeCertificate("server", hosts: ["wallet.example"])
        let server = try TLSContext(server: TLSServerConfiguration(certificateFile: cert, privateKeyFile: key))
        let listener = try TCPListener(bindTo: HostPort(host: "127.0.0.1", port: 0))
        defer { listener.close() }
        let done = serveEchoOnce(listener, tls: server)
        let client = try TLSContext(client: TLSClientConfiguration(trust: .certificateFile(cert)))
        let connection = try NetConnection.connect(to: listener.localAddress, timeout: .seconds(5))
        XCTAssertThrowsError(try connection.startTLS(client, serverName: "127.0.0.1", timeout: .seconds(5))) { error in
            XCTAssertEqual((error as? NetError)?.code, .netTLSHostMismatch, "\(error)")
        }
        connection.close()
        wait(for: [done], timeout: 10)
    }

    func testTLS_upgradeOfPlainConnection() throws {
        let (cert, key) = try makeCertificate("server")
        let server = try TLSContext(server: TLSServerConfiguration(certificateFile: cert, privateKeyFile: key))
        let listener = try TCPListener(bindTo: HostPort(host: "127.0.0.1", port: 0))
        defer { listener.close() }
        let done = expectation(description: "server")
        DispatchQueue.global().async {
            defer { done.fulfill() }
            guard let connection = try? listener.accept(timeout: .seconds(5)) else { return }
            do {
                _ = try connection.read(timeout: .seconds(5)) // "STARTTLS\r\n"
                try connection.write("220 go ahead\r\n", timeout: .seconds(5))
                try connection.acceptTLS(server, timeout: .seconds(5))
                let secret = try connection.read(timeout: .seconds(5))
                try connection.write(secret, timeout: .seconds(5))
            } catch {}
            connection.close()
        }
        let connection = try NetConnection.connect(to: listener.localAddress, timeout: .seconds(5))
        try connection.write("STARTTLS\r\n", timeout: .seconds(5))
        XCTAssertEqual(String(decoding: try connection.read(timeout: .seconds(5)), as: UTF8.self), "220 go ahead\r\n")
        XCTAssertNil(connection.tlsVersion)
        try connection.startTLS(try TLSContext(client: .init(trust: .certificateFile(cert))), serverName: "localhost",
                                timeout: .seconds(5))
        XCTAssertNotNil(connection.tlsVersion)
        try connection.write("after upgrade", timeout: .seconds(5))
        XCTAssertEqual(String(decoding: try connection.read(timeout: .seconds(5)), as: UTF8.self), "after upgrade")
        connection.close()
        wait(for: [done], timeout: 10)
    }

    func testTLS_handshakeTimesOutAgainstSilentServer() throws {
        let (cert, _) = try makeCertificate("server")
        let listener = try TCPListener(bindTo: HostPort(host: "127.0.0.1", port: 0))
        defer { listener.close() }
        let connection = try NetConnection.connect(to: listener.localAddress, timeout: .seconds(5))
        let accepted = try listener.accept(timeout: .seconds(5)) // keeps the socket open, never answers
        // The server never answers: only the handshake timeout can end the call, with netTimeout.
        XCTAssertThrowsError(try connection.startTLS(try TLSContext(client: .init(trust: .certificateFile(cert))),
                                                     serverName: "localhost", timeout: .milliseconds(200))) { error in
            XCTAssertEqual((error as? NetError)?.code, .netTimeout, "\(error)")
        }
        accepted?.close()
        connection.close()
    }

    func testTCP_readTimesOutAndCloseWakesReader() throws {
        let listener = try TCPListener(bindTo: HostPort(host: "127.0.0.1", port: 0))
        defer { listener.close() }
        let connection = try NetConnection.connect(to: listener.localAddress, timeout: .seconds(5))
        let accepted = try XCTUnwrap(try listener.accept(timeout: .seconds(5)))
        XCTAssertThrowsError(try connection.read(timeout: .milliseconds(100))) { error in
            XCTAssertEqual((error as? NetError)?.code, .netTimeout)
        }
        let woke = expectation(description: "reader woke")
        DispatchQueue.global().async {
            do {
                let bytes = try connection.read(timeout: .seconds(10))
                XCTAssertTrue(bytes.isEmpty)
            } catch {
                XCTAssertEqual((error as? NetError)?.code, .netClosed)
            }
            woke.fulfill()
        }
        usleep(50_000) // let the reader block in poll; the assertion below does not depend on it
        connection.close()
        wait(for: [woke], timeout: 5)
        accepted.close()
    }

    /// A busy-polling reader behaves like a sleeping one: bytes that arrive within or after the window are read,
    /// silence still ends in `netTimeout` at the deadline, and the peer's close is end-of-stream.
    func testTCP_busyPollingReaderReadsTimesOutAndSeesClose() throws {
        let listener = try TCPListener(bindTo: HostPort(host: "127.0.0.1", port: 0))
        defer { listener.close() }
        let connection = try NetConnection.connect(to: listener.localAddress, timeout: .seconds(5))
        defer { connection.close() }
        let accepted = try XCTUnwrap(try listener.accept(timeout: .seconds(5)))
        connection.busyPollNanoseconds = 2_000_000
        XCTAssertEqual(connection.busyPollNanoseconds, 2_000_000)
        let started = ContinuousClock.now
        XCTAssertThrowsError(try connection.read(timeout: .milliseconds(100))) { error in
            XCTAssertEqual((error as? NetError)?.code, .netTimeout)
        }
        XCTAssertGreaterThanOrEqual(started.duration(to: .now), .milliseconds(95), "the window must not cut the timeout short")
        // Within the window (sent at once) and after it (sent 20 ms later, the reader sleeps in poll by then).
        try accepted.write([1, 2, 3], timeout: .seconds(5))
        XCTAssertEqual(try connection.read(timeout: .seconds(5)), [1, 2, 3])
        DispatchQueue.global().asyncAfter(deadline: .now() + .milliseconds(20)) { try? accepted.write([4], timeout: .seconds(5)) }
        XCTAssertEqual(try connection.read(timeout: .seconds(5)), [4])
        accepted.close()
        XCTAssertEqual(try connection.read(timeout: .seconds(5)), [])
    }

    func testTCP_peerCloseIsEndOfStream() throws {
        let listener = try TCPListener(bindTo: HostPort(host: "127.0.0.1", port: 0))
        defer { listener.close() }
        let connection = try NetConnection.connect(to: listener.localAddress, timeout: .seconds(5))
        let accepted = try XCTUnwrap(try listener.accept(timeout: .seconds(5)))
        accepted.close()
        XCTAssertEqual(try connection.read(timeout: .seconds(5)), [])
        connection.close()
    }

    func testTCP_connectRefused() throws {
        let listener = try TCPListener(bindTo: HostPort(host: "127.0.0.1", port: 0), listening: false)
        defer { listener.close() }
        let address = listener.localAddress
        XCTAssertThrowsError(try NetConnection.connect(to: address, timeout: .seconds(2))) { error in
            XCTAssertEqual((error as? NetError)?.code, .netConnect, "\(error)")
        }
    }

    func testTLSContext_missingAndBadFilesAreClearErrors() throws {
        let missing = directory.appendingPathComponent("missing.cert").path
        XCTAssertThrowsError(try TLSContext(client: .init(trust: .certificateFile(missing)))) { error in
            XCTAssertEqual((error as? NetError)?.code, .netCertificate)
            XCTAssertTrue("\(error)".contains(missing))
        }
        XCTAssertThrowsError(try TLSContext(client: .init(trust: .certificatePEM("not a pem")))) { error in
            XCTAssertEqual((error as? NetError)?.code, .netCertificate)
        }
        let (cert, _) = try makeCertificate("a")
        let (_, otherKey) = try makeCertificate("b")
        XCTAssertThrowsError(try TLSContext(server: .init(certificateFile: cert, privateKeyFile: otherKey))) { error in
            XCTAssertEqual((error as? NetError)?.code, .netCertificate)
            XCTAssertFalse("\(error)".contains("PRIVATE KEY"), "no key material in messages")
        }
    }

    func testSelfSignedCertificate_writesPEMFilesLikeDcrwallet() throws {
        let cert = directory.appendingPathComponent("rpc.cert").path
        let key = directory.appendingPathComponent("rpc.key").path
        let created = try SelfSignedCertificate.loadOrCreate(certificateFile: cert, privateKeyFile: key)
        XCTAssertTrue(created.certificatePEM.hasPrefix("-----BEGIN CERTIFICATE-----"))
        XCTAssertTrue(created.privateKeyPEM.hasPrefix("-----BEGIN EC PRIVATE KEY-----"))
        let attributes = try FileManager.default.attributesOfItem(atPath: key)
        XCTAssertEqual((attributes[.posixPermissions] as? NSNumber)?.intValue, 0o600)
        let again = try SelfSignedCertificate.loadOrCreate(certificateFile: cert, privateKeyFile: key)
        XCTAssertEqual(again.certificatePEM, created.certificatePEM, "an existing pair is reused")
    }
}
