import Dispatch
import Foundation
import Synchronization

/// Runs CPU-heavy jobs (bcrypt) on Dispatch threads, at most `width` at a time, and lets async callers await
/// them. Jobs beyond the width wait in a FIFO list, so a storm of sign-ins queues here instead of occupying every
/// thread of Swift's cooperative pool (which serves every other request). Idle, it holds no thread.
public final class BoundedWorkQueue: Sendable {
    /// Most jobs running at once.
    public let width: Int
    private let state: Mutex<State>
    private let queue: DispatchQueue

    private struct State {
        var running = 0
        var waiting: [@Sendable () -> Void] = []
        var waitingHead = 0
    }

    public init(width: Int, label: String) {
        self.width = max(1, width)
        state = Mutex(State())
        queue = DispatchQueue(label: label, qos: .userInitiated, attributes: .concurrent)
    }

    /// Half the processors (at least one): the rest stay free for requests.
    public static var defaultWidth: Int { max(1, ProcessInfo.processInfo.activeProcessorCount / 2) }

    /// Runs `job` when a slot is free and returns its result.
    public func run<T: Sendable>(_ job: @escaping @Sendable () throws -> T) async throws -> T {
        try await withCheckedThrowingContinuation { continuation in
            submit { continuation.resume(with: Result { try job() }) }
        }
    }

    /// Runs a job that cannot fail.
    public func run<T: Sendable>(_ job: @escaping @Sendable () -> T) async -> T {
        await withCheckedContinuation { continuation in
            submit { continuation.resume(returning: job()) }
        }
    }

    private func submit(_ job: @escaping @Sendable () -> Void) {
        let startNow = state.withLock { state -> Bool in
            guard state.running < width else {
                state.waiting.append(job)
                return false
            }
            state.running += 1
            return true
        }
        if startNow { start(job) }
    }

    /// Runs `job`, then the waiting jobs one after the other on the same slot until none is left.
    private func start(_ job: @escaping @Sendable () -> Void) {
        queue.async {
            var next: (@Sendable () -> Void)? = job
            while let current = next {
                current()
                next = self.state.withLock { state -> (@Sendable () -> Void)? in
                    guard state.waitingHead < state.waiting.count else {
                        state.waiting.removeAll(keepingCapacity: false)
                        state.waitingHead = 0
                        state.running -= 1
                        return nil
                    }
                    let job = state.waiting[state.waitingHead]
                    state.waitingHead += 1
                    return job
                }
            }
        }
    }
}
