import PoolKernel
import WebHost

/// The route tables of the web app, grouped by concern.
public enum WebRoutes {
    /// `/health` for load balancers and `/metrics` (admin IPs only, unless a separate metricslisten is used).
    public static func operational(config: PoolConfig, metrics: MetricsRegistry) -> [Route] {
        var routes = [Route.health()]
        if config.metricsListen == nil {
            let metricsRoute = Route.metrics(metrics)
            let admins = Set(config.adminIPs)
            routes.append(Route([.get], metricsRoute.pattern) { request in
                admins.contains(request.clientIP) ? metricsRoute.handler(request) : .immediate(.text("Forbidden\n", status: .forbidden))
            })
        }
        return routes
    }
}
