/// The routing table as data plus the middleware chain; the `HTTPResponder` of a server.
///
/// The first route (in table order) whose pattern and method match wins. A path that matches
/// some route but not the method gets `405` with `Allow`; no match gets `notFound`.
///
/// ```swift
/// let router = Router(routes: [
///     .get("/health") { _ in .text("ok\n") },
///     .async([.post], "/api/v1/:command") { request in await api.handle(request) },
/// ], middleware: [RequestIDMiddleware(), SecurityHeadersMiddleware()])
/// ```
public struct Router: HTTPResponder {
    public var routes: [Route]
    public var middleware: [any HTTPMiddleware]
    /// The answer for unknown paths (Go's `404 page not found\n` by default); like a route's, it may be deferred
    /// (the site's 404 page reads the visitor's session for its navbar).
    public var notFound: RouteHandler

    public init(routes: [Route] = [], middleware: [any HTTPMiddleware] = [],
                notFound: @escaping RouteHandler = { _ in .immediate(.plainError(.notFound)) }) {
        self.routes = routes
        self.middleware = middleware
        self.notFound = notFound
    }

    public func respond(to incoming: HTTPRequest) -> HTTPResult {
        var request = incoming
        let path = request.path.dropFirst().split(separator: "/", omittingEmptySubsequences: false)
        var handler: RouteHandler?
        var allowed: Set<String> = []
        for route in routes {
            guard let parameters = route.match(path) else { continue }
            if route.allows(request.method) {
                request.parameters = parameters
                request.routePattern = route.pattern
                handler = route.handler
                break
            }
            for method in route.methods ?? [] { allowed.insert(method.rawValue) }
            if route.methods?.contains(.get) == true { allowed.insert("HEAD") }
        }
        for (index, step) in middleware.enumerated() {
            if let early = step.incoming(&request) {
                return .immediate(finish(early, request, upTo: index))
            }
        }
        guard let handler else {
            if allowed.isEmpty {
                request.routePattern = "unmatched"
                return answer(notFound, request)
            }
            var response = HTTPResponse.text("Method Not Allowed\n", status: .methodNotAllowed)
            response.headers.set("Allow", allowed.sorted().joined(separator: ", "))
            return .immediate(finish(response, request, upTo: middleware.count - 1))
        }
        return answer(handler, request)
    }

    /// Runs `handler` and passes its response back through every middleware.
    private func answer(_ handler: RouteHandler, _ request: HTTPRequest) -> HTTPResult {
        switch handler(request) {
        case .immediate(let response):
            return .immediate(finish(response, request, upTo: middleware.count - 1))
        case .deferred(let work):
            let chain = self
            return .deferred {
                let response = await work()
                return chain.finish(response, request, upTo: chain.middleware.count - 1)
            }
        }
    }

    private func finish(_ response: HTTPResponse, _ request: HTTPRequest, upTo last: Int) -> HTTPResponse {
        var response = response
        var index = last
        while index >= 0 {
            middleware[index].outgoing(&response, for: request)
            index -= 1
        }
        return response
    }
}
