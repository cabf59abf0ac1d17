import PoolKernel
@testable import StakepooldControl
import XCTest

/// `GET /health` on stakepoold's control API (without the token, unlike every control operation).
final class StakepooldControlHealthRouteTests: XCTestCase {
    private func route(_ text: String, health: (@Sendable () -> HealthReport)?) throws -> ControlRoutes.Answer {
        let message = try XCTUnwrap(try ControlWire.parse(Array(text.utf8)))
        return ControlRoutes.respond(to: message, token: "t0ken", health: health) { _ in XCTFail("no prefs reload") }
    }

    func testControlHealth_answersWithoutTokenAndFollowsTheReport() throws {
        let down = HealthReport(checks: [.init(component: "wallet", instance: "dcrwallet", state: .down, detail: "unreachable: x")],
                                status: .down)
        let answer = try route("GET /health HTTP/1.1\r\n\r\n", health: { down })
        XCTAssertEqual(answer.status, 503)
        XCTAssertEqual(answer.reason, "Service Unavailable")
        XCTAssertEqual(answer.json + "\n", down.json)
        let degraded = HealthReport(checks: [], status: .degraded)
        XCTAssertEqual(try route("GET /health HTTP/1.1\r\n\r\n", health: { degraded }).status, 200)
        XCTAssertEqual(try route("POST /health HTTP/1.1\r\n\r\n", health: { degraded }).status, 405)
        XCTAssertEqual(try route("GET /v1/ping HTTP/1.1\r\n\r\n", health: { degraded }).status, 401, "operations keep the token")
        XCTAssertEqual(try route("GET /health HTTP/1.1\r\nAuthorization: Bearer t0ken\r\n\r\n", health: nil).status, 404,
                       "no report wired: no route")
    }
}
