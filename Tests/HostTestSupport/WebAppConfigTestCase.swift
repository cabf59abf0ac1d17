import Foundation
import HostKit
import PoolKernel
import XCTest

/// A test case that loads web app configurations as the real host does (`dcrstakepool.conf` in a fresh home
/// directory, the built-in plugin set and the web host's options).
open class WebAppConfigTestCase: XCTestCase {
    public private(set) var dir: String!
    /// The start of the home directory's name, to tell test runs apart in the temp directory.
    open class var homePrefix: String { "webapp-config" }

    override open func setUpWithError() throws {
        dir = FileManager.default.temporaryDirectory.appendingPathComponent("\(Self.homePrefix)-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
    }

    override open func tearDownWithError() throws {
        try? FileManager.default.removeItem(atPath: dir)
    }

    /// The web app's configuration from the test config plus `extra` lines.
    public func config(_ extra: String) throws -> PoolConfig {
        let path = try WebAppTestConfig.write(into: dir, extra: extra)
        let (loaded, _, _) = try PoolConfig.load(arguments: ["-C", path], home: dir, plugins: .builtIn(),
                                                 hostOptions: WebAppHostOptions.all)
        return try XCTUnwrap(loaded)
    }
}
