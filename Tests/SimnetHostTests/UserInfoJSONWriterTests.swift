import Foundation
import PoolKernel
import PoolNet
import SimnetHost
import WalletDcrwallet
import WalletSimnet
import XCTest

/// simwallet writes `stakepooluserinfo` straight into bytes; the bytes must be exactly those of the `JSONValue` tree
/// it used to build (`WalletWire.json(_: StakePoolUserInfo).encoded()`, dcrwallet v1.1.0's shape): same members,
/// same order, `null` for an empty list, the invalid tickets after the others.
final class UserInfoJSONWriterTests: XCTestCase {
    func testWriter_portAnswersAreTheTreesBytes() {
        let zero = StakePoolUserTicket.zeroHash
        let hash = TicketHash(w0: 0xabab_abab_abab_abab, w1: 1, w2: 0x0123_4567_89ab_cdef, w3: .max)
        let cases: [StakePoolUserInfo] = [
            StakePoolUserInfo(),
            StakePoolUserInfo(invalid: [hash]),
            StakePoolUserInfo(tickets: [StakePoolUserTicket(status: "live", ticket: hash, ticketHeight: 0)]),
            StakePoolUserInfo(tickets: [
                StakePoolUserTicket(status: "voted", ticket: hash, ticketHeight: 9, spentBy: zero, spentByHeight: 10),
                StakePoolUserTicket(status: "missed", ticket: zero, ticketHeight: 10, spentByHeight: 4_294_967_295),
                StakePoolUserTicket(status: "\"<é𝄞>\\\n\u{1}", ticket: hash, ticketHeight: 4_294_967_295,
                                    spentBy: hash, spentByHeight: 100),
            ], invalid: [zero, hash, hash]),
        ]
        for info in cases {
            XCTAssertEqual(String(decoding: encoded(UserInfoJSONWriter.result(info)), as: UTF8.self),
                           String(decoding: WalletWire.json(info).encoded(), as: UTF8.self))
        }
        XCTAssertEqual(String(decoding: encoded(UserInfoJSONWriter.result(StakePoolUserInfo())), as: UTF8.self),
                       #"{"tickets":null,"invalid":null}"#, "dcrwallet sends nil slices as null")
    }

    /// A simwallet user with tickets of every status (immature and live both "live", voted with its vote's hash,
    /// missed, expired, and invalid ones with too low a pool fee), asked over the real JSON-RPC server: the reply's
    /// result is byte for byte the old tree of the same answer, and the pool's client reads it back whole.
    func testSimwallet_stakepooluserinfoReplyIsTheTreesBytes() async throws {
        var parameters = SimnetParameters.simnet
        parameters.ticketExpiry = 20 // tickets expire within a short test chain
        let simnet = Simnet(configuration: .init(seed: 24, walletCount: 2, parameters: parameters), logger: .disabled)
        let host = try SimnetRPCHost(simnet: simnet, configuration: .init(
            nodePort: 0, walletPorts: [0, 0], user: "u", password: "p", certificateDirectory: nil), logger: .disabled)
        let (_, walletAddresses) = try host.start()
        defer { host.stop() }
        let user = try simnet.registerUser(7)
        let stranger = try simnet.registerUser(8)
        simnet.mine(120)
        _ = try simnet.buyTickets(ticketAddress: user.ticketAddress, feeAddress: user.feeAddress, count: 150)
        _ = try simnet.buyTickets(ticketAddress: user.ticketAddress, feeAddress: user.feeAddress, count: 3, poolFee: .tooLow)
        _ = try simnet.buyTickets(ticketAddress: stranger.ticketAddress, feeAddress: stranger.feeAddress, count: 10)
        for _ in 0..<45 {
            simnet.mine(1)
            // Leave every third block's winners unvoted: they are missed.
            if simnet.stats.height % 3 != 0 { simnet.voteWinners(wallet: 0) }
            if simnet.stats.height == 140 { // mature by the end, most not yet drawn: live
                _ = try simnet.buyTickets(ticketAddress: user.ticketAddress, feeAddress: user.feeAddress, count: 80)
            }
        }
        _ = try simnet.buyTickets(ticketAddress: user.ticketAddress, feeAddress: user.feeAddress, count: 3)
        simnet.mine(1)

        let inProcess = try await SimnetWalletBackend(simnet: simnet, walletIndex: 1)
            .stakePoolUserInfo(multisigAddress: user.ticketAddress)
        let tip = Int64(simnet.stats.height)
        let maturity = Int64(parameters.ticketMaturity)
        let kinds = Dictionary(grouping: inProcess.tickets) { ticket -> String in
            ticket.status == "live" && tip - Int64(ticket.ticketHeight) < maturity ? "immature" : ticket.status
        }
        for kind in ["immature", "live", "voted", "missed", "expired"] {
            XCTAssertGreaterThanOrEqual(kinds[kind]?.count ?? 0, 2, "several \(kind) tickets: \(kinds.mapValues(\.count))")
        }
        XCTAssertEqual(inProcess.invalid.count, 3)
        XCTAssertTrue(kinds["voted"]?.allSatisfy { $0.spentBy != StakePoolUserTicket.zeroHash } ?? false, "votes name their hash")

        let client = try JSONRPCClient(configuration: JSONRPCClientConfiguration(
            address: walletAddresses[1], user: "u", password: "p", name: "raw"), logger: .disabled)
        try await client.connect()
        defer { client.close() }
        let reply = try await client.callRaw("stakepooluserinfo", [.string(user.ticketAddress)])
        XCTAssertEqual(String(decoding: reply.bytes[reply.range], as: UTF8.self),
                       String(decoding: WalletWire.json(inProcess).encoded(), as: UTF8.self))
        let nobody = try await client.callRaw("stakepooluserinfo", [.string(try simnet.registerUser(9).ticketAddress)])
        XCTAssertEqual(String(decoding: nobody.bytes[nobody.range], as: UTF8.self), #"{"tickets":null,"invalid":null}"#)
        for bad: [JSONValue] in [[], [1], [.string(user.ticketAddress), .string("x")]] {
            do {
                _ = try await client.call("stakepooluserinfo", bad)
                XCTFail("stakepooluserinfo \(bad) must fail")
            } catch let error as NetError {
                XCTAssertEqual(error.rpcCode, WalletRPCCode.invalidRequest, "\(bad)")
            }
        }

        let wallet = try DcrwalletBackend(configuration: RPCEndpointConfiguration(
            host: walletAddresses[1].description, defaultPort: walletAddresses[1].port, user: "u", password: "p",
            certificatePath: nil, disableTLS: true, callTimeout: .seconds(10), name: "wallet 1"), logger: .disabled)
        try await wallet.connect()
        defer { Task { await wallet.close() } }
        let overTheWire = try await wallet.stakePoolUserInfo(multisigAddress: user.ticketAddress)
        XCTAssertEqual(overTheWire, inProcess)
    }

    private func encoded(_ raw: RawJSON) -> [UInt8] { Array(raw.bytes[raw.range]) }
}
