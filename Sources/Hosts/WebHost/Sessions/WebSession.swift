import PoolKernel

/// One request's view of its session: loaded by `SessionStore.load`, changed by the page, saved once at the end.
///
/// A new anonymous session is only stored once something is put in it (CSRF token, flash, user), so visitors
/// who just read pages create no rows.
struct WebSession: Sendable {
    /// The cookie id (secret; never logged).
    var cookieID: String
    var userId: UserId?
    var data: SessionData
    var createdAt: Int64
    var lastSeenAt: Int64
    /// Not in storage yet.
    var isNew: Bool
    /// Changed since loaded: must be written back.
    var isDirty = false
    /// The previous cookie id, when `rotate()` replaced it (its row is deleted at save).
    var replacedCookieID: String?

    /// Flash messages of `bucket`, removed from the session.
    mutating func takeFlashes(_ bucket: String) -> [String] {
        guard let messages = data.flashes.removeValue(forKey: bucket) else { return [] }
        isDirty = true
        return messages
    }

    mutating func flash(_ bucket: String, _ messages: [String]) {
        guard !messages.isEmpty else { return }
        data.flashes[bucket, default: []] += messages
        isDirty = true
    }

    /// The CSRF token, generated (32 random bytes → SHA-256 → hex, as the original) when absent.
    mutating func csrfToken() -> String {
        if data.csrfToken.isEmpty {
            data.csrfToken = SecureRandom.hex(SHA256.hash(SecureRandom.bytes(32)))
            isDirty = true
        }
        return data.csrfToken
    }

    mutating func setUser(_ id: UserId?) {
        userId = id
        isDirty = true
    }

    /// A new id for the same contents (at sign-in, against session fixation); the CSRF token changes too.
    mutating func rotate(now: Int64) {
        if !isNew { replacedCookieID = replacedCookieID ?? cookieID }
        cookieID = SessionCookie.newID()
        isNew = true
        isDirty = true
        createdAt = now
        data.csrfToken = ""
    }
}
