import PoolSystem
import XCTest

/// Which environments get the web app's heap retention (applying it is process-wide, so the executable's own test,
/// `WebAppExecutableWiringTests.testHeapRetention_…`, checks that `hxstakepool` applies it).
final class HeapRetentionTests: XCTestCase {
    func testDecision_retainsUnlessTheOperatorsTunablesSetAMallocThreshold() {
        XCTAssertEqual(HeapRetention.decision(environment: [:]), .retain)
        XCTAssertEqual(HeapRetention.decision(environment: ["GLIBC_TUNABLES": "glibc.pthread.rseq=0"]), .retain)
        XCTAssertEqual(HeapRetention.decision(environment: ["GLIBC_TUNABLES": "glibc.malloc.trim_threshold=1048576"]),
                       .leftToTunables)
        XCTAssertEqual(HeapRetention.decision(environment: ["GLIBC_TUNABLES": "glibc.pthread.rseq=0:glibc.malloc.mmap_threshold=65536"]),
                       .leftToTunables)
    }

    func testThresholds_boundedBelowTheStartupReplies() {
        // A million users' listscripts reply is hundreds of MB: it must stay a mapping of its own, given back on free.
        XCTAssertLessThanOrEqual(HeapRetention.mmapThreshold, 32 << 20)
        XCTAssertLessThanOrEqual(HeapRetention.trimThreshold, 64 << 20)
        XCTAssertGreaterThan(HeapRetention.mmapThreshold, 8 << 20, "a 10,000-ticket page's buffers come from the heap")
    }
}
