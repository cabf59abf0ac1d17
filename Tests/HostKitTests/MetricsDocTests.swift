import Foundation
import XCTest

/// docs/metrics.md names every metric either daemon registers (issue 18.6): the names are read from the sources'
/// registrations (`counter("…"`, `gauge("…"`, `histogram("…"`, `gaugeFunction("…"`, `counterFunction("…"`; `\(prefix)` is `http`).
final class MetricsDocTests: XCTestCase {
    private var repoRoot: URL {
        URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
    }

    func testMetricsDoc_namesEveryRegisteredMetric() throws {
        let doc = try String(contentsOf: repoRoot.appendingPathComponent("docs/metrics.md"), encoding: .utf8)
        let pattern = try NSRegularExpression(pattern: #"\b(?:counter|gauge|histogram|gaugeFunction|counterFunction)\("([a-z_]*(?:\\\(prefix\)[a-z_]*)?)""#)
        var names = Set<String>()
        let sources = repoRoot.appendingPathComponent("Sources")
        let files = FileManager.default.enumerator(at: sources, includingPropertiesForKeys: nil)?
            .compactMap { $0 as? URL }.filter { $0.pathExtension == "swift" && !$0.path.contains("/BenchHost/") } ?? []
        for file in files {
            let text = try String(contentsOf: file, encoding: .utf8)
            for match in pattern.matches(in: text, range: NSRange(text.startIndex..., in: text)) {
                guard let range = Range(match.range(at: 1), in: text) else { continue }
                names.insert(text[range].replacingOccurrences(of: #"\(prefix)"#, with: "http"))
            }
        }
        XCTAssertGreaterThan(names.count, 30, "the scan found the registrations: \(names.sorted())")
        for name in names.sorted() {
            XCTAssertTrue(doc.contains("`\(name)`"), "docs/metrics.md does not document \(name)")
        }
    }
}
