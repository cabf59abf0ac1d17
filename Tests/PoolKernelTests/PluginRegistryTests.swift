import XCTest
@testable import PoolKernel

final class PluginRegistryTests: XCTestCase {
    func testRegistry_buildsByNameCaseInsensitively() throws {
        var registry = PluginRegistry<String, Int>(kind: "storage", option: "storage")
        registry.register("sqlite") { "sqlite:\($0)" }
        registry.register("MySQL") { "mysql:\($0)" }
        XCTAssertEqual(try registry.make("SQLite", 1), "sqlite:1")
        XCTAssertEqual(try registry.make("mysql", 2), "mysql:2")
        XCTAssertEqual(registry.names, ["mysql", "sqlite"])
    }

    func testRegistry_unknownNameListsKnownNames() {
        var registry = PluginRegistry<String, Void>(kind: "storage", option: "storage")
        registry.register("sqlite") { "s" }
        registry.register("mysql") { "m" }
        XCTAssertThrowsError(try registry.make("postgres", ())) { error in
            let error = error as? ConfigError
            XCTAssertEqual(error?.code, .unknownPlugin)
            XCTAssertEqual(error?.message, "unknown storage plugin \"postgres\" in option storage (known: mysql, sqlite)")
        }
    }
}
