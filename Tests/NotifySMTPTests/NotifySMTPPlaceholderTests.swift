import XCTest
@testable import NotifySMTP

final class NotifySMTPPlaceholderTests: XCTestCase {
    func testModuleLinks() { XCTAssertNotNil(NotifySMTPModule.self as Any.Type) }
}
