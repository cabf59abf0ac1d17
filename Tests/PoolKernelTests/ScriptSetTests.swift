import PoolKernel
import XCTest

final class ScriptSetTests: XCTestCase {
    func testScriptSet_hexOfEitherCaseIsOneScriptAndDuplicatesAreKeptOnce() throws {
        var set = ScriptSet()
        XCTAssertEqual(set.insert(hex: "5121aBcD")?.inserted, true)
        XCTAssertEqual(set.insert(hex: "5121ABCD")?.inserted, false)
        XCTAssertEqual(set.insert(hex: "5121abcd")?.index, 0)
        XCTAssertEqual(set.insert([0x51, 0xae]).inserted, true)
        XCTAssertEqual(set.insert(hex: "51AE")?.inserted, false)
        XCTAssertEqual(set.count, 2)
        XCTAssertEqual(set.hex(0), "5121abcd")
        XCTAssertEqual(Array(set[1]), [0x51, 0xae])
        XCTAssertTrue(set.contains([0x51, 0x21, 0xab, 0xcd]))
        XCTAssertFalse(set.contains([0x51, 0x21, 0xab]), "a prefix is another script")
    }

    func testScriptSet_textThatIsNotHexIsRefusedAndLeavesTheSetAsItWas() {
        var set = ScriptSet()
        set.insert(hex: "51ae")
        for bad in ["5", "51a", "zz", "51ag", "51 ae", "５１"] {
            XCTAssertNil(set.insert(hex: bad), bad)
        }
        XCTAssertEqual(set.count, 1)
        XCTAssertEqual(set.insert(hex: "51")?.index, 1, "a refused text leaves no bytes behind")
        XCTAssertEqual(set.hex(1), "51")
        XCTAssertEqual(set.insert(hex: "")?.inserted, true, "the empty script is a script")
    }

    func testScriptSet_manyScriptsAreAllFoundAfterTheIndexGrows() throws {
        var set = ScriptSet()
        for n in 0..<20_000 { XCTAssertEqual(set.insert(hex: String(format: "5121%08x", n))?.index, n) }
        for n in 0..<20_000 { XCTAssertEqual(set.insert(hex: String(format: "5121%08X", n))?.inserted, false) }
        XCTAssertEqual(set.count, 20_000)
        XCTAssertEqual(set.index(of: try Hex.decode("5121000030ff")), 0x30ff)
        XCTAssertNil(set.index(of: [0x51, 0x21, 0, 1, 0, 0]))
    }

    func testScriptSet_orderIsTheOrderOfLowercaseHex() throws {
        let hexes = ["51", "5100", "ae", "00ff", "0f", "", "51ae", "5121ff"]
        var set = ScriptSet()
        for hex in hexes { set.insert(hex: hex) }
        let sorted = (0..<set.count).sorted(by: set.precedes).map(set.hex)
        XCTAssertEqual(sorted, hexes.sorted())
    }
}
