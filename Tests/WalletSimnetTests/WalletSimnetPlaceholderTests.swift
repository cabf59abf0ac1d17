import XCTest
@testable import WalletSimnet

final class WalletSimnetPlaceholderTests: XCTestCase {
    func testModuleLinks() { XCTAssertNotNil(WalletSimnetModule.self as Any.Type) }
}
