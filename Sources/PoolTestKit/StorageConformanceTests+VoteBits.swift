import Foundation
import PoolKernel
import XCTest

/// `setVoteBits`: the start-up vote-bits reset's page-at-a-time write.
extension StorageConformanceTests {
    /// Every listed user — more than one SQL statement's worth — gets the vote bits and version, every other column
    /// and every other user stay as they were, unknown and repeated ids change nothing; a write that throws after
    /// it leaves every user as before. A reset applied only in part (its first statement) fails here.
    public func checkStorage_setVoteBitsSetsEveryListedUserAndNothingElse() async throws {
        let store = try await backend()
        let users = (0..<1_234).map { n -> User in
            var user = n % 2 == 0 ? Self.activeUser(n) : Self.sampleUser(n)
            user.voteBits = UInt16(n % 7 + 2)
            user.voteBitsVersion = UInt32(3 + n % 2)
            return user
        }
        let stored = try await store.write { tx in
            try users.map { user -> User in
                var row = user
                row.id = try tx.insertUser(user)
                return row
            }
        }
        // Two users in three, in no particular order, some twice, plus ids that belong to nobody.
        let chosen = stored.filter { $0.id.rawValue % 3 != 0 }.map(\.id).reversed() + [stored[1].id, stored[3].id]
            + [UserId(1_000_000), UserId(0)]
        try await store.write { try $0.setVoteBits(1, version: 9, userIds: Array(chosen)) }
        let expected = stored.map { user -> User in
            guard user.id.rawValue % 3 != 0 else { return user }
            var reset = user
            reset.voteBits = 1
            reset.voteBitsVersion = 9
            return reset
        }
        let afterReset = try await store.read { try $0.users(afterId: 0, limit: 10_000) }
        XCTAssertEqual(afterReset.count, expected.count)
        XCTAssertEqual(afterReset.filter { $0.voteBitsVersion == 9 }.count, expected.filter { $0.voteBitsVersion == 9 }.count,
                       "every listed user is set, not only the first statement's")
        XCTAssertNil(zip(afterReset, expected).first { $0 != $1 }?.0, "every user as expected, nothing else changed")

        struct Abort: Error {}
        do {
            try await store.write { tx in
                try tx.setVoteBits(7, version: 11, userIds: stored.map(\.id))
                throw Abort()
            }
            XCTFail("the body threw")
        } catch is Abort {}
        let afterAbort = try await store.read { try $0.users(afterId: 0, limit: 10_000) }
        XCTAssertEqual(afterAbort.count, expected.count)
        XCTAssertNil(zip(afterAbort, expected).first { $0 != $1 }?.0, "a write that throws sets no user")
    }
}
