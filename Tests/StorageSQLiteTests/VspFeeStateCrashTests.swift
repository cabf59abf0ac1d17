import Foundation
import PoolKernel
import PoolTestKit
import StorageSQLite
import XCTest

/// `kill -9` of a process writing vspd fee state to SQLite (issue 24 item 2: the voting key and fee state never
/// lost). The test binary runs itself as the child (this same test, with `childVariable` naming the database): the
/// child stores a paid ticket, moves its fee to `broadcast` as the block handler does, says so on stdout, then keeps
/// registering and paying further tickets until the parent SIGKILLs it in the middle. The parent then reopens the
/// database: the announced ticket has its voting key, fee transaction and status, and every other ticket is whole
/// (its key and fee written together, or not at all).
final class VspFeeStateCrashTests: XCTestCase {
    private static let childVariable = "HXSTAKEPOOL_VSP_CRASH_CHILD_DB"
    private static let committed = "vsp fee state committed"

    private static func ticket(_ n: Int) -> VspTicket {
        var ticket = StorageConformanceTests.paidVspTicket(n)
        ticket.confirmed = true
        ticket.purchaseHeight = 100
        return ticket
    }

    func testVspFeeState_survivesKillNineOfTheWriter() async throws {
        if let path = ProcessInfo.processInfo.environment[Self.childVariable] {
            try await runChild(path)
            return
        }
        let directory = try TestEnvironment.makeTemporaryDirectory(prefix: "vsp-crash")
        defer { try? FileManager.default.removeItem(at: directory) }
        let database = directory.appendingPathComponent("pool.sqlite").path
        let log = directory.appendingPathComponent("child.log")
        _ = FileManager.default.createFile(atPath: log.path, contents: nil)
        let output = try FileHandle(forWritingTo: log)
        defer { try? output.close() }
        let child = Process()
        child.executableURL = URL(fileURLWithPath: CommandLine.arguments[0])
        child.arguments = ["StorageSQLiteTests.VspFeeStateCrashTests/testVspFeeState_survivesKillNineOfTheWriter"]
        child.environment = ProcessInfo.processInfo.environment.merging([Self.childVariable: database]) { $1 }
        child.standardOutput = output
        child.standardError = output
        try child.run()
        defer { if child.isRunning { kill(child.processIdentifier, SIGKILL); child.waitUntilExit() } }

        var announced = false
        for _ in 0..<6_000 where !announced {
            announced = ((try? String(contentsOf: log, encoding: .utf8)) ?? "").contains(Self.committed)
            if !announced { try await Task.sleep(for: .milliseconds(10)) }
        }
        XCTAssertTrue(announced, "child never committed: \((try? String(contentsOf: log, encoding: .utf8)) ?? "")")
        try await Task.sleep(for: .milliseconds(50))  // let it get into the middle of later writes
        XCTAssertTrue(child.isRunning, "the child writes until it is killed")
        kill(child.processIdentifier, SIGKILL)
        child.waitUntilExit()
        XCTAssertEqual(child.terminationReason, .uncaughtSignal)

        let storage = SQLiteStorage(configuration: .init(path: database), logger: .disabled)
        try await storage.migrate()
        let first = try await storage.read { try $0.vspTicket(hash: Self.ticket(0).hash) }
        var expected = Self.ticket(0)
        expected.feeTxStatus = .broadcast
        XCTAssertEqual(first, expected, "the voting key, fee transaction and broadcast status survive kill -9")
        let all = try await storage.read { try $0.vspTickets(confirmed: true) }
        XCTAssertGreaterThan(all.count, 1, "the child was killed while writing more tickets")
        for ticket in all where ticket.hash != expected.hash {
            let n = Int(ticket.feeAddressIndex)
            if ticket.feeTxStatus == .none {
                XCTAssertEqual(ticket.fee, VspFeeState(feeAmount: Self.ticket(n).feeAmount, feeExpiration: Self.ticket(n).feeExpiration))
            } else {
                XCTAssertEqual(ticket.fee, Self.ticket(n).fee, "ticket \(n): key and fee written together")
            }
        }
        await storage.shutdown()
    }

    /// The child: the announced write, then more tickets (each quoted, then paid in a second transaction, as
    /// feeaddress and payfee do) until killed.
    private func runChild(_ path: String) async throws {
        let storage = SQLiteStorage(configuration: .init(path: path), logger: .disabled)
        try await storage.migrate()
        try await storage.write { try $0.insertVspTicket(Self.ticket(0)) }
        let moved = try await storage.write {
            try $0.moveVspFeeTxStatus(ticketHash: Self.ticket(0).hash, from: .received, to: .broadcast)
        }
        XCTAssertTrue(moved)
        FileHandle.standardOutput.write(Data("\(Self.committed)\n".utf8))
        for n in 1..<1_000_000 {
            let paid = Self.ticket(n)
            var quoting = paid
            quoting.fee = VspFeeState(feeAmount: paid.feeAmount, feeExpiration: paid.feeExpiration)
            let quoted = quoting
            try await storage.write { try $0.insertVspTicket(quoted) }
            _ = try await storage.write { try $0.updateVspFee(ticketHash: paid.hash, paid.fee, ifStatusIn: [.none]) }
        }
    }
}
