import Foundation

/// Progress of one long sync step, logged with counts, rate and ETA at most every `interval` seconds.
final class SyncProgress: Sendable {
    private struct State {
        var done = 0
        var lastLog: Date
    }

    let step: String
    let total: Int
    let interval: TimeInterval
    let logger: Logger
    let started: Date
    private let state: LockedValue<State>

    init(step: String, total: Int, interval: TimeInterval, logger: Logger) {
        self.step = step
        self.total = total
        self.interval = interval
        self.logger = logger
        started = Date()
        state = LockedValue(State(lastLog: started))
        if total > 0 { logger.info("startup sync: \(step): \(total) to do") }
    }

    func advance(by count: Int = 1) {
        let now = Date()
        let line: String? = state.withLock { state in
            state.done += count
            guard now.timeIntervalSince(state.lastLog) >= interval, state.done < total else { return nil }
            state.lastLog = now
            return describe(done: state.done, now: now)
        }
        if let line { logger.info(line) }
    }

    func finish() {
        guard total > 0 else { return }
        let done = state.value.done
        let seconds = Date().timeIntervalSince(started)
        logger.info("startup sync: \(step): \(done)/\(total) done in \(String(format: "%.1f", seconds)) s")
    }

    private func describe(done: Int, now: Date) -> String {
        let elapsed = max(now.timeIntervalSince(started), 0.001)
        let rate = Double(done) / elapsed
        let eta = rate > 0 ? Double(total - done) / rate : 0
        let percent = total > 0 ? done * 100 / total : 100
        return "startup sync: \(step): \(done)/\(total) (\(percent)%), \(Int(rate))/s, ETA \(Int(eta.rounded())) s"
    }
}

/// Runs `body` for every item with at most `limit` in flight; the first error cancels the rest and is thrown.
func forEachConcurrently<Item: Sendable>(_ items: [Item], limit: Int,
                                         _ body: @escaping @Sendable (Item) async throws -> Void) async throws {
    try await withThrowingTaskGroup(of: Void.self) { group in
        var iterator = items.makeIterator()
        for _ in 0..<max(1, limit) {
            guard let item = iterator.next() else { break }
            group.addTask { try await body(item) }
        }
        while try await group.next() != nil {
            if let item = iterator.next() { group.addTask { try await body(item) } }
        }
    }
}
