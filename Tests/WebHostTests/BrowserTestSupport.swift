import Dispatch
import Foundation
import PoolKernel
import XCTest

extension BrowserPage {
    /// Saves a PNG of the viewport as `<directory>/<name>.png` (replacing an older one) and checks it is not empty.
    func saveScreenshot(_ name: String, in directory: String, file: StaticString = #filePath, line: UInt = #line) throws {
        let path = "\(directory)/\(name).png"
        try? FileManager.default.removeItem(atPath: path)
        try screenshot(to: path)
        let size = (try? FileManager.default.attributesOfItem(atPath: path)[.size] as? Int) ?? 0
        XCTAssertGreaterThan(size, 1000, "screenshot \(name)", file: file, line: line)
    }
}
