import PoolKernel

/// Restricts routes to operators: the client IP must be in `adminips` (addresses as dcrstakepool, or
/// CIDR ranges) AND, when `adminuserids` is set, the signed-in user must be one of them. Others get
/// `403 Forbidden\n` and a warning in the log.
///
/// The web app passes `Pages.signedInUser` as `currentUser`, so the session cookie decides who is signed in.
public struct AdminGuard: Sendable {
    /// Resolves the signed-in user of a request (the session layer provides it); nil when signed out.
    public typealias CurrentUser = @Sendable (HTTPRequest) async -> UserId?

    let adminIPs: IPRangeSet
    let adminUserIDs: Set<Int64>
    let currentUser: CurrentUser
    let logger: Logger

    public init(adminIPs: [String], adminUserIDs: [Int64] = [], logger: Logger,
                currentUser: @escaping CurrentUser = { _ in nil }) {
        self.adminIPs = IPRangeSet(parsing: adminIPs)
        self.adminUserIDs = Set(adminUserIDs)
        self.currentUser = currentUser
        self.logger = logger
    }

    /// Whether the client IP alone passes (`adminips`).
    public func ipAllowed(_ request: HTTPRequest) -> Bool {
        !request.clientIP.isEmpty && adminIPs.contains(request.clientIP)
    }

    /// Wraps a handler: it runs only for admins.
    public func protect(_ handler: @escaping RouteHandler) -> RouteHandler {
        let guardian = self
        return { request in
            guard guardian.ipAllowed(request) else { return .immediate(guardian.refuse(request)) }
            guard !guardian.adminUserIDs.isEmpty else { return handler(request) }
            return .deferred {
                guard let user = await guardian.currentUser(request), guardian.adminUserIDs.contains(user.rawValue) else {
                    return guardian.refuse(request)
                }
                switch handler(request) {
                case .immediate(let response): return response
                case .deferred(let work): return await work()
                }
            }
        }
    }

    /// The same route with its handler protected.
    public func protect(_ route: Route) -> Route {
        Route(route.methods, route.pattern, handler: protect(route.handler))
    }

    private func refuse(_ request: HTTPRequest) -> HTTPResponse {
        let client = request.clientIP.isEmpty ? "unknown client (realipheader gave no address)" : request.clientIP
        let via = request.peerAddress.isEmpty || request.peerAddress == request.clientIP ? "" : " via \(request.peerAddress)"
        logger.warn("unauthorized \(HTTPServerCore.printable(request.path)) request from \(client)\(via)")
        return .text("Forbidden\n", status: .forbidden)
    }
}
