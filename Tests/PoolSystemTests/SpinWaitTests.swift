import Dispatch
import PoolKernel
import PoolSystem
import Synchronization
import XCTest

/// `SpinWait.poll`: sees a flag another thread sets, and gives up only once its window has passed.
final class SpinWaitTests: XCTestCase {
    func testPollSeesAnotherThreadsFlagWithinTheWindow() {
        for eager in [UInt64(0), SpinWait.twoThreadEagerNanoseconds] {
            let flag = Atomic<Bool>(false)
            DispatchQueue.global().asyncAfter(deadline: .now() + .milliseconds(2)) { flag.store(true, ordering: .releasing) }
            let seen = SpinWait.poll(for: 2_000_000_000, eager: eager) { flag.load(ordering: .acquiring) }
            XCTAssertTrue(seen, "eager \(eager)")
        }
    }

    func testPollGivesUpOnlyAfterTheWindow() {
        let start = DispatchTime.now().uptimeNanoseconds
        var looks = 0
        let seen = SpinWait.poll(for: 3_000_000, eager: SpinWait.twoThreadEagerNanoseconds) {
            looks += 1
            return false
        }
        let elapsed = DispatchTime.now().uptimeNanoseconds - start
        XCTAssertFalse(seen)
        XCTAssertGreaterThanOrEqual(elapsed, 3_000_000)
        XCTAssertGreaterThan(looks, 1, "the condition is looked at repeatedly")
        XCTAssertTrue(SpinWait.poll(for: 0) { true }, "an already true condition needs no window")
    }
}
