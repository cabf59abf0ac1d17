/// A long-running part of the engine (HTTP server, outbox delivery, wallet pool monitor, vote loop).
///
/// Implementation requirements:
/// - `run()` does the work and returns only when it is finished or its task is cancelled; it must
///   react to cancellation promptly (within the host's grace period) and release its resources.
/// - No work may start from an initializer: the host decides when `run()` begins.
/// - Throwing from `run()` means the service failed; the host then stops the other services.
public protocol EngineService: Sendable {
    /// A short name for logs (`web`, `outbox`, `wallets`).
    var name: String { get }
    func run() async throws
}

extension EngineService {
    /// The loop of a housekeeping service: runs `pass` at once and then every `interval` until the task is
    /// cancelled. A failed pass goes to `onFailure` (the next pass catches up); cancellation ends the loop.
    public func repeatPass(every interval: Duration, onFailure: (any Error) -> Void,
                           _ pass: () async throws -> Void) async {
        while !Task.isCancelled {
            do {
                try await pass()
            } catch is CancellationError {
                return
            } catch {
                onFailure(error)
            }
            do { try await Task.sleep(for: interval) } catch { return }
        }
    }
}
