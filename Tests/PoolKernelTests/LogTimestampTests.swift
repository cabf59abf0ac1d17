import Foundation
import Glibc
@testable import PoolKernel
import XCTest

/// Log timestamps come from calendar arithmetic, not `localtime_r`: dates checked by hand (from `date -u -d @T`),
/// then glibc's `gmtime_r` as the reference over generated instants from year 1 to 9999.
final class LogTimestampTests: XCTestCase {
    func testKnownInstants() {
        let table: [(Int64, Int, String)] = [
            (0, 0, "1970-01-01 00:00:00.000"),
            (-1, 0, "1969-12-31 23:59:59.999"),
            (951_782_400_000, 0, "2000-02-29 00:00:00.000"),
            (951_868_799_123, 0, "2000-02-29 23:59:59.123"),
            (4_107_542_399_000, 0, "2100-02-28 23:59:59.000"),
            (1_709_251_199_500, 0, "2024-02-29 23:59:59.500"),
            (-62_135_596_800_000, 0, "0001-01-01 00:00:00.000"),
            (253_402_300_799_999, 0, "9999-12-31 23:59:59.999"),
            (1_709_251_199_500, 3600, "2024-03-01 00:59:59.500"),      // the offset moves the day over midnight
            (0, -5 * 3600, "1969-12-31 19:00:00.000"),
        ]
        for (milliseconds, offset, expected) in table {
            XCTAssertEqual(LogTimestamp.text(unixMilliseconds: milliseconds, utcOffsetSeconds: offset), expected,
                           "\(milliseconds) \(offset)")
        }
    }

    func testAgreesWithGmtimeOnGeneratedInstants() {
        var random = SplitMix64(seed: 0x7157)
        for _ in 0..<50_000 {
            var seconds = time_t(Int64.random(in: -62_135_596_800...253_402_300_799, using: &random))
            var parts = tm()
            gmtime_r(&seconds, &parts)
            let expected = String(format: "%04d-%02d-%02d %02d:%02d:%02d.000", Int(parts.tm_year) + 1900,
                                  Int(parts.tm_mon) + 1, Int(parts.tm_mday), Int(parts.tm_hour), Int(parts.tm_min),
                                  Int(parts.tm_sec))
            let text = LogTimestamp.text(unixMilliseconds: Int64(seconds) * 1000, utcOffsetSeconds: 0)
            XCTAssertEqual(text, expected, "\(seconds)")
            if text != expected { break }
        }
    }
}
