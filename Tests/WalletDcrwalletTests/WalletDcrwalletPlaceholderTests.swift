import XCTest
@testable import WalletDcrwallet

final class WalletDcrwalletPlaceholderTests: XCTestCase {
    func testModuleLinks() { XCTAssertNotNil(WalletDcrwalletModule.self as Any.Type) }
}
