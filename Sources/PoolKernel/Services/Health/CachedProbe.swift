import Foundation

/// A dependency check whose answer is cached for `maxAge`, so `/health` polled by many load balancers costs
/// the dependency at most one cheap request per `maxAge`. A check that does not answer within `timeout`
/// counts as failed (the blocked call finishes in the background; it is not started again meanwhile).
public final class CachedProbe: Sendable {
    public struct Result: Sendable, Equatable {
        public var ok: Bool
        /// Why it failed (empty when ok).
        public var detail: String
        public var checkedAt: Date
    }

    private struct State {
        var last: Result?
        var inFlight = false
    }

    let maxAge: TimeInterval
    let timeout: Duration
    let clock: @Sendable () -> Date
    let check: @Sendable () async throws -> Void
    private let state = LockedValue(State())

    public init(maxAge: TimeInterval = 2, timeout: Duration = .seconds(2), clock: @escaping @Sendable () -> Date = { Date() },
                check: @escaping @Sendable () async throws -> Void) {
        self.maxAge = maxAge
        self.timeout = timeout
        self.clock = clock
        self.check = check
    }

    /// The last result without checking (nil before the first check).
    public var last: Result? { state.value.last }

    /// The cached result if fresh, else a new check (bounded by `timeout`).
    public func result() async -> Result {
        let now = clock()
        let cached: Result?? = state.withLock { state in
            if let last = state.last, now.timeIntervalSince(last.checkedAt) < maxAge { return .some(last) }
            if state.inFlight { return .some(state.last) }
            state.inFlight = true
            return .none
        }
        if let cached {
            return cached ?? Result(ok: false, detail: "first check still running", checkedAt: now)
        }
        let outcome = await runBounded()
        let result = Result(ok: outcome == nil, detail: outcome ?? "", checkedAt: clock())
        state.withLock {
            $0.last = result
            $0.inFlight = false
        }
        return result
    }

    /// nil when the check passed, else why not.
    private func runBounded() async -> String? {
        let check = self.check
        let timeout = self.timeout
        let answer = HandOff()
        let work = Task {
            do {
                try await check()
                answer.deliver(nil)
            } catch {
                answer.deliver((error as? any CodedError)?.message ?? "\(error)")
            }
        }
        let timer = Task {
            try? await Task.sleep(for: timeout)
            answer.deliver("no answer within \(timeout)")
        }
        let result = await answer.value()
        timer.cancel()
        _ = work
        return result
    }

    /// The first of several deliveries wins.
    private final class HandOff: Sendable {
        private let state = LockedValue<(delivered: Bool, value: String?, waiter: CheckedContinuation<String?, Never>?)>(
            (false, nil, nil))

        func deliver(_ value: String?) {
            let waiter = state.withLock { state -> CheckedContinuation<String?, Never>? in
                guard !state.delivered else { return nil }
                state.delivered = true
                state.value = value
                defer { state.waiter = nil }
                return state.waiter
            }
            waiter?.resume(returning: value)
        }

        func value() async -> String? {
            await withCheckedContinuation { continuation in
                let ready = state.withLock { state -> (Bool, String?) in
                    if state.delivered { return (true, state.value) }
                    state.waiter = continuation
                    return (false, nil)
                }
                if ready.0 { continuation.resume(returning: ready.1) }
            }
        }
    }
}
