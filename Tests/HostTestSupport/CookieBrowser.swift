import Foundation
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif
import XCTest

/// One browser in front of several web hosts, as behind a load balancer: its own cookie jar, sent to whichever
/// host (port) a request goes to, and redirects never followed, so a test sees each 302 and where it points.
package final class CookieBrowser: NSObject, URLSessionTaskDelegate, @unchecked Sendable {
    // @unchecked: `cookies` is only touched under `lock`; the session is thread-safe.
    private let lock = NSLock()
    private var cookies: [String: String] = [:]
    private var session: URLSession!

    package struct Response {
        package var status: Int
        package var body: String
        /// The `Location` of a redirect ("" otherwise).
        package var location: String
    }

    package override init() {
        super.init()
        let configuration = URLSessionConfiguration.ephemeral
        configuration.httpShouldSetCookies = false
        configuration.httpCookieStorage = nil
        configuration.timeoutIntervalForRequest = 60
        session = URLSession(configuration: configuration, delegate: self, delegateQueue: nil)
    }

    package func invalidate() { session.invalidateAndCancel() }

    /// The cookie jar's value for `name`.
    package func cookie(_ name: String) -> String? { lock.withLock { cookies[name] } }

    /// One request to 127.0.0.1:`port` with the jar's cookies; `Set-Cookie` answers update the jar.
    package func request(_ port: Int, _ path: String, method: String = "GET", form: [(String, String)]? = nil,
                         headers: [String: String] = [:]) async throws -> Response {
        let url = try XCTUnwrap(URL(string: "http://127.0.0.1:\(port)\(path)"))
        var request = URLRequest(url: url)
        request.httpMethod = method
        for (name, value) in headers { request.setValue(value, forHTTPHeaderField: name) }
        let jar = lock.withLock { cookies }
        if !jar.isEmpty {
            request.setValue(jar.map { "\($0.key)=\($0.value)" }.sorted().joined(separator: "; "), forHTTPHeaderField: "Cookie")
        }
        if let form { HostProcesses.setForm(form, on: &request) }
        let (body, response) = try await session.data(for: request)
        let http = try XCTUnwrap(response as? HTTPURLResponse)
        var fields: [String: String] = [:]
        for (key, value) in http.allHeaderFields {
            if let key = key as? String, let value = value as? String { fields[key] = value }
        }
        let received = HTTPCookie.cookies(withResponseHeaderFields: fields, for: url)
        lock.withLock {
            for cookie in received {
                if cookie.value.isEmpty || (cookie.expiresDate.map { $0 < Date() } ?? false) {
                    cookies[cookie.name] = nil
                } else {
                    cookies[cookie.name] = cookie.value
                }
            }
        }
        return Response(status: http.statusCode, body: String(decoding: body, as: UTF8.self),
                        location: http.value(forHTTPHeaderField: "Location") ?? "")
    }

    package func urlSession(_ session: URLSession, task: URLSessionTask, willPerformHTTPRedirection response: HTTPURLResponse,
                            newRequest request: URLRequest, completionHandler: @escaping (URLRequest?) -> Void) {
        completionHandler(nil)
    }

    /// The `value` of the first `<input name="name" value="…">` in `page`.
    package static func field(_ name: String, in page: String) throws -> String {
        let marker = "name=\"\(name)\" value=\""
        let range = try XCTUnwrap(page.range(of: marker), "no \(name) field in \(page.prefix(3_000))")
        return String(page[range.upperBound...].prefix { $0 != "\"" })
    }
}
