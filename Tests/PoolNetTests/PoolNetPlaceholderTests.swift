import XCTest
@testable import PoolNet

final class PoolNetPlaceholderTests: XCTestCase {
    func testModuleLinks() { XCTAssertNotNil(PoolNetModule.self as Any.Type) }
}
