import Foundation
import PoolKernel
import PoolTestKit
@testable import WebHost
import XCTest

/// The vspd front's answers that come from gin and Go's `net/http` rather than from vspd's handlers (vspd-api.md
/// §1.1, §1.2), through the router built from `VspAPI.routes`: trailing-slash redirects only to a route of the
/// request's own method, and Go's reading of empty CSRF headers as absent ones.
final class VspAPIRouteTests: XCTestCase {
    private func router() throws -> Router {
        let configuration = VspConfiguration(network: .simnet, feePercent: try VspFeePercent(3.0), version: "test")
        let service = VspService(configuration: configuration, storage: InMemoryStorage(), node: InMemoryVspNode(),
                                 wallets: [InMemoryVspWallet()],
                                 signer: VspResponseSigner(key: try Ed25519SigningKey(seed: [UInt8](repeating: 7, count: 32))),
                                 clock: { 1_800_000_000 }, logger: LogBackend(level: .critical, sinks: []).logger("VSPD"))
        return Router(routes: VspAPI(service: service).routes)
    }

    private func send(_ router: Router, _ method: HTTPMethod, _ target: String, headers: HTTPHeaders = [:]) async -> HTTPResponse {
        let parts = target.split(separator: "?", maxSplits: 1).map(String.init)
        var request = HTTPRequest(method: method, target: target, path: parts[0], query: parts.count > 1 ? parts[1] : "",
                                  headers: headers)
        request.clientIP = "127.0.0.1"
        switch router.respond(to: request) {
        case .immediate(let response): return response
        case .deferred(let work): return await work()
        }
    }

    /// gin looks for the slash-less route in the request method's own tree only: a GET to a POST route (or a POST
    /// to vspinfo) with a trailing slash is its plain 404; a redirect keeps the query (`URL.String()`).
    func testTrailingSlash_redirectsOnlyToARouteOfTheSameMethod_keepingTheQuery() async throws {
        let router = try router()
        for (method, target) in [(HTTPMethod.get, "/api/v3/feeaddress/"), (.get, "/api/v3/payfee/"), (.post, "/api/v3/vspinfo/")] {
            let response = await send(router, method, target)
            XCTAssertEqual(response.status.code, 404, "\(method) \(target)")
            XCTAssertEqual(String(decoding: response.body, as: UTF8.self), "404 page not found", "\(method) \(target)")
            XCTAssertNil(response.headers["Location"], "\(method) \(target)")
        }
        var response = await send(router, .get, "/api/v3/vspinfo/?x=1")
        XCTAssertEqual(response.status.code, 301)
        XCTAssertEqual(response.headers["Location"], "/api/v3/vspinfo?x=1")
        response = await send(router, .post, "/api/v3/setvotechoices/")
        XCTAssertEqual(response.status.code, 307)
        XCTAssertEqual(response.headers["Location"], "/api/v3/setvotechoices")
        response = await send(router, .post, "/api/v3/payfee/?a=b&c")
        XCTAssertEqual(response.status.code, 307)
        XCTAssertEqual(response.headers["Location"], "/api/v3/payfee?a=b&c")
    }

    /// Go's `CrossOriginProtection` reads both headers with `Header.Get`, so an empty one counts as absent: the
    /// request reaches vspd (here an empty body's `E(0) "EOF"`); a non-empty foreign one is still refused.
    func testCrossOrigin_emptyHeadersCountAsAbsent() async throws {
        let router = try router()
        let passing: [HTTPHeaders] = [["Sec-Fetch-Site": ""], ["Origin": ""], ["Sec-Fetch-Site": "", "Origin": "", "Host": "pool.example"],
                                      ["Sec-Fetch-Site": "", "Origin": "https://pool.example", "Host": "pool.example"]]
        for headers in passing {
            let response = await send(router, .post, "/api/v3/ticketstatus", headers: headers)
            XCTAssertEqual(String(decoding: response.body, as: UTF8.self), #"{"code":0,"message":"EOF"}"#, "\(headers.fields)")
        }
        let refused: [HTTPHeaders] = [["Sec-Fetch-Site": "cross-site", "Origin": ""], ["Sec-Fetch-Site": "", "Origin": "https://evil.example",
                                                                                      "Host": "pool.example"]]
        for headers in refused {
            let response = await send(router, .post, "/api/v3/ticketstatus", headers: headers)
            XCTAssertEqual(response.status.code, 400, "\(headers.fields)")
            XCTAssertEqual(String(decoding: response.body, as: UTF8.self), "CSRF failure", "\(headers.fields)")
        }
    }
}
