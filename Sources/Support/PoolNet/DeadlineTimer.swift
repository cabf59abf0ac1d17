import Dispatch

/// One timer for many deadlines (a client's pending calls): it fires at the earliest deadline it was asked for,
/// runs `onFire`, which answers the next deadline still wanted (or nil), and then sleeps until asked again. With
/// nothing pending it is disarmed: an idle client has no timer wake-ups at all, unlike a reader that ticks.
///
/// Cheap on the hot path: `arm(at:)` touches the Dispatch timer only when the deadline is earlier than the one armed
/// (the first call after a quiet spell, or a call with a shorter timeout); calls with the usual timeout, one after
/// another, have later deadlines and leave it alone.
///
/// `@unchecked Sendable`: a Dispatch source may be scheduled and cancelled from any thread; `armed` is locked.
final class DeadlineTimer: @unchecked Sendable {
    private let source: any DispatchSourceTimer
    /// The deadline armed (`DispatchTime` uptime nanoseconds), nil when disarmed.
    private let armed = SpinningLock<UInt64?>(nil)
    /// Late by up to this much: lets the kernel batch the wake-up with others.
    private static let leewayNanoseconds = 1_000_000

    /// `onFire` runs on a Dispatch queue; it returns the next deadline to wait for (nil: none).
    init(label: String, onFire: @escaping @Sendable () -> ContinuousClock.Instant?) {
        source = DispatchSource.makeTimerSource(queue: DispatchQueue(label: label))
        source.setEventHandler { [armed, source] in
            armed.withLock { $0 = nil }
            guard let next = onFire() else { return }
            Self.arm(source, armed, at: next)
        }
        source.activate()
    }

    /// Makes sure the timer fires no later than `deadline`.
    func arm(at deadline: ContinuousClock.Instant) {
        Self.arm(source, armed, at: deadline)
    }

    /// Stops the timer for good (later `arm` calls do nothing).
    func cancel() { source.cancel() }

    /// The event handler holds the source: cancelling releases both.
    deinit { source.cancel() }

    private static func arm(_ source: any DispatchSourceTimer, _ armed: SpinningLock<UInt64?>,
                            at deadline: ContinuousClock.Instant) {
        let (seconds, attoseconds) = max(.zero, ContinuousClock.now.duration(to: deadline)).components
        let target = DispatchTime.now().uptimeNanoseconds &+ UInt64(seconds) * 1_000_000_000
            &+ UInt64(attoseconds / 1_000_000_000)
        // Scheduled under the lock: two threads arming at once must not leave the later deadline scheduled.
        armed.withLock { current in
            if let current, current <= target { return }
            current = target
            source.schedule(deadline: DispatchTime(uptimeNanoseconds: target), repeating: .never,
                            leeway: .nanoseconds(leewayNanoseconds))
        }
    }
}
