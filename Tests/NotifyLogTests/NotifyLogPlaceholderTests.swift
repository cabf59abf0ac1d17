import XCTest
@testable import NotifyLog

final class NotifyLogPlaceholderTests: XCTestCase {
    func testModuleLinks() { XCTAssertNotNil(NotifyLogModule.self as Any.Type) }
}
