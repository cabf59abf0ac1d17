import Foundation

/// The user ids a test control server received, in order.
package final class LockedBox: @unchecked Sendable {
    // @unchecked: `storage` is only touched under `lock`.
    private let lock = NSLock()
    private var storage: [Int64] = []
    package init() {}
    package func append(_ value: Int64) { lock.withLock { storage.append(value) } }
    package var values: [Int64] { lock.withLock { storage } }
}
