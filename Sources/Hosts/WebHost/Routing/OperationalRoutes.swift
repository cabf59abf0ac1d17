import PoolKernel

extension Route {
    /// `GET /health` → `200 ok`: liveness of a bare server that has no dependencies to report.
    public static func health(_ pattern: String = "/health") -> Route {
        .get(pattern) { _ in .text("ok") }
    }

    /// `GET /health` → the host's `HealthReport` as JSON: `200` when `ok` or `degraded`, `503` when `down`
    /// (no auth; `report` reads cached state, so load balancers polling it never hammer a dependency).
    public static func health(_ pattern: String = "/health", report: @escaping @Sendable () async -> HealthReport) -> Route {
        .async([.get], pattern) { _ in
            let health = await report()
            var response = HTTPResponse.json(Array(health.json.utf8),
                                             status: health.status == .down ? .serviceUnavailable : .ok)
            response.headers.set("Cache-Control", "no-store")
            return response
        }
    }

    /// `GET /metrics` → the registry in Prometheus text format. Guard it (`AdminGuard`) or serve it
    /// on a separate `metricslisten` server.
    public static func metrics(_ registry: MetricsRegistry, pattern: String = "/metrics") -> Route {
        .get(pattern) { _ in
            HTTPResponse(headers: ["Content-Type": "text/plain; version=0.0.4; charset=utf-8"],
                         body: Array(registry.render().utf8))
        }
    }
}
