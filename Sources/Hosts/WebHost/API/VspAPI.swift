import Foundation
import PoolKernel

/// The vspd API v3 front (vspd-api.md §1): `GET /api/v3/vspinfo` and the five signed POSTs, answered by the
/// kernel's `VspService`. The body is taken raw and cut at 1 MiB (the same bytes are parsed, checked against the
/// signature and echoed); Content-Type is never looked at; cross-origin browser POSTs are refused (§1.2); any
/// other path or method under `/api/v3/` is gin's plain 404.
///
/// ```swift
/// let router = WebStack.router(vspAPI: VspAPI(service: service), api: legacyAPI, …)
/// ```
public struct VspAPI: Sendable {
    /// vspd's body cap (1.5.0): bytes beyond it are ignored, not refused.
    public static let bodyLimit = 1 << 20

    public let service: VspService

    public init(service: VspService) { self.service = service }

    /// Put these before the legacy API's `/api/*` catch-all.
    public var routes: [Route] {
        let service = service
        return [Route(nil, "/api/v3/*") { request in Self.route(request, service) }]
    }

    static func route(_ request: HTTPRequest, _ service: VspService) -> HTTPResult {
        let name = request.parameters["*"] ?? ""
        if name == "vspinfo" {
            guard request.method == .get else { return .immediate(notFound) }
            if let cached = service.cachedVspInfo() { return .immediate(render(cached)) }
            return .deferred { render(await service.vspInfo()) }
        }
        guard let endpoint = VspEndpoint(rawValue: name) else {
            // A trailing slash is redirected as gin does, only to a route of the request's own method (301 for GET,
            // 307 for POST), the query kept; the rest is unknown.
            let route = String(name.dropLast())
            let isRoute = request.method == .get ? route == "vspinfo" : request.method == .post && VspEndpoint(rawValue: route) != nil
            if name.hasSuffix("/"), isRoute {
                var response = HTTPResponse(status: request.method == .get ? HTTPStatus(301, "Moved Permanently")
                                                : HTTPStatus(307, "Temporary Redirect"))
                response.headers.set("Location", "/api/v3/" + route + (request.query.isEmpty ? "" : "?" + request.query))
                return .immediate(response)
            }
            return .immediate(notFound)
        }
        guard request.method == .post else { return .immediate(notFound) }
        if !VspCrossOriginCheck.allows(request) {
            return .immediate(HTTPResponse(status: .badRequest, headers: ["Content-Type": "text/plain; charset=utf-8"],
                                           body: Array("CSRF failure".utf8)))
        }
        let body = Array(request.body.prefix(bodyLimit))
        let signature = request.headers["VSP-Client-Signature"]
        return .deferred { render(await service.handle(endpoint, body: body, signature: signature)) }
    }

    /// gin's 404: plain text, no newline.
    static var notFound: HTTPResponse {
        HTTPResponse(status: .notFound, headers: ["Content-Type": "text/plain"], body: Array("404 page not found".utf8))
    }

    static func render(_ reply: VspReply) -> HTTPResponse {
        let status = HTTPStatus(reply.status, reason(reply.status))
        var response = reply.isJSON ? HTTPResponse.json(reply.body, status: status)
            : HTTPResponse(status: status, headers: ["Content-Type": "text/plain; charset=utf-8"], body: reply.body)
        if let signature = reply.signature { response.headers.set("VSP-Server-Signature", signature) }
        return response
    }

    private static func reason(_ code: Int) -> String {
        switch code {
        case 200: "OK"
        case 400: "Bad Request"
        case 428: "Precondition Required"
        default: "Internal Server Error"
        }
    }
}

/// Go's `http.CrossOriginProtection` as vspd runs it on every route (spec §1.2): safe methods pass; others pass
/// with `Sec-Fetch-Site` `same-origin` or `none`, or without that header (or with it empty) when there is no (or an
/// empty) `Origin` (every non-browser client) or its host is the request's `Host`.
enum VspCrossOriginCheck {
    static func allows(_ request: HTTPRequest) -> Bool {
        if [HTTPMethod.get, .head, .options].contains(request.method) { return true }
        // Go reads a header with `Header.Get`: an empty value counts as none.
        if let site = request.headers["Sec-Fetch-Site"], !site.isEmpty { return site == "same-origin" || site == "none" }
        guard let origin = request.headers["Origin"], !origin.isEmpty else { return true }
        return originHost(origin) == request.headers["Host"]
    }

    /// The `host[:port]` of an origin (`https://pool.example:8443`), nil when it has none.
    private static func originHost(_ origin: String) -> String? {
        guard let range = origin.range(of: "://") else { return nil }
        let rest = origin[range.upperBound...]
        let host = rest.prefix { $0 != "/" && $0 != "?" && $0 != "#" }
        return host.isEmpty ? nil : String(host.split(separator: "@").last ?? host)
    }
}
