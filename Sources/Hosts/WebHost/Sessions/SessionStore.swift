import Foundation
import PoolKernel

/// Server-side sessions in the storage port, identified by a signed cookie.
///
/// Expiry: a session ends `idleTimeout` after its last request and `absoluteTimeout` after it was created,
/// whichever comes first. `lastSeenAt` is written at most once a minute for sessions that did not change.
struct SessionStore: Sendable {
    struct Configuration: Sendable {
        var cookieSecret: String
        /// `cookiesecure`: the cookies carry `Secure`.
        var secureCookies: Bool
        var idleTimeout: Int64 = 24 * 3600
        var absoluteTimeout: Int64 = 30 * 86400
    }

    let configuration: Configuration
    let storage: any StorageBackend
    let cookie: SessionCookie
    let logger: Logger

    init(configuration: Configuration, storage: any StorageBackend, logger: Logger) {
        self.configuration = configuration
        self.storage = storage
        self.cookie = SessionCookie(secret: configuration.cookieSecret)
        self.logger = logger
    }

    /// The request's session, or a new empty one when the cookie is absent, forged, unknown or expired.
    func load(_ request: HTTPRequest, now: Int64) async -> WebSession {
        if let value = SessionCookie.read(SessionCookie.name, from: request.headers), let id = cookie.id(from: value) {
            do {
                let key = SessionCookie.storageKey(id)
                if let record = try await storage.read({ try $0.session(id: key) }), !record.isExpired(now: now),
                   now - record.createdAt < configuration.absoluteTimeout {
                    return WebSession(cookieID: id, userId: record.userId, data: SessionData.decode(record.payload),
                                      createdAt: record.createdAt, lastSeenAt: record.lastSeenAt, isNew: false)
                }
            } catch {
                logger.error("session lookup failed: \(error)")
            }
        }
        return WebSession(cookieID: SessionCookie.newID(), userId: nil, data: SessionData(), createdAt: now,
                          lastSeenAt: now, isNew: true)
    }

    /// Writes the session back (when needed) and returns the `Set-Cookie` value to send, if any.
    func save(_ session: WebSession, now: Int64) async -> String? {
        let expires = min(now + configuration.idleTimeout, session.createdAt + configuration.absoluteTimeout)
        let key = SessionCookie.storageKey(session.cookieID)
        let replaced = session.replacedCookieID.map(SessionCookie.storageKey)
        do {
            if session.isNew {
                guard session.isDirty else { return nil }
                let record = SessionRecord(id: key, userId: session.userId, payload: session.data.encoded(),
                                           createdAt: session.createdAt, lastSeenAt: now, expiresAt: expires)
                try await storage.write { tx in
                    if let replaced { try tx.deleteSession(id: replaced) }
                    try tx.insertSession(record)
                }
            } else if session.isDirty {
                let record = SessionRecord(id: key, userId: session.userId, payload: session.data.encoded(),
                                           createdAt: session.createdAt, lastSeenAt: now, expiresAt: expires)
                try await storage.write { try $0.updateSession(record) }
            } else if now - session.lastSeenAt >= 60 {
                try await storage.write { try $0.touchSession(id: key, lastSeenAt: now, expiresAt: expires) }
            }
        } catch {
            // The session was ended meanwhile (sign-out elsewhere, password change): the browser starts over.
            logger.warn("session save failed: \(error)")
            return nil
        }
        return cookieHeader(SessionCookie.name, cookie.value(for: session.cookieID), httpOnly: true)
    }

    /// Deletes a session (sign-out).
    func destroy(_ session: WebSession) async {
        guard !session.isNew || session.replacedCookieID != nil else { return }
        let keys = [session.cookieID] + (session.replacedCookieID.map { [$0] } ?? [])
        do {
            try await storage.write { tx in
                for id in keys { try tx.deleteSession(id: SessionCookie.storageKey(id)) }
            }
        } catch {
            logger.error("session delete failed: \(error)")
        }
    }

    /// A `Set-Cookie` value: `Path=/`, `SameSite=Lax`, `Secure` iff cookiesecure, browser-session lifetime.
    func cookieHeader(_ name: String, _ value: String, httpOnly: Bool) -> String {
        var header = "\(name)=\(value); Path=/; SameSite=Lax"
        if httpOnly { header += "; HttpOnly" }
        if configuration.secureCookies { header += "; Secure" }
        return header
    }

    /// A `Set-Cookie` value that removes the session cookie.
    func expiredCookieHeader() -> String {
        cookieHeader(SessionCookie.name, "", httpOnly: true) + "; Max-Age=0"
    }
}
