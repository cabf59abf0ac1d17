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
