import Foundation
import XCTest

/// README's promises name the tests that prove them: every option of the option table and every bullet of the
/// Operating section has a `<!-- test … -->` marker naming tests that exist, and docs/testing.md is generated from
/// those markers. `POOL_WRITE_TESTING_DOC=1` (what `make testing-doc` sets) rewrites docs/testing.md instead.
final class ReadmeTestMarkersTests: XCTestCase {
    private static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent()
    private static let regenerate = "make testing-doc (POOL_WRITE_TESTING_DOC=1 swift test --filter HostKitTests.ReadmeTestMarkersTests/testTestingDocument_isGeneratedFromTheReadmeMarkers)"

    private func readme() throws -> ReadmeTestMarkers {
        ReadmeTestMarkers(readme: try String(contentsOf: Self.root.appendingPathComponent("README.md"), encoding: .utf8))
    }

    func testReadme_everyOptionAndOperatingBulletNamesExistingTests() throws {
        let markers = try readme()
        let declared = try DeclaredTests(testsDirectory: Self.root.appendingPathComponent("Tests"))
        // The README's shape, counted by hand: 39 option rows (54 options) and 8 Operating bullets.
        XCTAssertEqual(markers.items.filter { $0.section == "Options" }.count, 39, "option rows found")
        XCTAssertEqual(markers.items.filter { $0.section == "Operating" }.count, 8, "Operating bullets found")
        let problems = markers.problems(testExists: declared.names.contains)
        XCTAssertEqual(problems, [], "\n" + problems.joined(separator: "\n"))
    }

    func testTestingDocument_isGeneratedFromTheReadmeMarkers() throws {
        let path = Self.root.appendingPathComponent("docs/testing.md")
        let existing = try? String(contentsOf: path, encoding: .utf8)
        let expected = try readme().updatedTestingDocument(existing)
        if ProcessInfo.processInfo.environment["POOL_WRITE_TESTING_DOC"] == "1" {
            try expected.write(to: path, atomically: true, encoding: .utf8)
            return
        }
        XCTAssertEqual(existing, expected, "docs/testing.md is out of date; regenerate it: \(Self.regenerate)")
    }

    // MARK: - The checker itself, on hand-written README fragments

    private static let fragment = """
    | option | default | meaning |
    |---|---|---|
    | `alpha` | `1` | one option <!-- test: T.S/testA --> |
    | `beta`, `gamma` | `2`, `3` | two options <!-- test beta: T.S/testB --> |
    | `delta` | empty | no marker |

    ## Operating

    - first bullet
      continued <!-- test: T.S/testA, T.Gone/testNothing --> <!-- test user token: T.S/testB -->
    - second bullet without marker

    ## Next
    - not an Operating bullet
    """

    func testMarkers_parsedPerRowAndBullet() {
        let markers = ReadmeTestMarkers(readme: Self.fragment)
        XCTAssertEqual(markers.items.map(\.title), ["`alpha`", "`beta`, `gamma`", "`delta`", "first bullet …",
                                                   "second bullet without marker …"])
        XCTAssertEqual(markers.items[1].options, ["beta", "gamma"])
        XCTAssertEqual(markers.items[3].markers, [
            .init(claim: nil, tests: ["T.S/testA", "T.Gone/testNothing"]), .init(claim: "user token", tests: ["T.S/testB"]),
        ])
        XCTAssertEqual(markers.items[3].line, 9)
    }

    func testMarkers_missingMarkersAndUnknownTestsAreProblems() {
        let markers = ReadmeTestMarkers(readme: Self.fragment)
        let problems = markers.problems(testExists: { ["T.S/testA", "T.S/testB"].contains($0) })
        XCTAssertEqual(problems, [
            "README.md:4 (Options: `beta`, `gamma`): option `gamma` has no <!-- test gamma: … --> marker of its own",
            "README.md:5 (Options: `delta`) has no <!-- test: … --> marker",
            "README.md:9 (Operating: first bullet …): marker names T.Gone/testNothing, which is no test in Tests/ (Target.Suite/testName)",
            "README.md:11 (Operating: second bullet without marker …) has no <!-- test: … --> marker",
        ])
    }

    func testDeclaredTests_areTheTestMethodsOfEachSuiteBody() {
        let source = """
        import XCTest

        final class FirstTests: XCTestCase {
            func testOne() {}
            private func helper() {}
        }

        extension FirstTests {
            func testTwo() async throws {}
        }

        final class SecondTests: XCTestCase {
            func check() {}
            func testThree() {}
        }
        """
        let bodies = DeclaredTests.typeBodies(source).map { ($0.0, DeclaredTests.testMethods($0.1)) }
        XCTAssertEqual(bodies.map(\.0), ["FirstTests", "FirstTests", "SecondTests"])
        XCTAssertEqual(bodies.map(\.1), [["testOne"], ["testTwo"], ["testThree"]])
    }

    func testTestingDocument_keepsTheHandWrittenPart() {
        let markers = ReadmeTestMarkers(readme: Self.fragment)
        let notes = "## Load runs\n\n5 × make test under load: passed.\n"
        let updated = markers.updatedTestingDocument("stale\n" + ReadmeTestMarkers.generatedEnd + "\n" + notes)
        XCTAssertTrue(updated.hasSuffix(ReadmeTestMarkers.generatedEnd + "\n" + notes), updated)
        XCTAssertTrue(updated.contains("| `beta` | `T.S/testB` |"), updated)
        XCTAssertTrue(updated.contains("| first bullet … | user token | `T.S/testB` |"), updated)
        XCTAssertFalse(updated.contains("stale"))
    }
}
