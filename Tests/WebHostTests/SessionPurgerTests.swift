import Foundation
import PoolKernel
import PoolTestKit
import XCTest
@testable import WebHost

final class SessionPurgerTests: XCTestCase {
    private let logger = LogBackend(level: .info, sinks: [CapturingSink()]).logger("CNTL")

    /// Saves a new session created at `createdAt` (written at `savedAt`) and returns its storage key.
    private func save(_ store: SessionStore, createdAt: Int64, savedAt: Int64) async -> String {
        var session = WebSession(cookieID: SessionCookie.newID(), userId: nil, data: SessionData(), createdAt: createdAt,
                                 lastSeenAt: createdAt, isNew: true)
        session.flash("auth", ["hello"])
        let cookie = await store.save(session, now: savedAt)
        XCTAssertNotNil(cookie)
        return SessionCookie.storageKey(session.cookieID)
    }

    private func exists(_ storage: InMemoryStorage, _ key: String) async throws -> Bool {
        try await storage.read { try $0.session(id: key) } != nil
    }

    func testSessionPurger_removesIdleAndAbsoluteExpiredKeepsLive() async throws {
        let storage = InMemoryStorage()
        var configuration = SessionStore.Configuration(cookieSecret: "secret", secureCookies: false)
        configuration.idleTimeout = 100
        configuration.absoluteTimeout = 130
        let store = SessionStore(configuration: configuration, storage: storage, logger: logger)
        let idle = await save(store, createdAt: 0, savedAt: 0)        // idle expiry at 100
        let live = await save(store, createdAt: 50, savedAt: 50)      // idle expiry at 150
        let absolute = await save(store, createdAt: 0, savedAt: 90)   // min(190, 0 + 130) = 130
        let now = LockedValue<Int64>(120)
        let purger = SessionPurger(storage: storage, logger: logger, clock: { now.value })

        let first = try await purger.purgeOnce()
        XCTAssertEqual(first, 1)
        let idleGone = try await exists(storage, idle)
        XCTAssertFalse(idleGone, "idle-expired session deleted")
        let liveKept = try await exists(storage, live)
        XCTAssertTrue(liveKept, "live session kept")
        let absoluteKept = try await exists(storage, absolute)
        XCTAssertTrue(absoluteKept, "not yet at its absolute expiry")

        now.withLock { $0 = 130 }
        let second = try await purger.purgeOnce()
        XCTAssertEqual(second, 1)
        let absoluteGone = try await exists(storage, absolute)
        XCTAssertFalse(absoluteGone, "absolute expiry reached although recently used")
        let stillLive = try await exists(storage, live)
        XCTAssertTrue(stillLive)
    }

    func testSessionPurger_runPurgesPeriodicallyAndStopsOnCancel() async throws {
        let storage = InMemoryStorage()
        let store = SessionStore(configuration: .init(cookieSecret: "secret", secureCookies: false), storage: storage,
                                 logger: logger)
        let now = LockedValue<Int64>(1_000)
        let purger = SessionPurger(storage: storage, interval: .milliseconds(20), logger: logger, clock: { now.value })
        let runner = Task { try await purger.run() }
        // A session that expires while the service runs is removed by a later pass.
        let key = await save(store, createdAt: 1_000, savedAt: 1_000)
        now.withLock { $0 = 1_000 + 24 * 3600 }
        let deadline = Date().addingTimeInterval(5)
        var present = try await exists(storage, key)
        while present && Date() < deadline {
            try await Task.sleep(for: .milliseconds(10))
            present = try await exists(storage, key)
        }
        XCTAssertFalse(present, "expired session purged by the running service")
        runner.cancel()
        try await runner.value
    }
}
