import Foundation

/// When to try reconnecting a wallet that went down: `base × attempt`, capped (stakepoold's rule: 5 s × n,
/// at most 60 s). A plain value, one per wallet.
struct ReconnectBackoff: Sendable, Equatable {
    let base: TimeInterval
    let cap: TimeInterval
    private(set) var attempts = 0
    private(set) var nextAttempt: Date?

    init(base: TimeInterval, cap: TimeInterval) {
        self.base = base
        self.cap = cap
    }

    /// Whether an attempt is due now (the first one is due immediately).
    func isDue(now: Date) -> Bool { nextAttempt.map { now >= $0 } ?? true }

    /// Records a failed attempt and schedules the next one.
    mutating func failed(now: Date) {
        attempts += 1
        nextAttempt = now.addingTimeInterval(min(base * Double(attempts), cap))
    }

    /// Forgets the failures (the wallet is back).
    mutating func reset() {
        attempts = 0
        nextAttempt = nil
    }
}
