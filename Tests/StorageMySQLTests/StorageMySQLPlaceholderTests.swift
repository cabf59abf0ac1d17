import XCTest
@testable import StorageMySQL

final class StorageMySQLPlaceholderTests: XCTestCase {
    func testModuleLinks() { XCTAssertNotNil(StorageMySQLModule.self as Any.Type) }
}
