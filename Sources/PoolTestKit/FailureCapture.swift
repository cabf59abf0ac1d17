import PoolKernel

/// Lets a test run a conformance suite against a deliberately broken backend and read the failures the suite
/// records, instead of failing itself: the test class overrides `recordFailure` to offer each failure here.
///
/// ```swift
/// override func recordFailure(withDescription description: String, inFile filePath: String,
///                             atLine lineNumber: Int, expected: Bool) {
///     if !capture.take(description) { super.recordFailure(withDescription: description, … ) }
/// }
/// ```
public final class FailureCapture: Sendable {
    /// Failures recorded while capturing (nil: not capturing, failures are recorded normally).
    private let captured = LockedValue<[String]?>(nil)

    public init() {}

    /// Keeps `description` and returns true while `failures(during:)` runs; false otherwise.
    public func take(_ description: String) -> Bool {
        captured.withLock { list in
            guard list != nil else { return false }
            list?.append(description)
            return true
        }
    }

    /// Runs `body`, returning the failures recorded meanwhile and the error it threw, if any.
    public func failures(during body: () async throws -> Void) async -> (failures: [String], thrown: (any Error)?) {
        captured.withLock { $0 = [] }
        var thrown: (any Error)?
        do { try await body() } catch { thrown = error }
        let failures = captured.withLock { list in defer { list = nil }; return list ?? [] }
        return (failures, thrown)
    }
}
