import Synchronization

/// Runs an async operation against a deadline and returns at the deadline even when the operation ignores
/// cancellation (a hung wallet call must not hold a block's votes). The operation is cancelled then, and its
/// late result is dropped.
enum DeadlineRace {
    /// `.some(result)` if `operation` finished first, nil if `deadline` passed first.
    static func run<T: Sendable>(until deadline: ContinuousClock.Instant,
                                 _ operation: @escaping @Sendable () async -> T) async -> T? {
        await withCheckedContinuation { (continuation: CheckedContinuation<T?, Never>) in
            let race = Race(continuation)
            race.start(operation, deadline: deadline)
        }
    }

    /// Whoever finishes first resumes the continuation; the loser is cancelled.
    private final class Race<T: Sendable>: Sendable {
        private struct State {
            var continuation: CheckedContinuation<T?, Never>?
            var work: Task<Void, Never>?
            var timer: Task<Void, Never>?
        }
        private let state: Mutex<State>

        init(_ continuation: CheckedContinuation<T?, Never>) {
            state = Mutex(State(continuation: continuation))
        }

        func start(_ operation: @escaping @Sendable () async -> T, deadline: ContinuousClock.Instant) {
            let work = Task { self.finish(await operation()) }
            let timer = Task {
                try? await Task.sleep(until: deadline, clock: .continuous)
                if !Task.isCancelled { self.finish(nil) }
            }
            let finishedAlready = state.withLock { state -> Bool in
                state.work = work
                state.timer = timer
                return state.continuation == nil
            }
            // The operation may have finished before the timer was stored: stop the timer now.
            if finishedAlready { timer.cancel() }
        }

        private func finish(_ value: T?) {
            let taken = state.withLock { state -> (CheckedContinuation<T?, Never>, Task<Void, Never>?)? in
                guard let continuation = state.continuation else { return nil }
                state.continuation = nil
                return (continuation, value == nil ? state.work : state.timer)
            }
            guard let (continuation, loser) = taken else { return }
            continuation.resume(returning: value)
            loser?.cancel()
        }
    }
}
