import XCTest
@testable import PoolHost

final class PoolHostPlaceholderTests: XCTestCase {
    func testModuleLinks() { XCTAssertNotNil(PoolHostModule.self as Any.Type) }
}
