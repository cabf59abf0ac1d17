/// A point in monotonic time after which a blocking network operation gives up (nil = never).
struct Deadline: Sendable {
    let instant: ContinuousClock.Instant?

    init(timeout: Duration?) {
        instant = timeout.map { ContinuousClock.now.advanced(by: $0) }
    }

    static let never = Deadline(timeout: nil)

    var hasPassed: Bool { instant.map { ContinuousClock.now >= $0 } ?? false }

    /// Milliseconds left for `poll` (−1 = wait forever), at least 0, rounded up so we don't spin.
    var pollMilliseconds: Int32 {
        guard let instant else { return -1 }
        let left = ContinuousClock.now.duration(to: instant)
        if left <= .zero { return 0 }
        let (seconds, attoseconds) = left.components
        let millis = seconds * 1000 + (attoseconds + 999_999_999_999_999) / 1_000_000_000_000_000
        return Int32(clamping: millis)
    }
}
