import XCTest
@testable import WebHost

final class HTMLByteWriterTests: XCTestCase {
    func testHTMLByteWriter_escapesTextKeepsMarkupWritesDecimals() {
        var writer = HTMLByteWriter(capacity: 64)
        writer.markup("<td>")
        writer.text("a<b>&\"c'é")
        writer.markup(bytes: Array("</td>".utf8))
        for value: UInt32 in [0, 9, 10, 4_294_967_295] {
            writer.decimal(value)
            writer.markup(" ")
        }
        XCTAssertEqual(writer.string, "<td>a&lt;b&gt;&amp;&#34;c&#39;é</td>0 9 10 4294967295 ")
    }

    private func assemble(_ layout: String, _ page: String, _ slots: [String] = []) -> String {
        String(decoding: Pages.assemble(layout: layout, page: page, slots: slots.map { Array($0.utf8) }), as: UTF8.self)
    }

    func testPagesAssemble_splicesPageAndSlots() {
        let page = Pages.slotMarker(0), one = Pages.slotMarker(1), two = Pages.slotMarker(2)
        XCTAssertEqual(assemble("<main>\(page)</main>", "PAGE"), "<main>PAGE</main>")
        XCTAssertEqual(assemble("\(page)-\(page)", "P"), "P-P")
        XCTAssertEqual(assemble("<main>\(page)</main>", "<t>\(two)|\(one)</t>", ["ROWS1", "ROWS2"]), "<main><t>ROWS2|ROWS1</t></main>")
        XCTAssertEqual(assemble("[\(page)]", "in page: \(page)"), "[in page: \(page)]", "the page cannot include itself")
    }

    func testPagesAssemble_keepsTextThatOnlyLooksLikeAMarker() {
        let partial = "no content <!--hxstakepool:slot:"
        XCTAssertEqual(assemble(partial, "P"), partial)
        XCTAssertEqual(assemble("<!--hxstakepool:slot:9-->", "P", ["A"]), "<!--hxstakepool:slot:9-->", "unknown slot")
        XCTAssertEqual(assemble("<!--hxstakepool:slot:-->x", "P"), "<!--hxstakepool:slot:-->x")
        XCTAssertEqual(assemble("<!--hxstakepool:slot:1->", "P", ["A"]), "<!--hxstakepool:slot:1->")
        XCTAssertEqual(assemble("", "P"), "")
    }
}
