import Dispatch
import Foundation
import Glibc
import Synchronization

/// A dedicated thread that owns one blocking C handle (a database connection): jobs run on it one at a time, in
/// the order submitted, so the handle has exactly one owner and blocking calls never run on Swift's cooperative
/// pool.
///
/// Why not a serial `DispatchQueue`: a queue's worker thread parks as soon as the queue is empty, so a caller that
/// issues one short call after another (a look-up per request) pays a thread wake-up (~15 µs on a VM) per call —
/// more than the SQLite look-up itself. This thread spins for up to `spinLimit` after a batch that arrived within
/// that window of the previous one (calls coming back to back) or that held a short job a caller awaits (`run`: a
/// request often makes several calls in a row), and parks otherwise: an isolated call costs at most one
/// `spinLimit` of CPU, an idle pool nothing.
///
/// `@unchecked Sendable`: the job list and flags are guarded by `mutex`; the counters are atomic.
public final class OwnerThread: @unchecked Sendable {
    private let mutex: UnsafeMutablePointer<pthread_mutex_t>
    private let wakeUp: UnsafeMutablePointer<pthread_cond_t>
    /// A queued job; `countsItself` jobs take themselves off `load` (before resuming their caller).
    private typealias Job = (run: @Sendable () -> Void, countsItself: Bool)
    /// Guarded by `mutex`.
    private var jobs: [Job] = []
    private var firstQueuedAt: UInt64 = 0
    private var isParked = false
    private var isStopping = false
    private var hasExited = false
    /// How long the work of the last `run` job took (callers poll for results only while jobs are short).
    private let recentJobNanoseconds = Atomic<UInt64>(0)
    /// Jobs queued or running; read by `isIdle` and by the spinning thread (between batches every job has
    /// finished, so a non-zero count means a new job).
    private let load = Atomic<Int>(0)
    /// `run` results picked up by polling / by suspending the caller (see `handOffCounts`).
    private let polledResults = Atomic<Int>(0)
    private let suspendedCallers = Atomic<Int>(0)
    /// The owning thread's id (0 until it starts).
    private let threadId = Atomic<UInt>(0)
    private let spinNanoseconds: UInt64
    private let name: String

    /// Starts the thread. `name` shows in `top -H` and debuggers (at most 15 characters are kept).
    public init(name: String, spinLimit: Duration = .microseconds(50)) {
        let (seconds, attoseconds) = spinLimit.components
        spinNanoseconds = UInt64(max(0, seconds)) * 1_000_000_000 + UInt64(max(0, attoseconds / 1_000_000_000))
        mutex = .allocate(capacity: 1)
        mutex.initialize(to: pthread_mutex_t())
        pthread_mutex_init(mutex, nil)
        wakeUp = .allocate(capacity: 1)
        wakeUp.initialize(to: pthread_cond_t())
        pthread_cond_init(wakeUp, nil)
        self.name = String(name.prefix(15))
        let box = Unmanaged.passRetained(self).toOpaque()
        var thread = pthread_t()
        let rc = pthread_create(&thread, nil, { raw in
            let owner = Unmanaged<OwnerThread>.fromOpaque(raw!).takeRetainedValue()
            owner.loop()
            return nil
        }, box)
        precondition(rc == 0, "cannot start owner thread \(name): error \(rc)")
        pthread_detach(thread)
    }

    deinit {
        pthread_cond_destroy(wakeUp)
        wakeUp.deallocate()
        pthread_mutex_destroy(mutex)
        mutex.deallocate()
    }

    /// Whether no job is queued or running (a pool hands the next call to an idle owner, keeping one thread hot).
    public var isIdle: Bool { load.load(ordering: .relaxed) == 0 }

    /// The first idle owner among `candidates`, else the one `rotation` points at (callers pass a counter).
    public static func pick<Candidate>(_ candidates: [Candidate], owner: (Candidate) -> OwnerThread,
                                       rotation: Int) -> Candidate {
        candidates.first { owner($0).isIdle } ?? candidates[Int(UInt(bitPattern: rotation) % UInt(candidates.count))]
    }

    /// Whether the caller is running on this owner thread.
    public var isCurrent: Bool { threadId.load(ordering: .acquiring) == UInt(pthread_self()) }

    /// Queues `job`. Returns false (and drops the job) once the thread has been stopped and has exited.
    @discardableResult
    public func submit(_ job: @escaping @Sendable () -> Void) -> Bool { enqueue((job, false)).queued }

    /// Queues `job` unless the thread has exited; `ahead`: the jobs queued or running before it.
    private func enqueue(_ job: Job) -> (queued: Bool, ahead: Int) {
        pthread_mutex_lock(mutex)
        if hasExited {
            pthread_mutex_unlock(mutex)
            return (false, 0)
        }
        let ahead = load.add(1, ordering: .releasing).oldValue
        if jobs.isEmpty { firstQueuedAt = DispatchTime.now().uptimeNanoseconds }
        jobs.append(job)
        let wake = isParked
        pthread_mutex_unlock(mutex)
        if wake { pthread_cond_signal(wakeUp) }
        return (true, ahead)
    }

    /// Runs `work` on this thread and returns its result to the awaiting task; `stopped` is thrown when the thread
    /// has already exited.
    ///
    /// When at most one job was ahead of this one and recent jobs were short, the task polls for the result
    /// (yielding the core in between) for up to `spinLimit` before it suspends: resuming a suspended task wakes a
    /// parked cooperative-pool thread, which costs more than the look-up. (Polling behind one job, not only on an
    /// idle thread, lifted 4 callers over 2 SQLite readers from about 52k to 64k look-ups/s on 2 cores.) The C
    /// call itself never runs on the caller.
    public func run<T: Sendable>(orThrow stopped: @autoclosure () -> any Error,
                                 _ work: @escaping @Sendable () throws -> T) async throws -> T {
        let handOff = HandedOffResult<T>()
        let (queuedJob, ahead) = enqueue(({
            let startedAt = DispatchTime.now().uptimeNanoseconds
            let result = Result { try work() }
            // The work alone: timing `deliver` too would count the wake-up of a suspended caller, and a caller
            // that then stops polling makes every later delivery a wake-up — a slow mode that never ends.
            self.recentJobNanoseconds.store(DispatchTime.now().uptimeNanoseconds &- startedAt, ordering: .relaxed)
            // Idle again before the caller resumes, so its next call picks this (warm, spinning) thread.
            self.load.subtract(1, ordering: .relaxed)
            handOff.deliver(result)
        }, true))
        guard queuedJob else { throw stopped() }
        if ahead <= 1 && isShort(recentJobNanoseconds.load(ordering: .relaxed)) {
            handOff.poll(for: spinNanoseconds, eager: SpinWait.twoThreadEagerNanoseconds)
        }
        if handOff.isFinished {
            polledResults.add(1, ordering: .relaxed)
        } else {
            suspendedCallers.add(1, ordering: .relaxed)
        }
        return try await handOff.wait()
    }

    /// How `run` callers got their results so far: by polling (cheap) or by suspending until the result woke them
    /// (a thread wake-up each). For diagnostics and tests of the fast path.
    public var handOffCounts: (polled: Int, suspended: Int) {
        (polledResults.load(ordering: .relaxed), suspendedCallers.load(ordering: .relaxed))
    }

    /// Whether a job of this length is worth polling (and spinning) for.
    private func isShort(_ jobNanoseconds: UInt64) -> Bool { jobNanoseconds < spinNanoseconds / 2 }

    /// Lets the thread finish the jobs already queued, then exit. Idempotent.
    public func stop() {
        pthread_mutex_lock(mutex)
        isStopping = true
        pthread_mutex_unlock(mutex)
        pthread_cond_signal(wakeUp)
    }

    /// Runs `finalJob` on the thread after the jobs already queued (not at all if the thread has exited), then lets
    /// the thread exit.
    public func stop(after finalJob: @escaping @Sendable () -> Void) async {
        await withUnsafeContinuation { (continuation: UnsafeContinuation<Void, Never>) in
            let queued = submit {
                finalJob()
                continuation.resume()
            }
            if !queued { continuation.resume() }
        }
        stop()
    }

    private func loop() {
        Thread.current.name = name  // Foundation sets the kernel's thread name (seen in `top -H`)
        threadId.store(UInt(pthread_self()), ordering: .releasing)
        var lastFinishedAt: UInt64 = 0
        var spinWindow: UInt64 = 0
        var batch: [Job] = []
        while true {
            if spinWindow > 0 {
                _ = SpinWait.poll(for: spinWindow, eager: SpinWait.twoThreadEagerNanoseconds) {
                    load.load(ordering: .acquiring) > 0
                }
            }
            pthread_mutex_lock(mutex)
            while jobs.isEmpty && !isStopping {
                isParked = true
                pthread_cond_wait(wakeUp, mutex)
                isParked = false
            }
            if jobs.isEmpty {
                hasExited = true
                pthread_mutex_unlock(mutex)
                return
            }
            swap(&batch, &jobs)  // both keep their buffers: no allocation per batch
            let arrivedAt = firstQueuedAt
            pthread_mutex_unlock(mutex)
            let backToBack = arrivedAt &- lastFinishedAt <= spinNanoseconds || arrivedAt < lastFinishedAt
            var awaited = false
            for job in batch {
                job.run()
                if !job.countsItself { load.subtract(1, ordering: .relaxed) }
                awaited = awaited || job.countsItself
            }
            lastFinishedAt = DispatchTime.now().uptimeNanoseconds
            // Also after a short job a caller awaited (the caller polls for those): when a slow wake-up brought it
            // back later than the window, parking now would make its next call slow too, a slow mode that feeds
            // itself. Not after long jobs (a network round trip): spinning then only takes a core from others.
            spinWindow = backToBack || (awaited && isShort(recentJobNanoseconds.load(ordering: .relaxed)))
                ? spinNanoseconds : 0
            batch.removeAll(keepingCapacity: true)
        }
    }
}
