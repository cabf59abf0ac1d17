import Foundation

/// The `<!-- test … -->` markers of README.md: which tests prove each option of its option table and each bullet
/// of its Operating section, and docs/testing.md generated from them.
///
/// Marker grammar (an HTML comment, invisible on the rendered page):
/// `<!-- test: Target.Suite/testName, Target.Suite/otherTest -->` proves the whole row or bullet;
/// `<!-- test CLAIM: Target.Suite/testName -->` proves one claim of it: in a table row naming several options
/// CLAIM is one of them (each needs its own marker), in a bullet it is a short label (`poolctl user token`).
struct ReadmeTestMarkers {
    struct Marker: Equatable {
        var claim: String?          // nil: the whole row or bullet
        var tests: [String]         // `Target.Suite/testName`
    }

    /// One option-table row or Operating bullet with its markers.
    struct Item {
        var section: String         // "Options" or "Operating"
        var title: String           // the row's options (`dbpoolsize`, `dbtls`) or the bullet's first words
        var options: [String]       // the row's option names; empty for a bullet
        var line: Int               // 1-based line in README.md
        var markers: [Marker]
    }

    /// Stands where a test is still to be written: listed in docs/testing.md, and a failure of the check.
    static let missing = "MISSING"
    static let optionTableHeader = "| option | default | meaning |"
    static let generatedEnd = "<!-- end of the generated part: notes written by hand below this line are kept -->"

    let items: [Item]

    init(readme: String) {
        let lines = readme.components(separatedBy: "\n")
        var items: [Item] = []
        // The option table: the rows after its header and separator, until the first line that is not a row.
        if let header = lines.firstIndex(where: { $0.hasPrefix(Self.optionTableHeader) }) {
            var index = header + 2
            while index < lines.count, lines[index].hasPrefix("|") {
                let firstCell = lines[index].split(separator: "|", omittingEmptySubsequences: true).first.map(String.init) ?? ""
                let options = Self.codeSpans(firstCell)
                items.append(Item(section: "Options", title: options.map { "`\($0)`" }.joined(separator: ", "),
                                  options: options, line: index + 1, markers: Self.markers(in: lines[index])))
                index += 1
            }
        }
        // The Operating section's bullets: `- ` at the margin, continued by indented lines.
        if let start = lines.firstIndex(of: "## Operating") {
            var index = start + 1
            while index < lines.count, !lines[index].hasPrefix("## ") {
                if lines[index].hasPrefix("- ") {
                    var text = lines[index]
                    var next = index + 1
                    while next < lines.count, lines[next].hasPrefix("  ") {
                        text += "\n" + lines[next]
                        next += 1
                    }
                    items.append(Item(section: "Operating", title: Self.bulletTitle(lines[index]), options: [],
                                      line: index + 1, markers: Self.markers(in: text)))
                    index = next
                } else {
                    index += 1
                }
            }
        }
        self.items = items
    }

    /// Every problem with the markers: an item without one, an option of a several-option row without its own,
    /// a malformed test name, a test that does not exist in `tests` (Target.Suite/testName → exists).
    func problems(testExists: (String) -> Bool) -> [String] {
        var problems: [String] = []
        for item in items {
            let place = "README.md:\(item.line) (\(item.section): \(item.title))"
            if item.markers.isEmpty { problems.append("\(place) has no <!-- test: … --> marker") }
            if item.options.count > 1 {
                let claimed = Set(item.markers.compactMap(\.claim))
                for option in item.options where !claimed.contains(option) {
                    problems.append("\(place): option `\(option)` has no <!-- test \(option): … --> marker of its own")
                }
                for claim in claimed where !item.options.contains(claim) {
                    problems.append("\(place): marker for `\(claim)`, which this row does not list")
                }
            }
            for marker in item.markers {
                if marker.tests.isEmpty { problems.append("\(place): a marker names no test") }
                for test in marker.tests where test == Self.missing {
                    problems.append("\(place): no test proves \(marker.claim.map { "“\($0)”" } ?? "it") yet (\(Self.missing))")
                }
                for test in marker.tests where test != Self.missing && !testExists(test) {
                    problems.append("\(place): marker names \(test), which is no test in Tests/ (Target.Suite/testName)")
                }
            }
        }
        return problems
    }

    /// docs/testing.md's generated part.
    func testingDocument() -> String {
        var text = """
        # What the tests prove

        Generated from the `<!-- test … -->` markers in README.md (`make testing-doc`); a test
        (`HostKitTests.ReadmeTestMarkersTests`) fails when a marker names a test that does not exist, when an option of
        README's option table or a bullet of its Operating section has no marker, or when this part is out of date.
        Each test is named `Target.Suite/testName`: run it with `swift test --filter Target.Suite/testName`.

        """
        for section in ["Options", "Operating"] {
            text += section == "Options"
                ? "\n## Options (README, \"Options this engine adds\")\n\n| option | proved by |\n|---|---|\n"
                : "\n## Operating (README, \"Operating\")\n\n| bullet | claim | proved by |\n|---|---|---|\n"
            for item in items where item.section == section {
                for marker in item.markers {
                    let tests = marker.tests.map { "`\($0)`" }.joined(separator: "<br>")
                    if section == "Options" {
                        text += "| \(marker.claim.map { "`\($0)`" } ?? item.title) | \(tests) |\n"
                    } else {
                        let claim = marker.claim?.replacingOccurrences(of: "|", with: "\\|") ?? "all of it"
                        text += "| \(item.title) | \(claim) | \(tests) |\n"
                    }
                }
            }
        }
        return text + "\n" + Self.generatedEnd + "\n"
    }

    /// `existing` with its generated part replaced (what follows the end line is kept).
    func updatedTestingDocument(_ existing: String?) -> String {
        let handWritten = existing.flatMap { text in
            text.range(of: Self.generatedEnd + "\n").map { String(text[$0.upperBound...]) }
        } ?? ""
        return testingDocument() + handWritten
    }

    // MARK: - Parsing

    static func markers(in text: String) -> [Marker] {
        var markers: [Marker] = []
        var rest = Substring(text)
        while let open = rest.range(of: "<!-- test"), let close = rest[open.upperBound...].range(of: "-->") {
            let body = rest[open.upperBound..<close.lowerBound]
            rest = rest[close.upperBound...]
            guard let colon = body.firstIndex(of: ":") else { continue }
            let claim = body[..<colon].trimmingCharacters(in: .whitespaces)
            let tests = body[body.index(after: colon)...].split(separator: ",")
                .map { $0.trimmingCharacters(in: .whitespacesAndNewlines) }.filter { !$0.isEmpty }
            markers.append(Marker(claim: claim.isEmpty ? nil : claim, tests: tests))
        }
        return markers
    }

    /// The `code` spans of a table cell (`a`, `b` → ["a", "b"]).
    static func codeSpans(_ text: String) -> [String] {
        text.split(separator: "`", omittingEmptySubsequences: false).enumerated()
            .filter { $0.offset % 2 == 1 }.map { String($0.element) }
    }

    /// A bullet's first words, without markdown, for the generated table.
    static func bulletTitle(_ firstLine: String) -> String {
        var text = firstLine.dropFirst(2)
        if let marker = text.range(of: "<!--") { text = text[..<marker.lowerBound] }
        let words = text.split(separator: " ").prefix(7).joined(separator: " ")
        return words.replacingOccurrences(of: "|", with: "\\|") + " …"
    }
}

/// The XCTest methods declared under Tests/: `Target.Suite/testName` for every `func test…(` inside a
/// `class Suite` (or `extension Suite`) body of a file in Tests/Target.
struct DeclaredTests {
    let names: Set<String>

    init(testsDirectory: URL) throws {
        var names = Set<String>()
        let files = FileManager.default.enumerator(at: testsDirectory, includingPropertiesForKeys: nil)
        while let file = files?.nextObject() as? URL {
            guard file.pathExtension == "swift" else { continue }
            let relative = file.path.dropFirst(testsDirectory.path.count + 1)
            guard let target = relative.split(separator: "/").first else { continue }
            let text = try String(contentsOf: file, encoding: .utf8)
            for (suite, body) in Self.typeBodies(text) {
                for test in Self.testMethods(body) { names.insert("\(target).\(suite)/\(test)") }
            }
        }
        self.names = names
    }

    /// Top-level `class`/`extension` declarations (at the margin) and the text up to the next one.
    static func typeBodies(_ text: String) -> [(String, String)] {
        var bodies: [(String, String)] = []
        var current: String?
        var body = ""
        for line in text.components(separatedBy: "\n") {
            if let name = topLevelTypeName(line) {
                if let current { bodies.append((current, body)) }
                current = name
                body = ""
            }
            body += line + "\n"
        }
        if let current { bodies.append((current, body)) }
        return bodies
    }

    private static func topLevelTypeName(_ line: String) -> String? {
        guard let first = line.first, first.isLetter || first == "@" else { return nil }
        let words = line.split(whereSeparator: { $0 == " " || $0 == ":" || $0 == "{" || $0 == "<" })
        guard let keyword = words.firstIndex(where: { ["class", "extension", "struct", "enum", "actor", "protocol"].contains($0) }),
              keyword + 1 < words.count else { return nil }
        return String(words[keyword + 1])
    }

    static func testMethods(_ body: String) -> [String] {
        body.components(separatedBy: "func test").dropFirst().compactMap { rest in
            let name = rest.prefix { $0.isLetter || $0.isNumber || $0 == "_" }
            return rest.dropFirst(name.count).hasPrefix("(") ? "test" + name : nil
        }
    }
}
