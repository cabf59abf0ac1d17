import Synchronization

/// The result of one job, handed from the thread that produced it (a connection's owner thread, an RPC reader) to
/// the task waiting for it. The task may first poll for some microseconds (`poll`) and only then suspend (`wait`):
/// a result that arrives meanwhile is picked up without waking a parked cooperative-pool thread, which costs more
/// than a short SQLite look-up itself. Exactly one `deliver` per instance.
///
/// `@unchecked Sendable`: `result` is written once before `state` leaves `running` (release) and read after
/// observing that (acquire); `continuation` likewise before `state` becomes `waiting`.
public final class HandedOffResult<T: Sendable>: @unchecked Sendable {
    private static var running: Int { 0 }
    private static var finished: Int { 1 }
    private static var waiting: Int { 2 }

    private let state = Atomic<Int>(0)
    private var result: Result<T, any Error>?
    private var continuation: UnsafeContinuation<T, any Error>?

    public init() {}

    /// On the producing thread: stores the result and resumes the task if it is already suspended.
    public func deliver(_ result: Result<T, any Error>) {
        self.result = result
        let (exchanged, _) = state.compareExchange(expected: Self.running, desired: Self.finished,
                                                   ordering: .acquiringAndReleasing)
        if !exchanged { continuation!.resume(with: result) }  // the task is waiting: `continuation` is set
    }

    /// Whether the result has been delivered (then `wait` returns without suspending).
    public var isFinished: Bool { state.load(ordering: .acquiring) == Self.finished }

    /// Polls for the result for up to `nanoseconds` (`SpinWait`, pure polling for the first `eager`). Returns
    /// whether it has arrived.
    @discardableResult
    public func poll(for nanoseconds: UInt64, eager: UInt64 = 0) -> Bool {
        SpinWait.poll(for: nanoseconds, eager: eager) { isFinished }
    }

    /// The result, suspending the task until it is delivered.
    public func wait() async throws -> T {
        if isFinished { return try result!.get() }
        return try await withUnsafeThrowingContinuation { continuation in
            self.continuation = continuation
            let (exchanged, _) = state.compareExchange(expected: Self.running, desired: Self.waiting,
                                                       ordering: .acquiringAndReleasing)
            if !exchanged { continuation.resume(with: result!) }  // delivered meanwhile
        }
    }
}
