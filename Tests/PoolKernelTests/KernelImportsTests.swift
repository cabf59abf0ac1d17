import Foundation
import XCTest

/// The kernel's boundary, read from the sources themselves: every Swift file under `Sources/PoolKernel` imports
/// Foundation, Dispatch, Synchronization or COpenSSL and nothing else (OS calls live in `PoolSystem`, the SQL
/// text in `SQLStorageBase`, plugins in `Sources/Plugins`).
final class KernelImportsTests: XCTestCase {
    static let allowed: Set<String> = ["Foundation", "Dispatch", "Synchronization", "COpenSSL"]

    /// `Sources/PoolKernel` of this checkout (this file is `Tests/PoolKernelTests/KernelImportsTests.swift`).
    static var kernelDirectory: URL {
        URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().appendingPathComponent("Sources/PoolKernel")
    }

    /// The module of an import declaration (`import X`, `@_exported import X.Y`, `internal import struct X.T`,
    /// also inside `#if`), else nil.
    static func importedModule(_ line: String) -> String? {
        var words = line.split(whereSeparator: \.isWhitespace).map(String.init)
        while let first = words.first, first.hasPrefix("@") || ["public", "package", "internal", "fileprivate",
                                                                   "private"].contains(first) {
            words.removeFirst()
        }
        guard words.first == "import", words.count >= 2 else { return nil }
        let kinds: Set<String> = ["struct", "class", "enum", "protocol", "typealias", "func", "let", "var"]
        let path = kinds.contains(words[1]) && words.count >= 3 ? words[2] : words[1]
        return path.split(separator: ".").first.map(String.init)
    }

    func testImportScannerRecognisesEveryDeclarationForm() {
        XCTAssertEqual(Self.importedModule("import Glibc"), "Glibc")
        XCTAssertEqual(Self.importedModule("  @_exported import Glibc.stdio"), "Glibc")
        XCTAssertEqual(Self.importedModule("internal import struct Glibc.timespec"), "Glibc")
        XCTAssertEqual(Self.importedModule("@preconcurrency import CSQLite"), "CSQLite")
        XCTAssertNil(Self.importedModule("/// import Glibc to call inet_pton"))
        XCTAssertNil(Self.importedModule("let important = 1"))
    }

    func testKernelImportsOnlyFoundationDispatchSynchronizationAndOpenSSL() throws {
        let files = try XCTUnwrap(FileManager.default.enumerator(at: Self.kernelDirectory, includingPropertiesForKeys: nil))
            .compactMap { $0 as? URL }.filter { $0.pathExtension == "swift" }
        XCTAssertGreaterThan(files.count, 100, "found the kernel sources at \(Self.kernelDirectory.path)")
        var offending: [String] = []
        for file in files {
            let lines = try String(contentsOf: file, encoding: .utf8).split(separator: "\n", omittingEmptySubsequences: false)
            for (number, line) in lines.enumerated() {
                if let module = Self.importedModule(String(line)), !Self.allowed.contains(module) {
                    offending.append("\(file.lastPathComponent):\(number + 1): import \(module)")
                }
            }
        }
        XCTAssertEqual(offending, [])
    }
}
