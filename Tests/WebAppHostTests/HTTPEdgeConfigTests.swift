import HostKit
import HostTestSupport
import PoolctlHost
import StakepooldHost
import WebAppHost
import PoolKernel
import XCTest

/// The HTTP edge's options (issue 17 items 1–3, issue 18 item 5): CIDR ranges in `adminips` and
/// `trustedproxies`, validated at load; `maxconnectionsperip`, `ratelimit`, `ratelimitburst`.
final class HTTPEdgeConfigTests: XCTestCase {
    private let minimal = """
    apisecret=\(ConfigTests.apiSecret)
    cookiesecret=\(ConfigTests.cookieSecret)
    coldwalletextpub=\(VectorKeys.key("mainnet", 0))
    votingwalletextpub=\(VectorKeys.key("mainnet", 1))
    wallet=simnet
    """

    private func load(_ extra: String) throws -> PoolConfig {
        let files = ["/h/dcrstakepool.conf": minimal + "\n" + extra + "\n"]
        let (config, _, _) = try PoolConfig.load(arguments: [], home: "/h", plugins: .builtIn(), readFile: { files[$0] }, fileExists: { files[$0] != nil })
        return try XCTUnwrap(config)
    }

    private func assertRejected(_ extra: String, _ text: String, line: UInt = #line) {
        XCTAssertThrowsError(try load(extra), line: line) { error in
            let message = (error as? ConfigError)?.message ?? "\(error)"
            XCTAssertEqual((error as? ConfigError)?.code, .badValue, message, line: line)
            XCTAssertTrue(message.contains(text), "\"\(message)\" lacks \"\(text)\"", line: line)
        }
    }

    func testHTTPEdgeConfig_defaults() throws {
        let config = try load("adminips=127.0.0.1")
        XCTAssertEqual(config.maxConnectionsPerIP, 64)
        XCTAssertEqual(config.rateLimit, 20)
        XCTAssertEqual(config.rateLimitBurst, 60)
    }

    func testHTTPEdgeConfig_cidrRangesAccepted() throws {
        let config = try load("adminips=127.0.0.0/8,::1/128, 192.0.2.10\ntrustedproxies=10.0.0.0/8,fd00::/8\n"
                              + "maxconnectionsperip=0\nratelimit=2.5\nratelimitburst=0")
        XCTAssertEqual(config.adminIPs.count, 3)
        XCTAssertEqual(config.maxConnectionsPerIP, 0)
        XCTAssertEqual(config.rateLimit, 2.5)
        XCTAssertEqual(config.rateLimitBurst, 0)
    }

    func testHTTPEdgeConfig_badEntriesNameTheOptionAndLine() {
        assertRejected("adminips=127.0.0.1,nginx.local", "dcrstakepool.conf:6: adminips entry \"nginx.local\" is not an IP address or CIDR range")
        assertRejected("adminips=127.0.0.0/33", "adminips entry \"127.0.0.0/33\"")
        assertRejected("adminips=127.0.0.1\ntrustedproxies=nginx.local", "dcrstakepool.conf:7: trustedproxies entry \"nginx.local\"")
        assertRejected("adminips=127.0.0.1\ntrustedproxies=10.0.0.0/x", "trustedproxies entry")
        assertRejected("adminips=127.0.0.1\nmaxconnectionsperip=-1", "maxconnectionsperip must be 0")
        assertRejected("adminips=127.0.0.1\nratelimit=-3", "ratelimit must be 0")
        assertRejected("adminips=127.0.0.1\nratelimitburst=-1", "ratelimitburst must be 0")
    }

    func testIPRange_matching() throws {
        let loopback = try XCTUnwrap(IPRange("127.0.0.0/8"))
        XCTAssertTrue(loopback.contains("127.0.0.1"))
        XCTAssertTrue(loopback.contains("127.255.1.2"))
        XCTAssertTrue(loopback.contains("::ffff:127.0.0.9"), "a dual-stack peer matches its IPv4 range")
        XCTAssertFalse(loopback.contains("128.0.0.1"))
        XCTAssertFalse(loopback.contains("::1"))
        let six = try XCTUnwrap(IPRange("2001:db8::/32"))
        XCTAssertTrue(six.contains("2001:db8:ffff::1"))
        XCTAssertFalse(six.contains("2001:db9::1"))
        XCTAssertTrue(try XCTUnwrap(IPRange("::1/128")).contains("::1"))
        XCTAssertTrue(try XCTUnwrap(IPRange("0.0.0.0/0")).contains("203.0.113.5"))
        XCTAssertFalse(try XCTUnwrap(IPRange("0.0.0.0/0")).contains("2001:db8::1"))
        XCTAssertTrue(try XCTUnwrap(IPRange("10.1.2.3")).contains("10.1.2.3"))
        XCTAssertFalse(try XCTUnwrap(IPRange("10.1.2.3")).contains("10.1.2.4"))
        for bad in ["", "nginx.local", "10.0.0.0/", "10.0.0.0/-1", "::1/129", "1.2.3.4/8/8", "1.2.3.4:80"] {
            XCTAssertNil(IPRange(bad), bad)
        }
        let set = IPRangeSet(parsing: ["192.0.2.1", "10.0.0.0/8"])
        XCTAssertTrue(set.contains("192.0.2.1"))
        XCTAssertTrue(set.contains("10.9.8.7"))
        XCTAssertFalse(set.contains("192.0.2.2"))
        XCTAssertFalse(set.contains("not an ip"))
    }
}
