import Foundation
import Synchronization

/// A small metrics registry rendered in the Prometheus text exposition format (version 0.0.4).
///
/// Create one per process (the host owns it) and hand it to the parts that record metrics.
/// Families are rendered in registration order; series within a family sorted by label values.
///
/// ```swift
/// let metrics = MetricsRegistry()
/// let requests = metrics.counter("http_requests_total", help: "Requests.", labels: ["route", "status"])
/// requests.increment(["/api/v1/:command", "200"])
/// print(metrics.render())
/// ```
public final class MetricsRegistry: Sendable {
    private let families = Mutex<[any MetricFamily]>([])

    public init() {}

    /// A monotonically increasing counter. Registering the same name twice returns the first one.
    public func counter(_ name: String, help: String, labels: [String] = []) -> Counter {
        register(Counter(name: name, help: help, labelNames: labels))
    }

    /// A value that goes up and down.
    public func gauge(_ name: String, help: String, labels: [String] = []) -> Gauge {
        register(Gauge(name: name, help: help, labelNames: labels))
    }

    /// A histogram with cumulative `le` buckets (upper bounds, ascending; `+Inf` is added).
    public func histogram(_ name: String, help: String, labels: [String] = [],
                          buckets: [Double] = Histogram.defaultBuckets) -> Histogram {
        register(Histogram(name: name, help: help, labelNames: labels, buckets: buckets.sorted()))
    }

    /// A gauge read when rendering (wallet pool state, user counts); `read` must be fast and not block.
    public func gaugeFunction(_ name: String, help: String, read: @escaping @Sendable () -> Double) {
        _ = register(FunctionGauge(name: name, help: help, read: read))
    }

    /// Registers a family defined in another file of this module.
    func registerFamily<Family: MetricFamily>(_ family: Family) { _ = register(family) }

    private func register<Family: MetricFamily>(_ family: Family) -> Family {
        families.withLock { families in
            if let existing = families.first(where: { $0.name == family.name }) as? Family { return existing }
            precondition(!families.contains { $0.name == family.name }, "metric \(family.name) registered with two types")
            families.append(family)
            return family
        }
    }

    /// The whole registry in Prometheus text format.
    public func render() -> String {
        let snapshot = families.withLock { $0 }
        var out = ""
        for family in snapshot {
            out += "# HELP \(family.name) \(MetricsText.escapeHelp(family.help))\n"
            out += "# TYPE \(family.name) \(family.type)\n"
            family.render(into: &out)
        }
        return out
    }
}

/// Implemented only by the metric types in this file (closed protocol).
protocol MetricFamily: AnyObject, Sendable {
    var name: String { get }
    var help: String { get }
    var type: String { get }
    func render(into out: inout String)
}

/// A counter family; `increment` with label values in the order of `labels` given at registration.
public final class Counter: MetricFamily {
    let name: String
    let help: String
    let labelNames: [String]
    var type: String { "counter" }
    private let values = Mutex<[[String]: Double]>([:])

    init(name: String, help: String, labelNames: [String]) {
        self.name = name
        self.help = help
        self.labelNames = labelNames
    }

    public func increment(_ labelValues: [String] = [], by amount: Double = 1) {
        precondition(labelValues.count == labelNames.count, "metric \(name): wrong number of label values")
        values.withLock { $0[labelValues, default: 0] += max(0, amount) }
    }

    /// The current value for a label set (0 if never incremented).
    public func value(_ labelValues: [String] = []) -> Double { values.withLock { $0[labelValues] ?? 0 } }

    func render(into out: inout String) {
        let snapshot = values.withLock { $0 }
        if snapshot.isEmpty && labelNames.isEmpty { out += "\(name) 0\n"; return }
        for key in snapshot.keys.sorted(by: MetricsText.labelOrder) {
            out += "\(name)\(MetricsText.labels(labelNames, key)) \(MetricsText.number(snapshot[key] ?? 0))\n"
        }
    }
}

/// A gauge family.
public final class Gauge: MetricFamily {
    let name: String
    let help: String
    let labelNames: [String]
    var type: String { "gauge" }
    private let values = Mutex<[[String]: Double]>([:])

    init(name: String, help: String, labelNames: [String]) {
        self.name = name
        self.help = help
        self.labelNames = labelNames
    }

    public func set(_ value: Double, _ labelValues: [String] = []) {
        precondition(labelValues.count == labelNames.count, "metric \(name): wrong number of label values")
        values.withLock { $0[labelValues] = value }
    }

    public func add(_ amount: Double, _ labelValues: [String] = []) {
        precondition(labelValues.count == labelNames.count, "metric \(name): wrong number of label values")
        values.withLock { $0[labelValues, default: 0] += amount }
    }

    public func value(_ labelValues: [String] = []) -> Double { values.withLock { $0[labelValues] ?? 0 } }

    func render(into out: inout String) {
        let snapshot = values.withLock { $0 }
        if snapshot.isEmpty && labelNames.isEmpty { out += "\(name) 0\n"; return }
        for key in snapshot.keys.sorted(by: MetricsText.labelOrder) {
            out += "\(name)\(MetricsText.labels(labelNames, key)) \(MetricsText.number(snapshot[key] ?? 0))\n"
        }
    }
}

/// A histogram family (cumulative buckets, `_sum`, `_count`).
public final class Histogram: MetricFamily {
    /// Seconds, suited to request latencies from 0.5 ms to 10 s.
    public static let defaultBuckets: [Double] = [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10]

    struct Series {
        var counts: [UInt64]
        var sum: Double = 0
        var count: UInt64 = 0
    }

    let name: String
    let help: String
    let labelNames: [String]
    let buckets: [Double]
    var type: String { "histogram" }
    private let series = Mutex<[[String]: Series]>([:])

    init(name: String, help: String, labelNames: [String], buckets: [Double]) {
        self.name = name
        self.help = help
        self.labelNames = labelNames
        self.buckets = buckets
    }

    public func observe(_ value: Double, _ labelValues: [String] = []) {
        precondition(labelValues.count == labelNames.count, "metric \(name): wrong number of label values")
        let index = buckets.firstIndex { value <= $0 } ?? buckets.count
        series.withLock { all in
            var entry = all[labelValues] ?? Series(counts: Array(repeating: 0, count: buckets.count + 1))
            entry.counts[index] += 1
            entry.sum += value
            entry.count += 1
            all[labelValues] = entry
        }
    }

    /// Number of observations for a label set.
    public func count(_ labelValues: [String] = []) -> UInt64 { series.withLock { $0[labelValues]?.count ?? 0 } }

    func render(into out: inout String) {
        let snapshot = series.withLock { $0 }
        for key in snapshot.keys.sorted(by: MetricsText.labelOrder) {
            guard let entry = snapshot[key] else { continue }
            var cumulative: UInt64 = 0
            for (index, bound) in (buckets + [Double.infinity]).enumerated() {
                cumulative += entry.counts[index]
                let le = bound.isInfinite ? "+Inf" : MetricsText.number(bound)
                out += "\(name)_bucket\(MetricsText.labels(labelNames + ["le"], key + [le])) \(cumulative)\n"
            }
            out += "\(name)_sum\(MetricsText.labels(labelNames, key)) \(MetricsText.number(entry.sum))\n"
            out += "\(name)_count\(MetricsText.labels(labelNames, key)) \(entry.count)\n"
        }
    }
}

final class FunctionGauge: MetricFamily {
    let name: String
    let help: String
    let read: @Sendable () -> Double
    var type: String { "gauge" }

    init(name: String, help: String, read: @escaping @Sendable () -> Double) {
        self.name = name
        self.help = help
        self.read = read
    }

    func render(into out: inout String) { out += "\(name) \(MetricsText.number(read()))\n" }
}

enum MetricsText {
    static func labels(_ names: [String], _ values: [String]) -> String {
        guard !names.isEmpty else { return "" }
        let pairs = zip(names, values).map { "\($0)=\"\(escapeValue($1))\"" }
        return "{" + pairs.joined(separator: ",") + "}"
    }

    static func escapeValue(_ text: String) -> String {
        text.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "\"", with: "\\\"")
            .replacingOccurrences(of: "\n", with: "\\n")
    }

    static func escapeHelp(_ text: String) -> String {
        text.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "\n", with: "\\n")
    }

    static func number(_ value: Double) -> String {
        if value.isNaN { return "NaN" }
        if value.isInfinite { return value > 0 ? "+Inf" : "-Inf" }
        if value == value.rounded(), abs(value) < 1e15 { return String(Int64(value)) }
        return "\(value)"
    }

    static func labelOrder(_ a: [String], _ b: [String]) -> Bool { a.lexicographicallyPrecedes(b) }
}
