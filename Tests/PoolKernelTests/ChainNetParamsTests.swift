import Foundation
@testable import PoolKernel
import XCTest

final class ChainNetParamsTests: XCTestCase {
    private var tempDirectory: URL!

    override func setUpWithError() throws {
        tempDirectory = FileManager.default.temporaryDirectory.appendingPathComponent("chain-netparams-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: tempDirectory, withIntermediateDirectories: true)
    }

    override func tearDownWithError() throws {
        try? FileManager.default.removeItem(at: tempDirectory)
    }

    /// The bundled files agree with every field of the reference netparams.json.
    func testNetParams_bundledMatchReferenceVectors() throws {
        let vectors = try ChainVectors.array("netparams")
        XCTAssertEqual(vectors.count, 4)
        for vector in vectors {
            let name = try vector.string("name")
            let net = try NetParams.named(name)
            XCTAssertEqual(net.name, name)
            XCTAssertEqual(String(format: "0x%08x", net.netMagic), try vector.string("net_magic_hex"))
            XCTAssertEqual(String(net.ports.peer), try vector.string("default_port"))
            XCTAssertEqual(net.addressPrefix, try vector.string("network_address_prefix"))
            let ids = try XCTUnwrap(vector["address_ids"] as? [String: String])
            let hex16 = { (value: UInt16) in String(format: "%04x", value) }
            XCTAssertEqual(hex16(net.addressIDs.pubKey), ids["PubKeyAddrID"])
            XCTAssertEqual(hex16(net.addressIDs.pubKeyHash), ids["PubKeyHashAddrID"])
            XCTAssertEqual(hex16(net.addressIDs.pubKeyHashEd25519), ids["PKHEdwardsAddrID"])
            XCTAssertEqual(hex16(net.addressIDs.pubKeyHashSchnorr), ids["PKHSchnorrAddrID"])
            XCTAssertEqual(hex16(net.addressIDs.scriptHash), ids["ScriptHashAddrID"])
            XCTAssertEqual(hex16(net.addressIDs.privateKey), ids["PrivateKeyID"])
            let hd = try XCTUnwrap(vector["hd_ids"] as? [String: String])
            XCTAssertEqual(String(format: "%08x", net.hdKeyIDs.private), hd["HDPrivateKeyID"])
            XCTAssertEqual(String(format: "%08x", net.hdKeyIDs.public), hd["HDPublicKeyID"])
            let params = try XCTUnwrap(vector["params"] as? [String: Any])
            XCTAssertEqual(net.tickets.maturity, params["TicketMaturity"] as? Int)
            XCTAssertEqual(net.tickets.expiry, params["TicketExpiry"] as? Int)
            XCTAssertEqual(net.tickets.perBlock, params["TicketsPerBlock"] as? Int)
            XCTAssertEqual(net.tickets.poolSize, params["TicketPoolSize"] as? Int)
            XCTAssertEqual(net.tickets.stakeValidationHeight, params["StakeValidationHeight"] as? Int)
            XCTAssertEqual(Int(net.slip44CoinType), params["SLIP0044CoinType"] as? Int)
            XCTAssertEqual(Int(net.legacyCoinType), params["LegacyCoinType"] as? Int)
            XCTAssertEqual(net.targetTimePerBlockSeconds, try vector.int("target_time_per_block_seconds"))
            let genesis = try XCTUnwrap(vector["genesis"] as? ChainVectors.Object)
            XCTAssertEqual(net.genesisHash, try genesis.string("hash"))
            // The genesis hash is BLAKE-256 of the header, displayed byte-reversed.
            XCTAssertEqual(Hex.encode(BLAKE256.hash(try genesis.hex("header_hex")).reversed()), net.genesisHash, name)

            let deployments = try XCTUnwrap(vector["deployments"] as? [String: [ChainVectors.Object]])
            XCTAssertEqual(Set(net.voteVersions.keys), Set(deployments.keys.compactMap(UInt32.init)))
            for (versionText, agendas) in deployments {
                let ours = net.agendas(forVoteVersion: UInt32(versionText) ?? 0)
                XCTAssertEqual(ours.map(\.id), try agendas.map { try $0.string("vote_id") }, "\(name) v\(versionText)")
                for (agenda, reference) in zip(ours, agendas) {
                    XCTAssertEqual(Int(agenda.mask), try reference.int("mask"))
                    XCTAssertEqual(agenda.description, try reference.string("description"))
                    XCTAssertEqual(agenda.forcedChoice, reference["forced_choice_id"] as? String)
                    let choices = try XCTUnwrap(reference["choices"] as? [ChainVectors.Object])
                    XCTAssertEqual(agenda.choices.map(\.id), try choices.map { try $0.string("id") })
                    XCTAssertEqual(agenda.choices.map { Int($0.bits) }, try choices.map { try $0.int("bits") })
                    XCTAssertEqual(agenda.choices.map(\.isNo), choices.map { $0["is_no"] as? Bool ?? false })
                }
            }
        }
    }

    func testNetParams_dcrstakepoolPortsAndNames() throws {
        XCTAssertEqual(NetParams.mainnet.ports.walletRPC, 9110)
        XCTAssertEqual(NetParams.testnet3.ports.walletRPC, 19110)
        XCTAssertEqual(NetParams.simnet.ports.walletRPC, 19557)
        XCTAssertEqual(NetParams.mainnet.ports.stakepoold, 9113)
        XCTAssertEqual(NetParams.simnet.ports.stakepoold, 19560)
        XCTAssertEqual(NetParams.testnet3.shortName, "testnet")
        XCTAssertEqual(try NetParams.named("testnet").name, "testnet3")
        XCTAssertThrowsError(try NetParams.named("moonnet")) { XCTAssertEqual(($0 as? ChainError)?.code, .badNetParams) }
    }

    func testNetParams_forkExampleLoadsWithExtraAgenda() throws {
        let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        let fork = try NetParams.resolve(root.appendingPathComponent("examples/fork-chainparams.json").path)
        XCTAssertEqual(fork.name, "forknet")
        let agendas = fork.agendas(forVoteVersion: 13)
        XCTAssertTrue(agendas.contains { $0.id == "poolfeecap" }, "\(agendas.map(\.id))")
        // Its pubkey addresses encode and decode with the fork's own IDs.
        let key = try Secp256k1.publicKey(privateKey: [UInt8](repeating: 3, count: 32))
        let address = try Address.pubKey(publicKey: key, network: fork)
        XCTAssertEqual(try Address.decode(address.encoded, network: fork).payload, key)
        XCTAssertEqual(try UserPubKeyAddress.validate(address.encoded, poolNetwork: fork).networkName, "forknet")
    }

    func testNetParams_malformedFilesGiveOneSentenceErrors() throws {
        let good = try Data(contentsOf: XCTUnwrap(NetParams.bundledURL(name: "mainnet")))
        var object = try XCTUnwrap(JSONSerialization.jsonObject(with: good) as? [String: Any])
        let cases: [(String, (inout [String: Any]) -> Void)] = [
            ("format", { $0["format"] = "other" }),
            ("addressIDs", { $0["addressIDs"] = ["pubKey": "13"] }),
            ("pubKeyHash", { var ids = $0["addressIDs"] as? [String: String] ?? [:]; ids["pubKeyHash"] = "zz00"; $0["addressIDs"] = ids }),
            ("ports", { $0["ports"] = ["peer": 0, "nodeRPC": 1, "walletRPC": 1, "stakepoold": 1] }),
            ("mask", { $0["voteVersions"] = ["4": [["id": "x", "description": "", "mask": 1, "choices": [], "startTime": 0, "expireTime": 1]]] }),
            ("outside the mask", { $0["voteVersions"] = ["4": [["id": "x", "description": "", "mask": 6, "startTime": 0, "expireTime": 1,
                                                                   "choices": [["id": "a", "description": "", "bits": 8, "isAbstain": false, "isNo": false]]]]] }),
            ("version", { $0["voteVersions"] = ["four": []] }),
        ]
        for (expected, mutate) in cases {
            var copy = object
            mutate(&copy)
            let data = try JSONSerialization.data(withJSONObject: copy)
            XCTAssertThrowsError(try NetParams.decode(json: data, origin: "x.json"), expected) { error in
                XCTAssertEqual((error as? ChainError)?.code, .badNetParams)
                XCTAssertTrue("\(error)".contains("x.json"), "\(error)")
            }
        }
        object["name"] = "renamed"
        XCTAssertEqual(try NetParams.decode(json: JSONSerialization.data(withJSONObject: object)).name, "renamed")
        XCTAssertThrowsError(try NetParams.decode(json: Data("{".utf8)))
        XCTAssertThrowsError(try NetParams.load(contentsOf: tempDirectory.appendingPathComponent("missing.json")))
    }
}
