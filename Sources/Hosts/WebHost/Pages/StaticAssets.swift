import Foundation
import PoolKernel

/// Files under `publicpath`, served at `/assets/…` with cache headers. Paths with `..`, hidden segments or
/// backslashes are refused; directories are not listed; files over `maxBytes` are not served.
struct StaticAssets: Sendable {
    let root: String
    static let maxBytes = 8 << 20
    /// Assets change only with a release; a day is long enough to matter and short enough for upgrades.
    static let cacheControl = "public, max-age=86400"

    static let contentTypes: [String: String] = [
        "css": "text/css; charset=utf-8", "js": "text/javascript; charset=utf-8", "png": "image/png",
        "svg": "image/svg+xml", "ico": "image/x-icon", "jpg": "image/jpeg", "jpeg": "image/jpeg",
        "woff": "font/woff", "woff2": "font/woff2", "ttf": "font/ttf", "txt": "text/plain; charset=utf-8",
        "json": "application/json", "xml": "application/xml", "html": "text/html; charset=utf-8",
    ]

    func serve(_ relative: String) -> HTTPResponse {
        let segments = relative.split(separator: "/", omittingEmptySubsequences: false)
        guard !segments.isEmpty, !relative.contains("\\"), !relative.contains("\0"),
              segments.allSatisfy({ !$0.isEmpty && !$0.hasPrefix(".") }) else {
            return .plainError(.notFound)
        }
        let path = root + "/" + relative
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory), !isDirectory.boolValue,
              let attributes = try? FileManager.default.attributesOfItem(atPath: path),
              let size = attributes[.size] as? Int, size <= Self.maxBytes,
              let data = FileManager.default.contents(atPath: path) else {
            return .plainError(.notFound)
        }
        let ext = (relative as NSString).pathExtension.lowercased()
        var response = HTTPResponse(status: .ok, body: [UInt8](data))
        response.headers.set("Content-Type", Self.contentTypes[ext] ?? "application/octet-stream")
        response.headers.set("Cache-Control", Self.cacheControl)
        if let modified = attributes[.modificationDate] as? Date {
            response.headers.set("Last-Modified", Self.httpDate(modified))
        }
        return response
    }

    static func httpDate(_ date: Date) -> String {
        let formatter = DateFormatter()
        formatter.locale = Locale(identifier: "en_US_POSIX")
        formatter.timeZone = TimeZone(identifier: "GMT")
        formatter.dateFormat = "EEE, dd MMM yyyy HH:mm:ss 'GMT'"
        return formatter.string(from: date)
    }
}
