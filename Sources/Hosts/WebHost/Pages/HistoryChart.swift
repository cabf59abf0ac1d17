import Foundation
import PoolKernel

/// A chart of the hourly pool history, as data for `templates/partials/chart.html`, which draws it as inline SVG
/// (no script: it works under the CSP and on a phone).
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

    /// The axes' ranges, worked out once per drawing.
    struct Scale {
        var from: Int64
        var to: Int64
        var yMax: Int64

        init(_ series: [Series]) {
            var from = Int64.max, to = Int64.min, highest: Int64 = 0
            for line in series {
                for point in line.points {
                    from = min(from, point.hour)
                    to = max(to, point.hour)
                    highest = max(highest, point.value)
                }
            }
            self.from = from == .max ? 0 : from
            self.to = to == .min ? 0 : to
            yMax = HistoryChart.niceCeiling(highest)
        }

        func x(_ hour: Int64) -> Double {
            HistoryChart.left + (HistoryChart.right - HistoryChart.left) * Double(hour - from) / Double(max(1, to - from))
        }

        func y(_ value: Int64) -> Double {
            HistoryChart.bottom - (HistoryChart.bottom - HistoryChart.top) * Double(value) / Double(yMax)
        }
    }

    /// 1, 2 or 5 times a power of ten, at least `value` (and at least 1).
    static func niceCeiling(_ value: Int64) -> Int64 {
        var step: Int64 = 1
        while true {
            for factor: Int64 in [1, 2, 5] where step * factor >= value { return step * factor }
            if step > Int64.max / 100 { return Int64.max }
            step *= 10
        }
    }

    /// One decimal (`123.4`), without `String(format:)`: a chart has thousands of coordinates.
    static func format(_ number: Double) -> String {
        let tenths = Int64((number * 10).rounded())
        return (tenths < 0 ? "-" : "") + String(tenths.magnitude / 10) + "." + String(tenths.magnitude % 10)
    }

    func label(_ value: Int64) -> String {
        atoms ? GoFloatFormat.v(Double(value) / 1e8) + " DCR" : String(value)
    }

    static func day(_ hour: Int64) -> String { String(stamp(hour).prefix(10)) }

    /// `YYYY-MM-DD HH:MM UTC` (the civil date from the day count, as in Howard Hinnant's `civil_from_days`).
    static func stamp(_ unixSeconds: Int64) -> String {
        let days = unixSeconds >= 0 ? unixSeconds / 86_400 : (unixSeconds - 86_399) / 86_400
        let seconds = unixSeconds - days * 86_400
        let z = days + 719_468
        let era = (z >= 0 ? z : z - 146_096) / 146_097
        let dayOfEra = z - era * 146_097
        let yearOfEra = (dayOfEra - dayOfEra / 1_460 + dayOfEra / 36_524 - dayOfEra / 146_096) / 365
        let dayOfYear = dayOfEra - (365 * yearOfEra + yearOfEra / 4 - yearOfEra / 100)
        let monthIndex = (5 * dayOfYear + 2) / 153
        let day = dayOfYear - (153 * monthIndex + 2) / 5 + 1
        let month = monthIndex < 10 ? monthIndex + 3 : monthIndex - 9
        let year = yearOfEra + era * 400 + (month <= 2 ? 1 : 0)
        func two(_ n: Int64) -> String { n < 10 ? "0\(n)" : String(n) }
        return "\(year)-\(two(month))-\(two(day)) \(two(seconds / 3_600)):\(two(seconds % 3_600 / 60)) UTC"
    }

    /// The template's data: `Id`, `Title`, `Summary` (the text alternative), `From`, `To`, `YMax`, `YMaxLabel`,
    /// `FromLabel`, `ToLabel`, `Empty`, `Lines` (`Name`, `Style`, `Points`, `LastX`, `LastY`, `LastLabel`) and
    /// `Bars` (`X`, `Y`, `Width`, `Height`, `Style`, `Label`).
    var templateValue: TemplateValue {
        let scale = Scale(series)
        let (from, to, yMax) = (scale.from, scale.to, scale.yMax)
        let (x, y) = (scale.x, scale.y)
        let isEmpty = series.allSatisfy(\.points.isEmpty)
        var lines: [TemplateValue] = []
        var bars: [TemplateValue] = []
        // Bars only: one slot per day (a few dozen), the series side by side in it.
        let days = self.bars ? Array(Set(series.flatMap { $0.points.map(\.hour) })).sorted() : []
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
                // Digits, commas and spaces only: trusted markup, written without escaping.
                var text = ""
                text.reserveCapacity(line.points.count * 12)
                for point in line.points {
                    if !text.isEmpty { text += " " }
                    text += Self.format(x(point.hour))
                    text += ","
                    text += Self.format(y(point.value))
                }
                let last = line.points.last
                lines.append(["Name": .string(line.name), "Style": .string(line.style), "Points": .html(text),
                              "LastX": .string(Self.format(last.map { x($0.hour) } ?? Self.left)),
                              "LastY": .string(Self.format(last.map { y($0.value) } ?? Self.bottom)),
                              "LastLabel": .string(last.map { "\(Self.stamp($0.hour)): \(label($0.value)) \(line.name)" } ?? "")])
            }
        }
        let latest = series.compactMap { line in line.points.last.map { "\(label($0.value)) \(line.name)" } }
        let summary = isEmpty ? "\(title): no history yet"
            : "\(title) from \(Self.day(from)) to \(Self.day(to)); latest: \(latest.joined(separator: ", "))"
        return ["Id": .string(id), "Title": .string(title), "Unit": .string(unit), "Summary": .string(summary),
                "From": .int(from), "To": .int(to), "YMax": .int(yMax), "YMaxLabel": .string(label(yMax)),
                "FromLabel": .string(isEmpty ? "" : Self.day(from)), "ToLabel": .string(isEmpty ? "" : Self.day(to)),
                "Empty": .bool(isEmpty), "Lines": .list(lines), "Bars": .list(bars),
                "Legend": .list(series.map { ["Name": .string($0.name), "Style": .string($0.style)] })]
    }
}

/// The charts of the history: pool size, votes and misses per day, users, fee revenue.
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
