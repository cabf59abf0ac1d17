import Foundation
import XCTest
@testable import WebHost

final class TemplateEngineTests: XCTestCase {
    private func render(_ source: String, _ data: TemplateValue, extra: [String: String] = [:]) throws -> String {
        try TemplateSet(sources: extra.merging(["page": source]) { a, _ in a }).render("page", data)
    }

    func testTemplate_escapesScriptAndAttributes() throws {
        let out = try render(#"<p title="{{ v }}">{{ v }}</p>"#, ["v": "<script>alert('x')</script>\" onmouseover=\"x"])
        XCTAssertEqual(out, #"<p title="&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt;&#34; onmouseover=&#34;x">&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt;&#34; onmouseover=&#34;x</p>"#)
        XCTAssertFalse(out.contains("<script>"))
    }

    func testTemplate_rawOnlyForTrustedOrExplicit() throws {
        XCTAssertEqual(try render("{{ content }}|{{ raw text }}", ["content": .html("<b>ok</b>"), "text": "<i>"]), "<b>ok</b>|<i>")
    }

    func testTemplate_conditionalsAndComparisons() throws {
        let source = "{{ if user and user.verified }}hi {{ user.email }}{{ else if not user }}anon{{ else }}unverified{{ end }}"
        XCTAssertEqual(try render(source, ["user": ["email": "a@b", "verified": true]]), "hi a@b")
        XCTAssertEqual(try render(source, [:]), "anon")
        XCTAssertEqual(try render(source, ["user": ["email": "a@b", "verified": false]]), "unverified")
        XCTAssertEqual(try render(#"{{ if n == 3 }}three{{ end }}{{ if s != "x" }}notx{{ end }}{{ if n > 2 }}big{{ end }}"#, ["n": 3, "s": "y"]), "threenotxbig")
    }

    func testTemplate_nestedLoopsWithIndexAndEmpty() throws {
        let source = "{{ for row in rows }}[{{ row_index }}:{{ for cell in row.cells }}{{ cell }},{{ end }}]{{ else }}none{{ end }}"
        XCTAssertEqual(try render(source, ["rows": [["cells": [1, 2]], ["cells": ["<a>"]]]]), "[0:1,2,][1:&lt;a&gt;,]")
        XCTAssertEqual(try render(source, ["rows": []]), "none")
        XCTAssertEqual(try render("{{ items.count }}", ["items": [1, 2, 3]]), "3")
    }

    func testTemplate_includesAndTrim() throws {
        XCTAssertEqual(try render("{{ include \"header\" }}  \n  {{- \"x\" -}}  \n  y", ["t": "T"], extra: ["header": "<h1>{{ t }}</h1>"]), "<h1>T</h1>xy")
    }

    func testTemplate_errorsCarryFileAndLine() {
        let cases: [(String, String)] = [
            ("line1\n{{ if x }}\nno end", "page.html:2: {{ if }} without {{ end }}"),
            ("a\nb\n{{ end }}", "page.html:3: unexpected {{ end }}"),
            ("{{ for x of y }}{{ end }}", "page.html:1: expected {{ for name in expression }}"),
            ("\n\n\n{{ a b }}", "page.html:4: unexpected \"b\""),
            ("{{ include \"missing\" }}", "page.html:1: include of unknown template \"missing\""),
            ("{{ \"open }}", "unterminated string"),
            ("{{ x", "page.html:1: {{ without a closing }}"),
            ("{{ a..b }}", "is not a name"),
        ]
        for (source, expected) in cases {
            XCTAssertThrowsError(try render(source, [:]), source) { error in
                XCTAssertTrue((error as? TemplateError)?.message.contains(expected) ?? false, "\(error) lacks \(expected)")
            }
        }
    }

    func testTemplateLibrary_reloadKeepsOldSetOnError() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("tpl-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: dir + "/auth", withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: dir) }
        try "v1 {{ x }}".write(toFile: dir + "/auth/signin.html", atomically: true, encoding: .utf8)
        let library = try TemplateLibrary(directory: dir)
        XCTAssertEqual(library.templates.render("auth/signin", ["x": 1]), "v1 1")
        try "v2 {{ if }}".write(toFile: dir + "/auth/signin.html", atomically: true, encoding: .utf8)
        XCTAssertThrowsError(try library.reload())
        XCTAssertEqual(library.templates.render("auth/signin", ["x": 1]), "v1 1", "broken reload keeps the old set")
        try "v3 {{ x }}".write(toFile: dir + "/auth/signin.html", atomically: true, encoding: .utf8)
        try library.reload()
        XCTAssertEqual(library.templates.render("auth/signin", ["x": 1]), "v3 1")
    }
}
