import PoolKernel
import XCTest

/// What the wallet suite hands a `VspWalletBackend`: a voting key, a mined ticket and an agenda the wallet knows.
public struct VspWalletFixture: Sendable {
    public var votingWIF: String
    public var ticket: DecredTransaction
    /// The block the ticket was mined in.
    public var blockHash: String
    /// An agenda of the wallet's vote version and one of its choices.
    public var agenda: String
    public var choice: String

    public init(votingWIF: String, ticket: DecredTransaction, blockHash: String, agenda: String, choice: String) {
        self.votingWIF = votingWIF
        self.ticket = ticket
        self.blockHash = blockHash
        self.agenda = agenda
        self.choice = choice
    }

    /// A simnet WIF (dcrd's `wif.json` vector), a sample ticket and the agenda of vote versions 11/12.
    public static let sample = VspWalletFixture(
        votingWIF: "PsURoUb7FMeJQdTYea8pkbUQFBZAsxtfDcfTLGja5sCLZvLZWRtjK", ticket: VspChainSamples.ticket(seed: 0x31),
        blockHash: String(format: "%064x", 0xb10c_0042), agenda: "maxtreasuryspend", choice: "no")
}

/// The `VspWalletBackend` contract (dcrwallet API 11.x as the vspd front drives it) as tests. Subclass it in a
/// backend's test target, override `makeWallet()` (and `fixture` when the wallet needs other chain facts), and
/// declare one test that runs the suite:
///
/// ```swift
/// final class MyVspWalletTests: VspWalletBackendConformanceTests {
///     override func makeWallet() async throws -> (any VspWalletBackend)? { MyWallet(...) }
///     func testMyVspWallet_conformance() async throws { try await runVspWalletConformance() }
/// }
/// ```
open class VspWalletBackendConformanceTests: XCTestCase {
    /// A fresh wallet client for one check, or nil (the base class).
    open func makeWallet() async throws -> (any VspWalletBackend)? { nil }

    /// The key, ticket and agenda the checks use.
    open var fixture: VspWalletFixture { .sample }

    /// The network magic the wallet must report (simnet by default).
    open var expectedNet: UInt32 { 0x1214_1c16 }

    public var vspWalletChecks: [ConformanceCheck] {
        [
            ("walletInfoIsReadable", checkVspWallet_walletInfoIsReadable),
            ("importingAKeyTwiceSucceeds", checkVspWallet_importingAKeyTwiceSucceeds),
            ("addingATransactionTwiceSucceeds", checkVspWallet_addingATransactionTwiceSucceeds),
            ("unknownAgendaIsNamed", checkVspWallet_unknownAgendaIsNamed),
            ("choicesSetShowInTicketInfo", checkVspWallet_choicesSetShowInTicketInfo),
            ("treasuryPoliciesAreAccepted", checkVspWallet_treasuryPoliciesAreAccepted),
            ("rescanIsAccepted", checkVspWallet_rescanIsAccepted),
            ("bestBlockNetworkAndVersion", checkVspWallet_bestBlockNetworkAndVersion),
            ("concurrentCallsAllComplete", checkVspWallet_concurrentCallsAllComplete),
            ("callsAfterCloseFailWithShutdown", checkVspWallet_callsAfterCloseFailWithShutdown),
        ]
    }

    public func runVspWalletConformance(failSkips: Bool = TestEnvironment.isCI, file: StaticString = #filePath,
                                        line: UInt = #line) async throws {
        guard let probe = try await makeWallet() else { throw XCTSkip("base conformance class: no backend") }
        await probe.close()
        var outcome: (any Error)?
        do {
            try await ConformanceRunner.run("vsp wallet", vspWalletChecks, failSkips: failSkips, file: file, line: line)
        } catch {
            outcome = error
        }
        for wallet in opened.value { await wallet.close() }
        opened.withLock { $0 = [] }
        if let outcome { throw outcome }
    }

    private let opened = LockedValue<[any VspWalletBackend]>([])

    private func wallet() async throws -> any VspWalletBackend {
        guard let wallet = try await makeWallet() else { throw XCTSkip("base conformance class: no backend") }
        opened.withLock { $0.append(wallet) }
        return wallet
    }

    /// A wallet that holds the fixture's key and ticket.
    private func walletWithTicket() async throws -> any VspWalletBackend {
        let wallet = try await wallet()
        try await wallet.importPrivateKey(wif: fixture.votingWIF)
        try await wallet.addTransaction(blockHash: fixture.blockHash, transactionHex: VspChainSamples.hex(fixture.ticket))
        return wallet
    }

    public func checkVspWallet_walletInfoIsReadable() async throws {
        let wallet = try await wallet()
        let info = try await wallet.walletInfo()
        XCTAssertGreaterThan(info.voteVersion, 0, "walletinfo carries the vote version")
    }

    public func checkVspWallet_importingAKeyTwiceSucceeds() async throws {
        let wallet = try await wallet()
        try await wallet.importPrivateKey(wif: fixture.votingWIF)
        try await wallet.importPrivateKey(wif: fixture.votingWIF)
    }

    public func checkVspWallet_addingATransactionTwiceSucceeds() async throws {
        let wallet = try await wallet()
        let hex = VspChainSamples.hex(fixture.ticket)
        try await wallet.addTransaction(blockHash: fixture.blockHash, transactionHex: hex)
        try await wallet.addTransaction(blockHash: fixture.blockHash, transactionHex: hex)
    }

    public func checkVspWallet_unknownAgendaIsNamed() async throws {
        let wallet = try await walletWithTicket()
        await assertVspRPCErrorMessage("no agenda with ID", "setvotechoice for an unknown agenda") {
            try await wallet.setVoteChoice(agenda: "nosuchagenda", choice: "yes", ticketHash: self.fixture.ticket.txid)
        }
    }

    public func checkVspWallet_choicesSetShowInTicketInfo() async throws {
        let wallet = try await walletWithTicket()
        let ticket = fixture.ticket.txid
        try await wallet.setVoteChoice(agenda: fixture.agenda, choice: fixture.choice, ticketHash: ticket)
        let tickets = try await wallet.ticketInfo(startHeight: 0)
        let entry = try XCTUnwrap(tickets.first { $0.hash == ticket }, "ticketinfo lists the added ticket")
        XCTAssertEqual(entry.choices[fixture.agenda], fixture.choice, "the choice set on this ticket")
        XCTAssertFalse(entry.status.isEmpty, "a status")
    }

    public func checkVspWallet_treasuryPoliciesAreAccepted() async throws {
        let wallet = try await walletWithTicket()
        let ticket = fixture.ticket.txid
        try await wallet.setTSpendPolicy(tspendHash: String(repeating: "5a", count: 32), policy: "yes", ticketHash: ticket)
        try await wallet.setTreasuryPolicy(key: "02" + String(repeating: "a1", count: 32), policy: "no", ticketHash: ticket)
    }

    public func checkVspWallet_rescanIsAccepted() async throws {
        let wallet = try await wallet()
        try await wallet.rescan(from: 0)
    }

    public func checkVspWallet_bestBlockNetworkAndVersion() async throws {
        let wallet = try await wallet()
        let best = try await wallet.bestBlock()
        XCTAssertTrue(VspNodeBackendConformanceTests.isHash(best.hash), "best block hash \(best.hash)")
        XCTAssertGreaterThanOrEqual(best.height, 0)
        let net = try await wallet.currentNet()
        XCTAssertEqual(net, expectedNet, "getcurrentnet")
        let versions = try await wallet.version()
        let api = try XCTUnwrap(versions[APIVersion.walletAPIName], "version lists \(APIVersion.walletAPIName)")
        XCTAssertTrue(api.isCompatible(withRequired: APIVersion(major: 11, minor: 0, patch: 0)), "API \(api.versionString) is 11.0+")
    }

    public func checkVspWallet_concurrentCallsAllComplete() async throws {
        let wallet = try await wallet()
        try await ConformanceAssertions.concurrentCallsAgree { try await wallet.bestBlock() }
    }

    public func checkVspWallet_callsAfterCloseFailWithShutdown() async throws {
        let wallet = try await wallet()
        try await ConformanceAssertions.failsAfterClose("wallet", close: { await wallet.close() }) { try await wallet.walletInfo() }
    }
}

/// Asserts that `body` fails with a JSON-RPC error whose message contains `text` (any code: dcrwallet's vary).
public func assertVspRPCErrorMessage<T>(_ text: String, _ what: String, _ body: () async throws -> T,
                                        file: StaticString = #filePath, line: UInt = #line) async {
    do {
        _ = try await body()
        XCTFail("\(what): expected an RPC error", file: file, line: line)
    } catch let error as WalletError {
        XCTAssertEqual(error.code, .walletRPC, "\(what): \(error)", file: file, line: line)
        XCTAssertTrue(error.rpcMessage?.contains(text) == true, "\(what): \(error) should contain \"\(text)\"", file: file, line: line)
    } catch {
        XCTFail("\(what): expected a WalletError, got \(error)", file: file, line: line)
    }
}
