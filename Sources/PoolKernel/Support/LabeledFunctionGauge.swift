/// A labelled gauge read when rendering: one series per element `read` returns (per-wallet or per-host
/// state kept in memory by a background monitor). `read` must be fast and not block.
final class LabeledFunctionGauge: MetricFamily {
    let name: String
    let help: String
    let labelNames: [String]
    let read: @Sendable () -> [(labels: [String], value: Double)]
    /// `gauge`, or `counter` for a monotonic count kept elsewhere.
    let type: String

    init(name: String, help: String, labelNames: [String], type: String = "gauge",
         read: @escaping @Sendable () -> [(labels: [String], value: Double)]) {
        self.type = type
        self.name = name
        self.help = help
        self.labelNames = labelNames
        self.read = read
    }

    func render(into out: inout String) {
        for series in read().sorted(by: { MetricsText.labelOrder($0.labels, $1.labels) }) {
            out += "\(name)\(MetricsText.labels(labelNames, series.labels)) \(MetricsText.number(series.value))\n"
        }
    }
}

extension MetricsRegistry {
    /// A labelled gauge computed at render time: `read` returns the label values (in `labels` order) and value
    /// of every series.
    public func gaugeFunction(_ name: String, help: String, labels: [String],
                              read: @escaping @Sendable () -> [(labels: [String], value: Double)]) {
        registerFamily(LabeledFunctionGauge(name: name, help: help, labelNames: labels, read: read))
    }

    /// A labelled counter read at render time from a count kept elsewhere (it must never decrease).
    public func counterFunction(_ name: String, help: String, labels: [String],
                                read: @escaping @Sendable () -> [(labels: [String], value: Double)]) {
        registerFamily(LabeledFunctionGauge(name: name, help: help, labelNames: labels, type: "counter", read: read))
    }
}
