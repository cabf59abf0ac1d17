import PoolKernel

extension Route {
    /// `GET /health` → `200 ok` (for load balancers; no auth, no storage access, never rate limited).
    public static func health(_ pattern: String = "/health") -> Route {
        .get(pattern) { _ in .text("ok") }
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
