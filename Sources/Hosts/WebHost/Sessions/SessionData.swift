import Foundation

/// What a session carries besides the user id (encoded as JSON in `SessionRecord.payload`).
struct SessionData: Codable, Sendable, Equatable {
    /// The CSRF token (64 lowercase hex), empty until a form needs it.
    var csrfToken = ""
    /// Flash messages by bucket (`auth`, `signupError`, …), in insertion order; consumed when shown.
    var flashes: [String: [String]] = [:]

    static func decode(_ payload: Data) -> SessionData {
        guard !payload.isEmpty, let data = try? JSONDecoder().decode(SessionData.self, from: payload) else {
            return SessionData()
        }
        return data
    }

    func encoded() -> Data { (try? JSONEncoder().encode(self)) ?? Data() }
}
