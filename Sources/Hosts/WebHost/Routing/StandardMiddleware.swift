import PoolKernel

/// Echoes the server-assigned request id in `X-Request-Id` (the access log carries the same id).
public struct RequestIDMiddleware: HTTPMiddleware {
    public init() {}
    public func outgoing(_ response: inout HTTPResponse, for request: HTTPRequest) {
        if !request.requestID.isEmpty { response.headers.set("X-Request-Id", request.requestID) }
    }
}

/// Adds CSP, X-Frame-Options, X-Content-Type-Options and Referrer-Policy to every response
/// (a handler's own value for one of them wins).
public struct SecurityHeadersMiddleware: HTTPMiddleware {
    /// Allows the reCAPTCHA and d3 (cdnjs) scripts the pages load and their inline chart script.
    public static let defaultContentSecurityPolicy =
        "default-src 'self'; script-src 'self' 'unsafe-inline' https://www.google.com/recaptcha/ "
        + "https://www.gstatic.com/recaptcha/ https://cdnjs.cloudflare.com; frame-src https://www.google.com/recaptcha/; "
        + "style-src 'self' 'unsafe-inline'; img-src 'self' data:; object-src 'none'; base-uri 'self'; "
        + "form-action 'self'; frame-ancestors 'none'"

    let headers: [(String, String)]

    public init(contentSecurityPolicy: String = SecurityHeadersMiddleware.defaultContentSecurityPolicy,
                frameOptions: String = "DENY", referrerPolicy: String = "same-origin") {
        headers = [("Content-Security-Policy", contentSecurityPolicy), ("X-Frame-Options", frameOptions),
                   ("X-Content-Type-Options", "nosniff"), ("Referrer-Policy", referrerPolicy)]
    }

    public func outgoing(_ response: inout HTTPResponse, for request: HTTPRequest) {
        for (name, value) in headers where !response.headers.contains(name) { response.headers.add(name, value) }
    }
}

/// Counts requests by route pattern and status and observes their latency.
public struct RequestMetricsMiddleware: HTTPMiddleware {
    let requests: Counter
    let latency: Histogram

    /// Registers `http_requests_total{route,method,status}` and `http_request_duration_seconds{route}`.
    public init(registry: MetricsRegistry, prefix: String = "http") {
        requests = registry.counter("\(prefix)_requests_total", help: "HTTP requests by route, method and status.",
                                    labels: ["route", "method", "status"])
        latency = registry.histogram("\(prefix)_request_duration_seconds",
                                     help: "Time from request received to response ready, by route.", labels: ["route"])
    }

    public func outgoing(_ response: inout HTTPResponse, for request: HTTPRequest) {
        let route = request.routePattern ?? "unmatched"
        requests.increment([route, request.method.rawValue, String(response.status.code)])
        if request.receivedAt != 0 {
            let seconds = Double(MonotonicClock.now() &- request.receivedAt) / 1_000_000_000
            latency.observe(seconds, [route])
        }
    }
}
