import XCTest
@testable import VotePolicies

final class VotePoliciesPlaceholderTests: XCTestCase {
    func testModuleLinks() { XCTAssertNotNil(VotePoliciesModule.self as Any.Type) }
}
