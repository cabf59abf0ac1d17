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

    func testPagesSplice_replacesEveryMarkerOnce() {
        let marker = Pages.contentMarker
        XCTAssertEqual(String(decoding: Pages.splice("PAGE", into: "<main>\(marker)</main>"), as: UTF8.self), "<main>PAGE</main>")
        XCTAssertEqual(String(decoding: Pages.splice("P", into: "\(marker)-\(marker)"), as: UTF8.self), "P-P")
        XCTAssertEqual(String(decoding: Pages.splice("P", into: "no content <!--hxstakepool"), as: UTF8.self),
                       "no content <!--hxstakepool", "a layout without Content (or a partial marker) is kept as is")
        XCTAssertEqual(String(decoding: Pages.splice("P", into: ""), as: UTF8.self), "")
    }
}
