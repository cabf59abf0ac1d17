import Foundation
import PoolKernel
import PoolTestKit
import XCTest
@testable import WebHost

/// A response whose body is a file (`HTTPResponse.file`, used by `/admin/backup`): sent in pieces as the client
/// reads, with the file's length, nothing for HEAD, and a pipelined request answered only after the whole file.
final class HTTPFileBodyTests: WebHostTestCase {
    private var directory: URL!

    override func setUpWithError() throws {
        try super.setUpWithError()
        directory = try TestEnvironment.makeTemporaryDirectory(prefix: "file-body")
    }

    override func tearDown() async throws {
        try? FileManager.default.removeItem(at: directory)
        try await super.tearDown()
    }

    /// 1.3 MB of a pattern that shows any misplaced or repeated piece.
    private func makeFile() throws -> (String, [UInt8]) {
        let bytes = (0..<1_300_007).map { UInt8(truncatingIfNeeded: $0 &* 31 &+ $0 >> 9) }
        let path = directory.appendingPathComponent("big.bin").path
        try Data(bytes).write(to: URL(fileURLWithPath: path))
        return (path, bytes)
    }

    private func router(_ path: String) -> Router {
        Router(routes: [
            .get("/file") { _ in
                var response = HTTPResponse(headers: ["Content-Type": "application/octet-stream"])
                response.file = try? HTTPFileBody(path: path)
                return response
            },
            .get("/after") { _ in .text("after") },
        ])
    }

    func testFileBody_isSentWholeAndInOrderBeforeThePipelinedAnswer() throws {
        let (path, bytes) = try makeFile()
        let (_, port) = try startServer(router(path))
        let client = try RawHTTPClient(port: port)
        try client.send("GET /file HTTP/1.1\r\nHost: x\r\n\r\nGET /after HTTP/1.1\r\nHost: x\r\n\r\n")
        let file = try client.readResponse()
        XCTAssertEqual(file.status, 200)
        XCTAssertEqual(file.header("Content-Length"), "\(bytes.count)")
        XCTAssertEqual(file.body.count, bytes.count)
        XCTAssertTrue(file.body == bytes, "the body is the file, byte for byte")
        XCTAssertEqual(try client.readResponse().text, "after")
    }

    func testFileBody_headGetsTheLengthOnly() throws {
        let (path, bytes) = try makeFile()
        let (_, port) = try startServer(router(path))
        let client = try RawHTTPClient(port: port)
        try client.send("HEAD /file HTTP/1.1\r\nHost: x\r\n\r\nGET /after HTTP/1.1\r\nHost: x\r\n\r\n")
        let head = try client.readResponse(head: true)
        XCTAssertEqual(head.header("Content-Length"), "\(bytes.count)")
        XCTAssertEqual(head.body, [])
        XCTAssertEqual(try client.readResponse().text, "after")
    }

    func testFileBody_refusesWhatIsNotARegularFile() {
        XCTAssertThrowsError(try HTTPFileBody(path: directory.path), "a directory")
        XCTAssertThrowsError(try HTTPFileBody(path: directory.path + "/absent"))
    }
}
