import Foundation
import PoolKernel

/// Everything a page handler works with for one request: the request, its decoded form, the session
/// (changed in place, saved afterwards) and the signed-in user.
struct PageContext: Sendable {
    let request: HTTPRequest
    /// Form values (urlencoded body over the query string).
    let form: [String: String]
    var session: WebSession
    var user: User?
    let now: Int64
    /// The client IP (`realipheader` already applied by the server).
    var ip: String { request.clientIP }
    /// The query string's `t` (tokens in links).
    var token: String { request.queryItems["t"] ?? "" }
}

/// What a page handler answers.
enum PageOutcome: Sendable {
    /// Render `template` inside the layout. `slots` are trusted HTML bytes written where the template outputs
    /// `{{ <key> }}`, spliced into the body without passing through the templates (large tables).
    case page(template: String, title: String, flag: String, data: [String: TemplateValue], status: HTTPStatus = .ok,
              slots: [String: [UInt8]] = [:])
    /// 303 See Other.
    case redirect(String)
    case response(HTTPResponse)
}
