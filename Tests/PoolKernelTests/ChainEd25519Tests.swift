import COpenSSL
import Foundation
@testable import PoolKernel
import XCTest

/// Ed25519 through OpenSSL on RFC 8032 TEST 1 and the spec's response-signature vectors
/// (`shared/spec/vspd-api.md` §3.2), and the key file.
final class ChainEd25519Tests: XCTestCase {
    /// RFC 8032 §7.1 TEST 1.
    private let rfcSeed: [UInt8] = Array(hex: "9d61b19deffd5a60ba844af492ec2cc44449c5697b326919703bac031cae7f60")

    func testEd25519_rfc8032AndSpecVectors() throws {
        let key = try Ed25519SigningKey(seed: rfcSeed)
        XCTAssertEqual(Hex.encode(key.publicKey), "d75a980182b10ab7d54bfed3c964073a0ee172f3daa62325af021a68f707511a")
        XCTAssertEqual(Data(key.publicKey).base64EncodedString(), "11qYAYKxCrfVS/7TyWQHOg7hcvPapiMlrwIaaPcHURo=")
        // RFC 8032 TEST 1 signs the empty message.
        XCTAssertEqual(Hex.encode(try key.sign([])),
                       "e5564300c360ac729086e2cc806e828a84877f1eb8e5d974d873e065224901555fb8821590a33bacc61e39701cf9b46bd25bf5f0595bbe24655141438e7a100b")
        let cases = [
            (#"{"code":6,"message":"unknown ticket"}"#,
             "mqeXrIokJEKXgw89NPWvvJHPRyX0k8LSx+dMb3e12jERzF3rWnu6DKTRDPM3dOGV9gw4f1OiEaCRoczZqp7aCQ=="),
            (#"{"timestamp":1700000000,"ticketconfirmed":true,"feetxstatus":"confirmed","feetxhash":"e1c02b04b5bbdae66cf8e3c88366c4918d458a2d27a26144df37f54a2bc956ac","altsignaddress":"","votechoices":{"maxtreasuryspend":"yes"},"tspendpolicy":{},"treasurypolicy":{},"request":"eyJ0aWNrZXRoYXNoIjoiNDg0YTY4ZjcxNDhlNTVkMDVmMGI2NGEyOWZlN2IxNDg1NzJjYjUyNzJkMWNlMjQzOGNmMTU0NjZkMzQ3ZjRmNCJ9"}"#,
             "NauhhMCL6UWwtBWjdPlXOeIGL1VrNy9URYXEK2WizWak/Z96ltBFJsBd1eyn+PIjbEo0aLODW3kSnvv4VmYfBQ=="),
        ]
        for (body, expected) in cases {
            let signature = try key.sign(Array(body.utf8))
            XCTAssertEqual(Data(signature).base64EncodedString(), expected)
            XCTAssertTrue(Ed25519.isValid(signature: signature, message: Array(body.utf8), publicKey: key.publicKey))
        }
    }

    func testEd25519_verificationRefusesTamperingAndBadSizes() throws {
        let key = try Ed25519SigningKey.generate()
        let other = try Ed25519SigningKey.generate()
        XCTAssertNotEqual(key.publicKey, other.publicKey)
        let message = Array("body".utf8)
        var signature = try key.sign(message)
        XCTAssertTrue(Ed25519.isValid(signature: signature, message: message, publicKey: key.publicKey))
        XCTAssertFalse(Ed25519.isValid(signature: signature, message: message, publicKey: other.publicKey))
        XCTAssertFalse(Ed25519.isValid(signature: signature, message: message + [0], publicKey: key.publicKey))
        XCTAssertFalse(Ed25519.isValid(signature: Array(signature.dropLast()), message: message, publicKey: key.publicKey))
        XCTAssertFalse(Ed25519.isValid(signature: signature, message: message, publicKey: Array(key.publicKey.dropLast())))
        signature[10] ^= 0x40
        XCTAssertFalse(Ed25519.isValid(signature: signature, message: message, publicKey: key.publicKey))
        XCTAssertThrowsError(try Ed25519SigningKey(seed: [1, 2, 3])) { XCTAssertEqual(($0 as? ChainError)?.code, .badPrivateKey) }
    }

    /// The scalar·B arithmetic behind Ed25519 WIF public keys agrees with OpenSSL's key derivation:
    /// RFC 8032's secret scalar is the clamped first half of SHA-512(seed), little-endian.
    func testEd25519_scalarPublicKeyMatchesOpenSSLOnRandomSeeds() throws {
        for round in 0..<20 {
            let seed = round == 0 ? rfcSeed : (0..<32).map { _ in UInt8.random(in: 0...255) }
            var digest = [UInt8](repeating: 0, count: 64)
            _ = SHA512(seed, seed.count, &digest)
            var scalar = Array(digest.prefix(32))
            scalar[0] &= 248
            scalar[31] &= 127
            scalar[31] |= 64
            XCTAssertEqual(try Ed25519Point.publicKey(scalar: scalar.reversed()), try Ed25519SigningKey(seed: seed).publicKey,
                           "round \(round)")
        }
    }

    // MARK: - Key file

    private func temporaryDirectory() throws -> String {
        let path = NSTemporaryDirectory() + "ed25519-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
        addTeardownBlock { try? FileManager.default.removeItem(atPath: path) }
        return path
    }

    func testKeyFile_createdOnceWithMode0600AndReloaded() throws {
        let path = try temporaryDirectory() + "/vspkey"
        XCTAssertNil(try Ed25519KeyFile.load(at: path))
        let created = try Ed25519KeyFile.loadOrCreate(at: path)
        let attributes = try FileManager.default.attributesOfItem(atPath: path)
        XCTAssertEqual((attributes[.posixPermissions] as? NSNumber)?.intValue, 0o600)
        let text = try String(contentsOfFile: path, encoding: .utf8)
        XCTAssertEqual(text, Hex.encode(created.seed) + "\n")
        let reloaded = try Ed25519KeyFile.loadOrCreate(at: path)
        XCTAssertEqual(reloaded.publicKey, created.publicKey)
        // No temporary file is left beside it.
        XCTAssertEqual(try FileManager.default.contentsOfDirectory(atPath: (path as NSString).deletingLastPathComponent), ["vspkey"])
        // What it signs verifies under the public key read back from the file.
        let signature = try reloaded.sign(Array("x".utf8))
        XCTAssertTrue(Ed25519.isValid(signature: signature, message: Array("x".utf8), publicKey: created.publicKey))
    }

    func testKeyFile_concurrentFirstStartsAgreeOnOneKey() throws {
        let directory = try temporaryDirectory()
        for round in 0..<5 {
            let path = directory + "/vspkey-\(round)"
            let keys = LockedValue<[[UInt8]]>([])
            DispatchQueue.concurrentPerform(iterations: 8) { _ in
                if let key = try? Ed25519KeyFile.loadOrCreate(at: path) { keys.withLock { $0.append(key.publicKey) } }
            }
            let all = keys.withLock { $0 }
            XCTAssertEqual(all.count, 8, "round \(round)")
            XCTAssertEqual(Set(all).count, 1, "round \(round)")
            XCTAssertEqual(try Ed25519KeyFile.load(at: path)?.publicKey, all.first)
        }
        // Only the key files remain: every temporary was removed.
        XCTAssertEqual(try FileManager.default.contentsOfDirectory(atPath: directory).sorted(), (0..<5).map { "vspkey-\($0)" })
    }

    func testKeyFile_refusesOpenPermissionsGarbageAndDirectories() throws {
        let directory = try temporaryDirectory()
        let path = directory + "/vspkey"
        _ = try Ed25519KeyFile.loadOrCreate(at: path)
        try FileManager.default.setAttributes([.posixPermissions: 0o644], ofItemAtPath: path)
        XCTAssertThrowsError(try Ed25519KeyFile.loadOrCreate(at: path)) { XCTAssertEqual(($0 as? ChainError)?.code, .badKeyFile) }
        for garbage in ["", "zz", String(repeating: "ab", count: 31) + "\n", String(repeating: "ab", count: 32) + "\nextra"] {
            try FileManager.default.removeItem(atPath: path)
            XCTAssertTrue(FileManager.default.createFile(atPath: path, contents: Data(garbage.utf8), attributes: [.posixPermissions: 0o600]))
            XCTAssertThrowsError(try Ed25519KeyFile.loadOrCreate(at: path), garbage) {
                XCTAssertEqual(($0 as? ChainError)?.code, .badKeyFile)
            }
            // A bad file is reported, never replaced.
            XCTAssertEqual(try String(contentsOfFile: path, encoding: .utf8), garbage)
        }
        XCTAssertThrowsError(try Ed25519KeyFile.loadOrCreate(at: directory)) { XCTAssertEqual(($0 as? ChainError)?.code, .badKeyFile) }
        XCTAssertThrowsError(try Ed25519KeyFile.loadOrCreate(at: directory + "/missing/vspkey"))
    }
}
