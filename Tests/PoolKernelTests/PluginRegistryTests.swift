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

final class PluginSelectionTests: XCTestCase {
    private func values(_ file: [(String, String)], specs: [OptionSpec]) throws -> OptionValues {
        var values = OptionValues(specs: specs)
        for (line, (key, value)) in file.enumerated() { try values.set(key, value, source: .file(path: "/p/pool.conf", line: line + 1)) }
        return values
    }

    func testSelection_optionsCheckAndDefaultClaim() throws {
        var mail = PluginRegistry<String, PluginContext>(kind: "mail", option: "mail", defaultName: "", help: "Mail plugin")
        mail.fallbackName = "log"
        mail.register("log") { _ in "log" }
        mail.register("relay", options: [OptionSpec("relayhost", .string, default: "", help: "Relay host")],
                      check: { context, isSelected in
            let host = context.values.string("relayhost")
            if isSelected && host.isEmpty { throw ConfigError(.missingOption, "relayhost is not set in config") }
            if host.contains(" ") { throw ConfigError(.badValue, OptionChecks.prefix(context.values.source("relayhost")) + "relayhost has a space") }
        }, claimsDefault: { !$0.string("relayhost").isEmpty }) { _ in "relay" }

        let specs = mail.optionSpecs
        XCTAssertEqual(specs.map(\.name), ["mail", "relayhost"])
        XCTAssertEqual(specs[0].help, "Mail plugin: log, relay (empty: the one whose options are set, else log)")
        let context = { (values: OptionValues) in PluginContext(values: values, network: .simnet, params: .simnet, homeDir: "/h", dataDir: "/h/data") }

        XCTAssertEqual(mail.selectedName(try values([], specs: specs)), "log", "nothing claims it: the fallback")
        XCTAssertEqual(mail.selectedName(try values([("relayhost", "r:25")], specs: specs)), "relay", "its option set: it claims it")
        XCTAssertEqual(mail.selectedName(try values([("relayhost", "r:25"), ("mail", "LOG")], specs: specs)), "log")
        XCTAssertThrowsError(try mail.checkOptions(context(try values([("mail", "relay")], specs: specs)), selected: "relay")) {
            XCTAssertEqual(($0 as? ConfigError)?.message, "relayhost is not set in config")
        }
        XCTAssertThrowsError(try mail.checkOptions(context(try values([("mail", "log"), ("relayhost", "a b")], specs: specs)), selected: "log")) {
            XCTAssertEqual(($0 as? ConfigError)?.message, "pool.conf:2: relayhost has a space", "a set value is checked even unselected")
        }
        XCTAssertThrowsError(try mail.checkOptions(context(try values([("mail", "pigeon")], specs: specs)), selected: "pigeon")) {
            XCTAssertEqual(($0 as? ConfigError)?.message, "pool.conf:1: unknown mail plugin \"pigeon\" in option mail (known: log, relay)")
        }
    }

    func testSecrets_everySecretOptionsValue() throws {
        let specs = [OptionSpec("a", .string, secret: true, help: ""), OptionSpec("b", .list, secret: true, help: ""),
                     OptionSpec("c", .string, help: "")]
        XCTAssertEqual(Set(try values([("a", "s1"), ("b", "s2,s3"), ("c", "open")], specs: specs).secrets), ["s1", "s2", "s3"])
    }
}
