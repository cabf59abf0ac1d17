/// What a handler produces: a response now (answered on the I/O thread, no task hop), or work
/// that runs as a task on the cooperative pool and completes later.
public enum HTTPResult: Sendable {
    case immediate(HTTPResponse)
    case deferred(@Sendable () async -> HTTPResponse)
}

/// The application behind an `HTTPServer`: usually a `Router`.
///
/// Implementation requirements: `respond` is called on an I/O thread and must not block; slow or
/// async work goes into `.deferred`. It is called once per request, in arrival order per connection.
public protocol HTTPResponder: Sendable {
    func respond(to request: HTTPRequest) -> HTTPResult
}
