import PoolKernel
import VotePolicies
import XCTest

final class UserPrefsPolicyTests: XCTestCase {
    func testUserPrefsPolicy_placeholder() { XCTAssertEqual(UserPrefsPolicy().name, "userprefs") }
}
