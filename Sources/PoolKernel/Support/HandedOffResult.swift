import Synchronization

/// The result of one job, handed from an owner thread to the task that submitted it. The task may first poll for a
/// few microseconds (`poll`) and only then suspend (`wait`): a short job's result is then picked up without
/// waking a parked cooperative-pool thread, which costs more than a short SQLite look-up itself.
///
/// `@unchecked Sendable`: `result` is written once before `state` leaves `running` (release) and read after
/// observing that (acquire); `continuation` likewise before `state` becomes `waiting`.
final class HandedOffResult<T: Sendable>: @unchecked Sendable {
    private static var running: Int { 0 }
    private static var finished: Int { 1 }
    private static var waiting: Int { 2 }

    private let state = Atomic<Int>(0)
    private var result: Result<T, any Error>?
    private var continuation: UnsafeContinuation<T, any Error>?

    /// On the owner thread: stores the result and resumes the task if it is already suspended.
    func deliver(_ result: Result<T, any Error>) {
        self.result = result
        let (exchanged, _) = state.compareExchange(expected: Self.running, desired: Self.finished,
                                                   ordering: .acquiringAndReleasing)
        if !exchanged { continuation!.resume(with: result) }  // the task is waiting: `continuation` is set
    }

    /// Whether the result has been delivered (then `wait` returns without suspending).
    var isFinished: Bool { state.load(ordering: .acquiring) == Self.finished }

    /// The result, suspending the task until it is delivered.
    func wait() async throws -> T {
        if isFinished { return try result!.get() }
        return try await withUnsafeThrowingContinuation { continuation in
            self.continuation = continuation
            let (exchanged, _) = state.compareExchange(expected: Self.running, desired: Self.waiting,
                                                       ordering: .acquiringAndReleasing)
            if !exchanged { continuation.resume(with: result!) }  // delivered meanwhile
        }
    }
}
