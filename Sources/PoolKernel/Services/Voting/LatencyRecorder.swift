import Synchronization

/// Keeps the most recent `capacity` latency samples (seconds) and answers percentiles over them.
/// Used for the vote log summary, `poolctl simulate` and the benchmarks.
public final class LatencyRecorder: Sendable {
    private struct Ring {
        var samples: [Double] = []
        var next = 0
        var total = 0
    }
    private let ring = Mutex(Ring())
    public let capacity: Int

    public init(capacity: Int = 100_000) {
        self.capacity = max(1, capacity)
    }

    public func record(_ seconds: Double) {
        ring.withLock { ring in
            if ring.samples.count < capacity {
                ring.samples.append(seconds)
            } else {
                ring.samples[ring.next] = seconds
                ring.next = (ring.next + 1) % capacity
            }
            ring.total += 1
        }
    }

    public func record(_ duration: Duration) { record(duration.seconds) }

    /// The retained samples (unordered).
    public var samples: [Double] { ring.withLock { $0.samples } }

    /// Number of samples ever recorded.
    public var count: Int { ring.withLock { $0.total } }

    /// The `p`-th percentile (0…100, nearest rank) of the retained samples, or 0 with no samples.
    public func percentile(_ p: Double) -> Double {
        let sorted = ring.withLock { $0.samples }.sorted()
        return Self.percentile(p, ofSorted: sorted)
    }

    /// Nearest-rank percentile of an ascending array.
    public static func percentile(_ p: Double, ofSorted sorted: [Double]) -> Double {
        guard !sorted.isEmpty else { return 0 }
        let rank = Int((p / 100 * Double(sorted.count)).rounded(.up))
        return sorted[min(sorted.count - 1, max(0, rank - 1))]
    }
}

extension Duration {
    /// The duration in seconds, as a floating-point value.
    public var seconds: Double {
        let parts = components
        return Double(parts.seconds) + Double(parts.attoseconds) / 1e18
    }
}
