import PoolKernel

/// Assembles the web app's router: the standard middleware, then `/health`, the API, `/status`,
/// `/metrics` (admin only, unless served on `metricslisten`) and the page routes.
///
/// ```swift
/// let router = WebStack.router(api: api, status: statusPage, adminGuard: guard, metrics: registry,
///                              rateLimiter: RateLimiter(rate: 10, burst: 40), pages: pageRoutes)
/// ```
public enum WebStack {
    /// Middleware order: request id, security headers, metrics, then the rate limit (so refused
    /// requests are still counted and carry the headers).
    public static func middleware(metrics: MetricsRegistry?, rateLimiter: RateLimiter?) -> [any HTTPMiddleware] {
        var chain: [any HTTPMiddleware] = [RequestIDMiddleware(), SecurityHeadersMiddleware()]
        if let metrics { chain.append(RequestMetricsMiddleware(registry: metrics)) }
        if let rateLimiter { chain.append(RateLimitMiddleware(limiter: rateLimiter)) }
        return chain
    }

    /// - Parameters:
    ///   - metricsOnMainListener: serve `/metrics` here (to `adminips`); pass false when a separate
    ///     `metricsRouter` server runs on `metricslisten`.
    ///   - pages: the HTML routes (sign-in, settings, …), appended last.
    ///   - notFound: the answer for unknown paths (`Pages.notFoundPage`; Go's plain 404 by default).
    ///   - vspAPI: the vspd API v3 front (`/api/v3/…`), before the legacy API's `/api/*` catch-all; nil when off.
    public static func router(vspAPI: VspAPI? = nil, api: PoolAPI?, status: StatusPage?, adminGuard: AdminGuard, metrics: MetricsRegistry?,
                              metricsOnMainListener: Bool = true, rateLimiter: RateLimiter?,
                              pages: [Route] = [], health: (@Sendable () async -> HealthReport)? = nil,
                              notFound: RouteHandler? = nil) -> Router {
        var routes: [Route] = [health.map { Route.health(report: $0) } ?? .health()]
        if let vspAPI { routes += vspAPI.routes }
        if let api { routes += api.routes }
        if let status { routes.append(status.route(adminGuard: adminGuard)) }
        if let metrics, metricsOnMainListener { routes.append(adminGuard.protect(.metrics(metrics))) }
        routes += pages
        var router = Router(routes: routes, middleware: middleware(metrics: metrics, rateLimiter: rateLimiter))
        if let notFound { router.notFound = notFound }
        return router
    }

    /// The router of a separate `metricslisten` server: `/metrics` and `/health` only, no IP check
    /// (bind it to a private address).
    public static func metricsRouter(_ metrics: MetricsRegistry,
                                     health: (@Sendable () async -> HealthReport)? = nil) -> Router {
        Router(routes: [health.map { Route.health(report: $0) } ?? .health(), .metrics(metrics)])
    }

    /// The `HTTPServer` settings from the pool's configuration.
    public static func serverConfiguration(listen: ListenAddress, realIPHeader: String, trustedProxies: [String],
                                           maxBodyBytes: Int, maxConnections: Int,
                                           maxConnectionsPerIP: Int = 64) -> HTTPServerConfiguration {
        HTTPServerConfiguration(listen: listen, limits: HTTPParserLimits(maxBodyBytes: maxBodyBytes),
                                maxConnections: maxConnections, maxConnectionsPerIP: maxConnectionsPerIP,
                                realIPHeader: realIPHeader, trustedProxies: trustedProxies)
    }

    /// The per-client limiter from `ratelimit` (requests/s) and `ratelimitburst`; nil (no limit) when either is 0.
    public static func rateLimiter(rate: Double, burst: Int) -> RateLimiter? {
        rate > 0 && burst > 0 ? RateLimiter(rate: rate, burst: Double(burst)) : nil
    }
}
