import Foundation
import Synchronization

/// Runs services in registration order and stops them in reverse order.
///
/// Shutdown (via `shutdown()`, a signal the host routes here, or a service failing) cancels the
/// services one at a time from the last to the first, waiting at most `gracePeriod` for each one
/// before moving on, so a stuck service cannot hold the process forever.
public final class ServiceGroup: Sendable {
    private struct Running {
        var tasks: [(name: String, task: Task<Void, any Error>)] = []
        var stopping = false
        var firstFailure: (any Error)?
    }
    private let services: [any EngineService]
    private let logger: Logger
    private let gracePeriod: Duration
    private let state = Mutex(Running())
    private let finished = AsyncStream<Void>.makeStream()
    /// Names in the order they were stopped (for tests and the shutdown log line).
    private let stopOrder = Mutex<[String]>([])

    public init(services: [any EngineService], logger: Logger, gracePeriod: Duration = .seconds(10)) {
        self.services = services
        self.logger = logger
        self.gracePeriod = gracePeriod
    }

    /// Starts every service and returns once all have stopped. Rethrows the first failure.
    public func run() async throws {
        for service in services {
            // Checked and recorded in one step: a shutdown requested while the group is starting (a signal during
            // start-up) must not start the remaining services, whose tasks nobody would cancel.
            let task: Task<Void, any Error>? = state.withLock { running in
                if running.stopping { return nil }
                let task = Task<Void, any Error> { [logger] in
                    do {
                        try await service.run()
                    } catch is CancellationError {
                    } catch {
                        logger.error("service \(service.name) failed: \(error)")
                        throw error
                    }
                }
                running.tasks.append((service.name, task))
                return task
            }
            guard let task else { break }
            logger.debug("started service \(service.name)")
            watch(service.name, task)
        }
        // Wait until shutdown has completed.
        for await _ in finished.stream { break }
        if let failure = state.withLock({ $0.firstFailure }) { throw failure }
    }

    /// Requests a graceful stop. Safe to call more than once, from any thread.
    public func shutdown() {
        let tasks: [(name: String, task: Task<Void, any Error>)]? = state.withLock { running in
            if running.stopping { return nil }
            running.stopping = true
            return running.tasks
        }
        guard let tasks else { return }
        Task { [self] in
            for entry in tasks.reversed() {
                entry.task.cancel()
                let done = await waitFor(entry.task, upTo: gracePeriod)
                if !done { logger.warn("service \(entry.name) did not stop within \(gracePeriod); moving on") }
                stopOrder.withLock { $0.append(entry.name) }
                logger.debug("stopped service \(entry.name)")
            }
            finished.continuation.yield()
            finished.continuation.finish()
        }
    }

    /// The order in which services were stopped during the last shutdown.
    public var stoppedInOrder: [String] { stopOrder.withLock { $0 } }

    /// A service that fails (throws) stops the whole group; one that returns on its own is just done.
    private func watch(_ name: String, _ task: Task<Void, any Error>) {
        Task { [self] in
            do {
                try await task.value
            } catch {
                let shouldStop = state.withLock { running -> Bool in
                    if running.firstFailure == nil, !(error is CancellationError) { running.firstFailure = error }
                    return !running.stopping
                }
                if shouldStop { shutdown() }
            }
        }
    }

    private func waitFor(_ task: Task<Void, any Error>, upTo limit: Duration) async -> Bool {
        await withTaskGroup(of: Bool.self) { group in
            group.addTask { _ = try? await task.value; return true }
            group.addTask { try? await Task.sleep(for: limit); return false }
            let first = await group.next() ?? false
            group.cancelAll()
            return first
        }
    }
}
