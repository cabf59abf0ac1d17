import Foundation
import PoolKernel
import XCTest

/// Loads Decred reference vectors from `../shared/vectors` beside the repository root (found from this file's
/// path), or from `$POOL_VECTORS_DIR`. Vectors are read at test time, never copied into Swift literals.
enum ChainVectors {
    typealias Object = [String: Any]

    static var directory: URL {
        if let override = ProcessInfo.processInfo.environment["POOL_VECTORS_DIR"], !override.isEmpty {
            return URL(fileURLWithPath: override, isDirectory: true)
        }
        // <root>/Tests/PoolKernelTests/ChainVectors.swift -> <root>/../shared/vectors
        let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent()
        return root.deletingLastPathComponent().appendingPathComponent("shared/vectors", isDirectory: true)
    }

    /// The whole JSON object of `<name>.json`.
    static func file(_ name: String) throws -> Object {
        let url = directory.appendingPathComponent("\(name).json")
        let data = try Data(contentsOf: url)
        guard let object = try JSONSerialization.jsonObject(with: data) as? Object else {
            throw ChainVectorError(message: "\(url.path) is not a JSON object")
        }
        return object
    }

    /// An array of vector objects under `key` of `<name>.json`; fails the test when it is empty.
    static func array(_ name: String, key: String = "vectors", file: StaticString = #filePath,
                      line: UInt = #line) throws -> [Object] {
        let all = try self.file(name)
        let list = all[key] as? [Object] ?? []
        XCTAssertFalse(list.isEmpty, "\(name).json yielded zero vectors under \(key)", file: file, line: line)
        return list
    }
}

struct ChainVectorError: Error, CustomStringConvertible {
    let message: String
    var description: String { message }
}

extension Dictionary where Key == String, Value == Any {
    func string(_ key: String) throws -> String {
        guard let value = self[key] as? String else {
            throw ChainVectorError(message: "vector \(self["name"] ?? "?") has no string \(key)")
        }
        return value
    }

    func hex(_ key: String) throws -> [UInt8] { try Hex.decode(string(key)) }

    func int(_ key: String) throws -> Int {
        guard let value = self[key] as? Int else {
            throw ChainVectorError(message: "vector \(self["name"] ?? "?") has no integer \(key)")
        }
        return value
    }

    var name: String { self["name"] as? String ?? "?" }
}
