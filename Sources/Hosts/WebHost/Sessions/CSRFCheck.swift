import Foundation
import PoolKernel

/// The CSRF rule of spec §3.1 step 6: XHR requests carry `X-XSRF-TOKEN`, other POST/PUT/DELETE requests carry
/// form field `csrf_token`, each equal (constant-time) to the session's token.
enum CSRFCheck {
    static let fieldName = "csrf_token"
    static let headerName = "X-XSRF-TOKEN"

    enum Verdict: Equatable {
        case ok
        case badHeader
        case badToken
    }

    static func isXHR(_ request: HTTPRequest) -> Bool {
        request.headers["X-Requested-With"] == "XMLHttpRequest"
    }

    static func verify(_ request: HTTPRequest, token: String, form: [String: String]) -> Verdict {
        if isXHR(request) {
            return matches(request.headers[headerName], token) ? .ok : .badHeader
        }
        guard [HTTPMethod.post, .put, .delete].contains(request.method) else { return .ok }
        return matches(form[fieldName], token) ? .ok : .badToken
    }

    private static func matches(_ presented: String?, _ token: String) -> Bool {
        guard let presented, !token.isEmpty else { return false }
        return APITokenSigner.constantTimeEqual(Array(presented.utf8), Array(token.utf8))
    }
}
