@testable import PoolKernel
import XCTest

/// bcrypt against published vectors (OpenBSD/openwall `$2a$`, pyca `$2b$`, cost-10 `$2a$10$` hashes in the format
/// Go's bcrypt writes, which is what dcrstakepool stored).
final class BCryptTests: XCTestCase {
    /// (password, full hash)
    private let vectors: [(String, String)] = [
        ("U*U", "$2a$05$CCCCCCCCCCCCCCCCCCCCC.E5YPO9kmyuRGyh0XouQYb4YMJKvyOeW"),
        ("U*U*", "$2a$05$CCCCCCCCCCCCCCCCCCCCC.VGOzA784oUp/Z0DY336zx7pLYAy0lwK"),
        ("U*U*U", "$2a$05$XXXXXXXXXXXXXXXXXXXXXOAcXxm9kjPGEMsLznoKqmqw7tc8WCx4a"),
        ("0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789chars after 72 are ignored",
         "$2a$05$abcdefghijklmnopqrstuu5s2v8.iXieOjg/.AySBTTZIIVFJeBui"),
        ("", "$2a$04$zVHmKQtGGQob.b/Nc7l9NO8UlrYcW05FiuCj/SxsFO/ZtiN9.mNzy"),
        ("password", "$2a$05$bvIG6Nmid91Mu9RcmmWZfO5HJIMCT8riNW0hEp8f6/FuA2/mHZFpe"),
        ("Kk4DQuMMfZL9o", "$2b$04$cVWp4XaNU8a4v1uMRum2SO026BWLIoQMD/TXg5uZV.0P.uO8m3YEm"),
        ("9IeRXmnGxMYbs", "$2b$04$pQ7gRO7e6wx/936oXhNjrOUNOHL1D0h1N2IDbJZYs.1ppzSof6SPy"),
    ]

    func testBCrypt_piDigitsStartAsBlowfishNeeds() {
        let words = PiHexDigits.fractionWords(4)
        XCTAssertEqual(words, [0x243F_6A88, 0x85A3_08D3, 0x1319_8A2E, 0x0370_7344])
        XCTAssertEqual(Blowfish.initialState.count, 1042)
        // The last S-box word of the standard Blowfish tables.
        XCTAssertEqual(Blowfish.initialState.last, 0x3AC3_72E6)
    }

    func testBCrypt_publishedVectorsVerify() {
        for (password, hash) in vectors {
            XCTAssertTrue(BCrypt.verify(password: password, hash: hash), "\(password) / \(hash)")
            // Past 72 bytes extra characters are ignored by design, so only shorter passwords can be "wrong".
            if password.utf8.count < 72 {
                XCTAssertFalse(BCrypt.verify(password: password + "x", hash: hash), "wrong password for \(hash)")
            } else {
                XCTAssertTrue(BCrypt.verify(password: password + "x", hash: hash), "bytes after 72 are ignored")
            }
        }
    }

    func testBCrypt_publishedVectorsRecomputeExactly() throws {
        for (password, hash) in vectors where hash.hasPrefix("$2a$") {
            let salt = try XCTUnwrap(BCryptBase64.decode(Array(hash.utf8)[7..<29].map { $0 }, count: 16))
            let cost = try XCTUnwrap(BCrypt.cost(of: hash))
            XCTAssertEqual(try BCrypt.hash(password: password, cost: cost, salt: salt), hash)
        }
    }

    func testBCrypt_goStyleCost10HashesVerify() {
        // `$2a$10$` hashes as Go's bcrypt.GenerateFromPassword(…, bcrypt.DefaultCost) writes them.
        XCTAssertTrue(BCrypt.verify(password: "abc", hash: "$2a$10$WvvTPHKwdBJ3uk0Z37EMR.hLA2W6N9AEBhEgrAOljy2Ae5MtaSIUi"))
        XCTAssertTrue(BCrypt.verify(password: "ππππππππ",
                                    hash: "$2a$10$.TtQJ4Jr6isd4Hp.mVfZeuh6Gws4rOQ/vdBczhDx.19NFK0Y84Dle"))
        XCTAssertFalse(BCrypt.verify(password: "abd", hash: "$2a$10$WvvTPHKwdBJ3uk0Z37EMR.hLA2W6N9AEBhEgrAOljy2Ae5MtaSIUi"))
    }

    func testBCrypt_newHashesLookLikeGoAndVerify() throws {
        let hash = try BCrypt.hash(password: "correct horse", cost: 4)
        XCTAssertEqual(hash.utf8.count, 60)
        XCTAssertTrue(hash.hasPrefix("$2a$04$"))
        XCTAssertTrue(BCrypt.verify(password: "correct horse", hash: hash))
        XCTAssertFalse(BCrypt.verify(password: "correct horsE", hash: hash))
        XCTAssertNotEqual(try BCrypt.hash(password: "correct horse", cost: 4), hash, "fresh random salt each time")
        XCTAssertEqual(BCrypt.cost(of: hash), 4)
    }

    func testBCrypt_badHashesNeverMatch() {
        let good = "$2b$04$cVWp4XaNU8a4v1uMRum2SO026BWLIoQMD/TXg5uZV.0P.uO8m3YEm"
        for bad in ["", "plain", String(good.dropLast()), good + "x", "$2x$" + good.dropFirst(4),
                    "$2b$99$" + good.dropFirst(7), "$2b$0a$" + good.dropFirst(7), "$2b$04$" + "!" + good.dropFirst(8)] {
            XCTAssertFalse(BCrypt.verify(password: "Kk4DQuMMfZL9o", hash: String(bad)), bad)
            XCTAssertNil(BCrypt.cost(of: String(bad)))
        }
    }

    func testBCrypt_invalidParametersThrow() {
        XCTAssertThrowsError(try BCrypt.hash(password: "x", cost: 3)) {
            XCTAssertEqual(($0 as? BCryptError)?.code, .invalidCost)
        }
        XCTAssertThrowsError(try BCrypt.hash(password: "x", cost: 4, salt: [1, 2, 3])) {
            XCTAssertEqual(($0 as? BCryptError)?.code, .invalidSalt)
        }
    }
}
