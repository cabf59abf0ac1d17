import Foundation

/// The time at the start of a log entry, `2006-01-02 15:04:05.000` in local time. Computed from the Unix time and
/// the zone's offset by calendar arithmetic (proleptic Gregorian), so the kernel needs no C time functions.
enum LogTimestamp {
    static func now() -> String {
        let date = Date()
        let milliseconds = Int64((date.timeIntervalSince1970 * 1000).rounded(.down))
        return text(unixMilliseconds: milliseconds, utcOffsetSeconds: TimeZone.current.secondsFromGMT(for: date))
    }

    static func text(unixMilliseconds: Int64, utcOffsetSeconds: Int) -> String {
        let local = unixMilliseconds + Int64(utcOffsetSeconds) * 1000
        let (days, millisecondOfDay) = floorDivision(local, 86_400_000)
        let (year, month, day) = civilDate(daysSince1970: days)
        let second = millisecondOfDay / 1000
        return String(format: "%04d-%02d-%02d %02d:%02d:%02d.%03d", year, month, day,
                      Int(second / 3600), Int(second / 60 % 60), Int(second % 60), Int(millisecondOfDay % 1000))
    }

    /// Year, month (1-12) and day (1-31) of a day count from 1970-01-01. Counts in 400-year eras (146,097 days)
    /// of years that start on 1 March, so the leap day is the last day of a year.
    static func civilDate(daysSince1970: Int64) -> (year: Int, month: Int, day: Int) {
        let (era, dayOfEra) = floorDivision(daysSince1970 + 719_468, 146_097)  // 719,468: 0000-03-01 to 1970-01-01
        let yearOfEra = (dayOfEra - dayOfEra / 1460 + dayOfEra / 36_524 - dayOfEra / 146_096) / 365
        let dayOfYear = dayOfEra - (365 * yearOfEra + yearOfEra / 4 - yearOfEra / 100)
        let monthFromMarch = (5 * dayOfYear + 2) / 153
        let day = dayOfYear - (153 * monthFromMarch + 2) / 5 + 1
        let month = monthFromMarch < 10 ? monthFromMarch + 3 : monthFromMarch - 9
        let year = era * 400 + yearOfEra + (month <= 2 ? 1 : 0)
        return (Int(year), Int(month), Int(day))
    }

    private static func floorDivision(_ value: Int64, _ divisor: Int64) -> (quotient: Int64, remainder: Int64) {
        let remainder = (value % divisor + divisor) % divisor
        return ((value - remainder) / divisor, remainder)
    }
}
