/// Answers one routed request: `.immediate` for quick work, `.deferred` for async work.
public typealias RouteHandler = @Sendable (HTTPRequest) -> HTTPResult

/// One line of the routing table: methods + path pattern → handler.
///
/// Patterns are `/`-separated segments: literals, `:name` (one non-empty segment, captured into
/// `request.parameters[name]`) and a final `*` (one or more remaining segments, captured as `*`; `/api/*` matches `/api/` but not `/api`).
/// A route for `GET` also answers `HEAD` (the server drops the body).
public struct Route: Sendable {
    enum Segment: Sendable, Equatable {
        case literal(String)
        case parameter(String)
        case rest
    }

    /// nil: any method.
    public let methods: Set<HTTPMethod>?
    public let pattern: String
    public let handler: RouteHandler
    let segments: [Segment]

    public init(_ methods: Set<HTTPMethod>?, _ pattern: String, handler: @escaping RouteHandler) {
        self.methods = methods
        self.pattern = pattern
        self.handler = handler
        self.segments = Route.segments(of: pattern)
    }

    /// A route answering immediately on the I/O thread.
    public static func get(_ pattern: String, _ body: @escaping @Sendable (HTTPRequest) -> HTTPResponse) -> Route {
        Route([.get], pattern) { .immediate(body($0)) }
    }

    public static func post(_ pattern: String, _ body: @escaping @Sendable (HTTPRequest) -> HTTPResponse) -> Route {
        Route([.post], pattern) { .immediate(body($0)) }
    }

    /// A route whose handler runs as a task (storage, wallets, anything async).
    public static func async(_ methods: Set<HTTPMethod>?, _ pattern: String,
                             _ body: @escaping @Sendable (HTTPRequest) async -> HTTPResponse) -> Route {
        Route(methods, pattern) { request in .deferred { await body(request) } }
    }

    static func segments(of pattern: String) -> [Segment] {
        let parts = pattern.dropFirst().split(separator: "/", omittingEmptySubsequences: false)
        return parts.map { part in
            if part == "*" { return .rest }
            if part.hasPrefix(":") { return .parameter(String(part.dropFirst())) }
            return .literal(String(part))
        }
    }

    /// Matches split path segments; returns the captured parameters or nil.
    func match(_ path: [Substring]) -> [String: String]? {
        var parameters: [String: String] = [:]
        var index = 0
        for segment in segments {
            switch segment {
            case .rest:
                // At least one more segment (possibly empty): `/api/*` matches `/api/` but not `/api`.
                guard index < path.count else { return nil }
                parameters["*"] = path[index...].joined(separator: "/")
                return parameters
            case .literal(let text):
                guard index < path.count, path[index] == text else { return nil }
            case .parameter(let name):
                guard index < path.count, !path[index].isEmpty else { return nil }
                parameters[name] = String(path[index])
            }
            index += 1
        }
        return index == path.count ? parameters : nil
    }

    func allows(_ method: HTTPMethod) -> Bool {
        guard let methods else { return true }
        return methods.contains(method) || (method == .head && methods.contains(.get))
    }
}
