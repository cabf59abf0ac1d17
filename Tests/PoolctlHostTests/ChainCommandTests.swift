import Foundation
import HostKit
import PoolKernel
import PoolctlHost
import XCTest

final class ChainCommandTests: XCTestCase {
    private final class Capture: @unchecked Sendable {
        // Only touched from the test's thread (ChainCommand.run is synchronous).
        var out: [String] = []
        var err: [String] = []
        var output: HostOutput { HostOutput(out: { self.out.append($0) }, err: { self.err.append($0) }) }
    }

    private func run(_ args: [String], stdin: Data = Data()) -> (Int32, String, String) {
        let capture = Capture()
        let code = ChainCommand.run(args, output: capture.output, stdin: { stdin })
        return (code, capture.out.joined(separator: "\n"), capture.err.joined(separator: "\n"))
    }

    func testChainCommand_blake256HexAndStdin() {
        let (code, out, _) = run(["blake256", "616263"])
        XCTAssertEqual(code, 0)
        XCTAssertEqual(out, Hex.encode(BLAKE256.hash(Array("abc".utf8))))
        XCTAssertEqual(run(["blake256", "-"], stdin: Data("abc".utf8)).1, out)
        let (bad, _, err) = run(["blake256", "zz"])
        XCTAssertEqual(bad, 2)
        XCTAssertTrue(err.lowercased().contains("hex"), err)
    }

    func testChainCommand_addrDecodeAndWrongNetwork() throws {
        let key = try Secp256k1Fixture.publicKey()
        let address = try Address.pubKeyHash(publicKey: key, network: .simnet).encoded
        let (code, out, _) = run(["addr", "decode", address])
        XCTAssertEqual(code, 0)
        XCTAssertTrue(out.contains("network: simnet"), out)
        XCTAssertTrue(out.contains("type: p2pkh-ecdsa-secp256k1"), out)
        let (bad, _, err) = run(["addr", "decode", address, "--net", "mainnet"])
        XCTAssertEqual(bad, 2)
        XCTAssertTrue(err.contains("simnet"), err)
        XCTAssertEqual(run(["addr", "decode", "notanaddress"]).0, 2)
    }

    func testChainCommand_hdDeriveMultisigParams() throws {
        // Reference public derivation vector: dpub at depth 3, child 0.
        let xpub = "dpubZF8BRmciAzYoTjXZ3bbRWLVCwUKtTquact3Tr6ye77Rgmw76VyqMb9TB9KpfrvUYEM5d1Au4fQzE2BbtxRjwzGsqnWHmtQP9UV1kxZaqvb6"
        let (code, out, _) = run(["hd", "derive", xpub, "0/1"])
        XCTAssertEqual(code, 0, out)
        // Expected child from shared/vectors/hdkeychain.json ("test vector 1 chain m/0/1", dcrd's extendedkey_test.go).
        XCTAssertTrue(out.contains("xpub: dpubZKtA6UTDuxeXV2PcYqoe68u7cgDhbTNbA4dUJoaAvfWzuCcRQCyG5S6dbpDZb2p3B5Y2XxLtD94Nemc8QRV4RspmvGwHvE2FZsfE5Pqpeor"), out)
        let childKey = try Hex.decode("02e290a2ca334754f8500e8dd1f5e850f3b66c7a96145b140273d74beda0d6d05e")
        XCTAssertTrue(out.contains("p2pkh: \(try Address.pubKeyHash(publicKey: childKey, network: .mainnet).encoded)"), out)
        XCTAssertEqual(run(["hd", "derive", xpub, "2147483648"]).0, 2)

        let pool = try Address.pubKey(publicKey: Secp256k1Fixture.publicKey(), network: .testnet3).encoded
        let (msCode, msOut, _) = run(["multisig", pool, pool, "--net", "testnet3"])
        XCTAssertEqual(msCode, 0)
        XCTAssertTrue(msOut.hasPrefix("script: 5121"), msOut)
        XCTAssertTrue(msOut.contains("p2sh: Tc"), msOut)
        XCTAssertEqual(run(["multisig", pool, pool]).0, 2) // --net is required

        let (pCode, pOut, _) = run(["params", "--net=simnet"])
        XCTAssertEqual(pCode, 0)
        XCTAssertTrue(pOut.contains("wallet rpc 19557"), pOut)
        XCTAssertTrue(pOut.contains("lnfeatures"), pOut)
        XCTAssertEqual(run(["params", "--net", "nonet"]).0, 2)
        XCTAssertEqual(run(["frobnicate"]).0, 2)
        XCTAssertEqual(run([]).0, 2)
    }
}

private enum Secp256k1Fixture {
    /// The compressed pubkey of private key 1 (the generator), from a reference vector's address.
    static func publicKey() throws -> [UInt8] {
        try Address.decode("DkM3QDPFSVxAsDpbP9e3fMCDFThsBbAtRsjkwcAeAfsfNKMJYwhz9", network: .mainnet).payload
    }
}
