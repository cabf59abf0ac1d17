import Foundation

/// Turns the successive results of one dependency's checks (the database check, mail delivery attempts) into
/// the start and end of an outage the operator is told about: an outage begins after `failuresBeforeAlert`
/// failures in a row, or once the first failure of the row is `alertAfter` old; it ends with the next success.
/// A row of failures that ends before that is no outage (a blip). A plain value; its owner locks it.
public struct OutageTracker: Sendable {
    public enum Transition: Sendable, Equatable {
        /// The outage begins: failures in a row so far, since the first of them, the last error.
        case began(failures: Int, since: Date, detail: String)
        /// It is over: since when it lasted and for how long (`"4 min"`).
        case ended(since: Date, duration: String)
    }

    let failuresBeforeAlert: Int
    let alertAfter: TimeInterval?
    private var failures = 0
    private var firstFailure: Date?
    private var alerted = false

    /// - Parameters:
    ///   - failuresBeforeAlert: failures in a row that make an outage (1: the first failure).
    ///   - alertAfter: a row of failures this old is an outage however few they are; nil: count only.
    public init(failuresBeforeAlert: Int = 1, alertAfter: TimeInterval? = nil) {
        self.failuresBeforeAlert = max(1, failuresBeforeAlert)
        self.alertAfter = alertAfter
    }

    /// Whether an outage was told and has not ended.
    public var isOutage: Bool { alerted }

    /// Records one result; returns the transition it causes, if any.
    public mutating func record(ok: Bool, detail: String = "", now: Date) -> Transition? {
        if ok {
            defer {
                failures = 0
                firstFailure = nil
                alerted = false
            }
            guard alerted, let since = firstFailure else { return nil }
            return .ended(since: since, duration: IncidentBook.duration(now.timeIntervalSince(since)))
        }
        failures += 1
        let since = firstFailure ?? now
        firstFailure = since
        guard !alerted else { return nil }
        let old = alertAfter.map { now.timeIntervalSince(since) >= $0 } ?? false
        guard failures >= failuresBeforeAlert || old else { return nil }
        alerted = true
        return .began(failures: failures, since: since, detail: detail)
    }

    /// A time for messages (`2026-12-02T21:03:49Z`).
    public static func stamp(_ date: Date) -> String { IncidentBook.stamp(date) }
}
