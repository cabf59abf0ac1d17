@testable import PoolNet
import XCTest

final class HostPortTests: XCTestCase {
    func testHostPort_parsesNamesIPv4AndBracketedIPv6() throws {
        XCTAssertEqual(try HostPort(parsing: "localhost:19557"), HostPort(host: "localhost", port: 19557))
        XCTAssertEqual(try HostPort(parsing: " 127.0.0.1:9110 "), HostPort(host: "127.0.0.1", port: 9110))
        XCTAssertEqual(try HostPort(parsing: "[::1]:19556"), HostPort(host: "::1", port: 19556))
        XCTAssertEqual(try HostPort(parsing: "[::1]:19556").description, "[::1]:19556")
    }

    func testHostPort_missingPortTakesTheDefault() throws {
        XCTAssertEqual(try HostPort(parsing: "wallet1", defaultPort: 19557).port, 19557)
        XCTAssertEqual(try HostPort(parsing: "::1", defaultPort: 19556), HostPort(host: "::1", port: 19556))
        XCTAssertEqual(try HostPort(parsing: "[fe80::1]", defaultPort: 9110).host, "fe80::1")
    }

    func testHostPort_rejectsBadInput() {
        for text in ["", ":80", "host:", "host:0", "host:65536", "host:abc", "[::1", "[::1]x", "a b:1", "host"] {
            XCTAssertThrowsError(try HostPort(parsing: text), text) { error in
                XCTAssertEqual((error as? NetError)?.code, .netBadAddress, text)
            }
        }
    }

    func testHostPort_recognisesIPAddresses() throws {
        XCTAssertTrue(try HostPort(parsing: "127.0.0.1:1").isIPAddress)
        XCTAssertTrue(try HostPort(parsing: "[::1]:1").isIPAddress)
        XCTAssertFalse(try HostPort(parsing: "localhost:1").isIPAddress)
        XCTAssertFalse(try HostPort(parsing: "1.2.3.256:1").isIPAddress)
    }
}
