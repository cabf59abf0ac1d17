import Foundation
import PoolKernel

/// A chart of the hourly pool history, as data for `templates/partials/chart.html`, which draws it as inline SVG
/// (no script: it works under the CSP and on a phone). dash22 slice.
///
/// Geometry (the contract tests check points against): the plot spans x `left…right` and y `top…bottom` of a
/// `640×220` view box. A point of hour `h` and value `v` sits at
/// `x = left + (right - left) * (h - from) / max(1, to - from)` and `y = bottom - (bottom - top) * v / yMax`, both
/// with one decimal; `from`, `to` and `yMax` are on the `<svg>` as `data-from`, `data-to` and `data-ymax`.
struct HistoryChart {
    static let left = 8.0, right = 632.0, top = 30.0, bottom = 190.0

    struct Series {
        var name: String
        /// `series-a` … `series-b`: the stylesheet's colours.
        var style: String
        var points: [(hour: Int64, value: Int64)]
    }

    var id: String
    var title: String
    var unit: String
    var series: [Series]
    /// Drawn as bars (one per day) instead of lines.
    var bars = false
    /// Values are atoms, labelled in DCR.
    var atoms = false

    var from: Int64 { series.flatMap { $0.points.map(\.hour) }.min() ?? 0 }
    var to: Int64 { series.flatMap { $0.points.map(\.hour) }.max() ?? 0 }
    var yMax: Int64 { Self.niceCeiling(series.flatMap { $0.points.map(\.value) }.max() ?? 0) }

    /// 1, 2 or 5 times a power of ten, at least `value` (and at least 1).
    static func niceCeiling(_ value: Int64) -> Int64 {
        var step: Int64 = 1
        while true {
            for factor: Int64 in [1, 2, 5] where step * factor >= value { return step * factor }
            if step > Int64.max / 100 { return Int64.max }
            step *= 10
        }
    }

    func x(_ hour: Int64) -> Double {
        Self.left + (Self.right - Self.left) * Double(hour - from) / Double(max(1, to - from))
    }

    func y(_ value: Int64) -> Double { Self.bottom - (Self.bottom - Self.top) * Double(value) / Double(yMax) }

    static func format(_ number: Double) -> String { String(format: "%.1f", number) }

    func label(_ value: Int64) -> String {
        atoms ? GoFloatFormat.v(Double(value) / 1e8) + " DCR" : String(value)
    }

    static func day(_ hour: Int64) -> String { String(stamp(hour).prefix(10)) }

    static func stamp(_ hour: Int64) -> String {
        let formatter = ISO8601DateFormatter()
        formatter.formatOptions = [.withFullDate, .withTime, .withColonSeparatorInTime, .withSpaceBetweenDateAndTime]
        formatter.timeZone = TimeZone(identifier: "UTC")
        return String(formatter.string(from: Date(timeIntervalSince1970: TimeInterval(hour))).prefix(16)) + " UTC"
    }

    /// The template's data: `Id`, `Title`, `Summary` (the text alternative), `From`, `To`, `YMax`, `YMaxLabel`,
    /// `FromLabel`, `ToLabel`, `Empty`, `Lines` (`Name`, `Style`, `Points`, `LastX`, `LastY`, `LastLabel`) and
    /// `Bars` (`X`, `Y`, `Width`, `Height`, `Style`, `Label`).
    var templateValue: TemplateValue {
        let points = series.flatMap(\.points)
        var lines: [TemplateValue] = []
        var bars: [TemplateValue] = []
        let days = Array(Set(points.map(\.hour))).sorted()
        let dayIndex = Dictionary(uniqueKeysWithValues: days.enumerated().map { ($1, $0) })
        let slot = (Self.right - Self.left) / Double(max(1, days.count))
        for (index, line) in series.enumerated() {
            if self.bars {
                let width = slot / Double(max(1, series.count)) * 0.8
                for point in line.points {
                    let slotIndex = Double(dayIndex[point.hour] ?? 0)
                    let top = y(point.value)
                    bars.append(["X": .string(Self.format(Self.left + slotIndex * slot + Double(index) * width)),
                                 "Y": .string(Self.format(top)), "Width": .string(Self.format(width)),
                                 "Height": .string(Self.format(Self.bottom - top)), "Style": .string(line.style),
                                 "Label": .string("\(Self.day(point.hour)): \(label(point.value)) \(line.name)")])
                }
            } else {
                let text = line.points.map { Self.format(x($0.hour)) + "," + Self.format(y($0.value)) }.joined(separator: " ")
                let last = line.points.last
                lines.append(["Name": .string(line.name), "Style": .string(line.style), "Points": .string(text),
                              "LastX": .string(Self.format(last.map { x($0.hour) } ?? Self.left)),
                              "LastY": .string(Self.format(last.map { y($0.value) } ?? Self.bottom)),
                              "LastLabel": .string(last.map { "\(Self.stamp($0.hour)): \(label($0.value)) \(line.name)" } ?? "")])
            }
        }
        let latest = series.compactMap { line in line.points.last.map { "\(label($0.value)) \(line.name)" } }
        let summary = points.isEmpty ? "\(title): no history yet"
            : "\(title) from \(Self.day(from)) to \(Self.day(to)); latest: \(latest.joined(separator: ", "))"
        return ["Id": .string(id), "Title": .string(title), "Unit": .string(unit), "Summary": .string(summary),
                "From": .int(from), "To": .int(to), "YMax": .int(yMax), "YMaxLabel": .string(label(yMax)),
                "FromLabel": .string(points.isEmpty ? "" : Self.day(from)), "ToLabel": .string(points.isEmpty ? "" : Self.day(to)),
                "Empty": .bool(points.isEmpty), "Lines": .list(lines), "Bars": .list(bars),
                "Legend": .list(series.map { ["Name": .string($0.name), "Style": .string($0.style)] })]
    }
}

/// The charts of the history (dash22 slice): pool size, votes and misses per day, users, fee revenue.
extension HistoryChart {
    static func poolSize(_ samples: [PoolHistorySample]) -> HistoryChart {
        HistoryChart(id: "pool-size", title: "Pool size (live tickets)", unit: "tickets",
                     series: [Series(name: "live tickets", style: "series-a", points: samples.map { ($0.hourStart, $0.liveTickets) })])
    }

    /// Per UTC day: the growth of the running totals from the day before's last sample to the day's last sample
    /// (the first day with history has no day before and is left out).
    static func votesPerDay(_ samples: [PoolHistorySample]) -> HistoryChart {
        let days = lastSamplePerDay(samples)
        var voted: [(Int64, Int64)] = [], missed: [(Int64, Int64)] = []
        for (previous, day) in zip(days, days.dropFirst()) {
            let dayStart = day.hourStart - ((day.hourStart % 86_400) + 86_400) % 86_400
            voted.append((dayStart, max(0, day.votedTotal - previous.votedTotal)))
            missed.append((dayStart, max(0, day.missedTotal - previous.missedTotal)))
        }
        return HistoryChart(id: "votes-per-day", title: "Votes and misses per day", unit: "per day",
                            series: [Series(name: "voted", style: "series-a", points: voted),
                                     Series(name: "missed", style: "series-b", points: missed)], bars: true)
    }

    static func users(_ samples: [PoolHistorySample]) -> HistoryChart {
        HistoryChart(id: "users", title: "Users over time", unit: "accounts",
                     series: [Series(name: "users", style: "series-a", points: samples.map { ($0.hourStart, $0.users) }),
                              Series(name: "with an address", style: "series-b",
                                     points: samples.map { ($0.hourStart, $0.activeUsers) })])
    }

    static func feeRevenue(_ samples: [PoolHistorySample]) -> HistoryChart {
        HistoryChart(id: "fee-revenue", title: "Pool fee revenue (running total)", unit: "DCR",
                     series: [Series(name: "earned", style: "series-a", points: samples.map { ($0.hourStart, $0.feeRevenueAtoms) })],
                     atoms: true)
    }

    static func lastSamplePerDay(_ samples: [PoolHistorySample]) -> [PoolHistorySample] {
        var days: [PoolHistorySample] = []
        for sample in samples {
            if let last = days.last, last.hourStart / 86_400 == sample.hourStart / 86_400 {
                days[days.count - 1] = sample
            } else {
                days.append(sample)
            }
        }
        return days
    }
}
