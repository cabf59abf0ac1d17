import XCTest
@testable import StorageSQLite

final class StorageSQLitePlaceholderTests: XCTestCase {
    func testModuleLinks() { XCTAssertNotNil(StorageSQLiteModule.self as Any.Type) }
}
