import Foundation
import PoolKernel
import XCTest
@testable import WebHost

/// The chart data drawn from the hourly history.
final class HistoryChartTests: XCTestCase {
    func testStamp_matchesFoundationsUTCCalendarAcrossEras() {
        let formatter = DateFormatter()
        formatter.locale = Locale(identifier: "en_US_POSIX")
        formatter.timeZone = TimeZone(identifier: "UTC")
        formatter.dateFormat = "yyyy-MM-dd HH:mm"
        for seconds: Int64 in [0, 59, 951_782_400, 1_709_164_799, 1_764_720_000, 4_102_444_800 + 3_599, -86_401] {
            XCTAssertEqual(HistoryChart.stamp(seconds),
                           formatter.string(from: Date(timeIntervalSince1970: TimeInterval(seconds))) + " UTC", "\(seconds)")
        }
    }

    func testVotesPerDay_isTheGrowthOfEachDaysLastSample() {
        let day: Int64 = 1_764_720_000 - 1_764_720_000 % 86_400
        let samples = [
            PoolHistorySample(hourStart: day - 3_600, votedTotal: 10, missedTotal: 1),
            PoolHistorySample(hourStart: day, votedTotal: 11, missedTotal: 1),
            PoolHistorySample(hourStart: day + 82_800, votedTotal: 25, missedTotal: 3),
            PoolHistorySample(hourStart: day + 86_400 + 3_600, votedTotal: 31, missedTotal: 3),
        ]
        let chart = HistoryChart.votesPerDay(samples)
        XCTAssertEqual(chart.series[0].points.map(\.value), [15, 6], "voted: 25 - 10, then 31 - 25")
        XCTAssertEqual(chart.series[1].points.map(\.value), [2, 0])
        XCTAssertEqual(chart.series[0].points.map(\.hour), [day, day + 86_400], "one bar per UTC day")
    }

    func testFormat_oneDecimalRoundedToNearest() {
        XCTAssertEqual([0, 12.34, 12.36, 190, 631.96, -0.04, -2.26].map(HistoryChart.format),
                       ["0.0", "12.3", "12.4", "190.0", "632.0", "0.0", "-2.3"])
    }

    func testNiceCeiling_isOneTwoOrFiveTimesAPowerOfTen() {
        XCTAssertEqual([0, 1, 2, 3, 7, 10, 11, 99, 101, 4_999, 5_001].map(HistoryChart.niceCeiling),
                       [1, 1, 2, 5, 10, 10, 20, 100, 200, 5_000, 10_000])
    }
}
