import Foundation

/// Rate limit for operator alerts: at most one mail per key per `interval`. Alerts in between are held back
/// (the newest one is kept with a count) and sent by `flush` once the window has passed, so the operator always
/// learns the latest state without being flooded by a flapping wallet. A plain value; the caller locks it.
struct AlertRateLimiter: Sendable {
    struct Held: Sendable, Equatable {
        var alert: OperatorAlert
        var suppressed: Int
    }

    let interval: TimeInterval
    private var lastSent: [String: Date] = [:]
    private var held: [String: Held] = [:]

    init(interval: TimeInterval) { self.interval = interval }

    /// Returns the alert to send now (with the count of alerts held back before it), or nil when it is held.
    mutating func admit(_ alert: OperatorAlert, now: Date) -> Held? {
        let key = alert.rateKey
        if let last = lastSent[key], now.timeIntervalSince(last) < interval {
            let count = (held[key]?.suppressed ?? 0) + 1
            held[key] = Held(alert: alert, suppressed: count)
            return nil
        }
        lastSent[key] = now
        let previous = held.removeValue(forKey: key)?.suppressed ?? 0
        return Held(alert: alert, suppressed: previous)
    }

    /// Held alerts whose window has passed: the newest of each key, with how many were held back in total.
    mutating func flush(now: Date) -> [Held] {
        var due: [Held] = []
        for (key, entry) in held.sorted(by: { $0.key < $1.key }) {
            if let last = lastSent[key], now.timeIntervalSince(last) < interval { continue }
            held[key] = nil
            lastSent[key] = now
            due.append(entry)
        }
        return due
    }
}
