import XCTest
@testable import WebHost

final class WebHostPlaceholderTests: XCTestCase {
    func testModuleLinks() { XCTAssertNotNil(WebHostModule.self as Any.Type) }
}
