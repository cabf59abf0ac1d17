import PoolKernel
import XCTest

final class MetricsTests: XCTestCase {
    func testMetrics_rendersPrometheusText() {
        let registry = MetricsRegistry()
        let requests = registry.counter("http_requests_total", help: "Requests.", labels: ["route", "status"])
        requests.increment(["/a", "200"])
        requests.increment(["/a", "200"], by: 2)
        requests.increment(["/b\"x", "404"])
        let open = registry.gauge("open", help: "Open.")
        open.set(3)
        let latency = registry.histogram("latency_seconds", help: "Latency.", buckets: [0.1, 1])
        latency.observe(0.05)
        latency.observe(0.5)
        latency.observe(5)
        registry.gaugeFunction("users", help: "Users.") { 42 }
        XCTAssertEqual(registry.render(), """
            # HELP http_requests_total Requests.
            # TYPE http_requests_total counter
            http_requests_total{route="/a",status="200"} 3
            http_requests_total{route="/b\\"x",status="404"} 1
            # HELP open Open.
            # TYPE open gauge
            open 3
            # HELP latency_seconds Latency.
            # TYPE latency_seconds histogram
            latency_seconds_bucket{le="0.1"} 1
            latency_seconds_bucket{le="1"} 2
            latency_seconds_bucket{le="+Inf"} 3
            latency_seconds_sum 5.55
            latency_seconds_count 3
            # HELP users Users.
            # TYPE users gauge
            users 42

            """)
        XCTAssertTrue(registry.counter("http_requests_total", help: "again", labels: ["route", "status"]) === requests)
    }
}
