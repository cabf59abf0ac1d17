/// A step every routed request passes through, before and after its handler.
///
/// Implementation requirements: both methods run on I/O threads or tasks and must not block.
/// `incoming` may answer instead of the handler (rate limit, admin guard) by returning a response;
/// `outgoing` sees every response, in reverse middleware order, including those answered early.
public protocol HTTPMiddleware: Sendable {
    func incoming(_ request: inout HTTPRequest) -> HTTPResponse?
    func outgoing(_ response: inout HTTPResponse, for request: HTTPRequest)
}

extension HTTPMiddleware {
    public func incoming(_ request: inout HTTPRequest) -> HTTPResponse? { nil }
    public func outgoing(_ response: inout HTTPResponse, for request: HTTPRequest) {}
}
