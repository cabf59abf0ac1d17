import Foundation
import PoolKernel

/// The background service that erases the email address of closed accounts once none of their tickets can still
/// vote (issue 21 item 6).
///
/// A ticket can vote until ticket maturity + ticket expiry blocks after it was mined, so an account closed at
/// height H is due at `H + votingWindow`. The pool's wallets are asked as well: a ticket bought after closing
/// (the wallet still has the script) keeps the email until it is no longer live. Erasing replaces email and
/// username with a unique placeholder (`closed-<id>@erased.invalid`), so the address can sign up again; the
/// voting columns stay. Any web host may run it: each erasure is one transaction and idempotent.
public struct ClosedAccountEraser: EngineService {
    public let name = "account-erasure"
    public let interval: Duration
    /// Ticket maturity + ticket expiry of the network, in blocks.
    public let votingWindow: Int64
    private let storage: any StorageBackend
    private let tickets: any TicketInfoSource
    private let logger: Logger

    public init(storage: any StorageBackend, tickets: any TicketInfoSource, votingWindow: Int64,
                interval: Duration = .seconds(600), logger: Logger) {
        self.storage = storage
        self.tickets = tickets
        self.votingWindow = votingWindow
        self.interval = interval
        self.logger = logger
    }

    /// The placeholder that replaces a closed account's email address.
    public static func placeholderEmail(for id: UserId) -> String { "closed-\(id.rawValue)@erased.invalid" }

    public func run() async throws {
        // Wallets or storage briefly unreachable: the next pass catches up.
        await repeatPass(every: interval, onFailure: { logger.warn("closed-account erasure failed: \($0)") }) {
            try await eraseOnce()
        }
    }

    /// Erases every due email address; returns how many were erased.
    @discardableResult
    public func eraseOnce() async throws -> Int {
        let height = try await tickets.bestBlockHeight()
        let window = votingWindow
        let due = try await storage.read { try $0.closedAccountsAwaitingErasure(maxClosedHeight: height - window) }
        var erased = 0
        for account in due {
            guard let user = try await storage.user(id: account.userId) else { continue }
            if !user.multiSigAddress.isEmpty {
                let info = try await tickets.stakePoolUserInfo(multisigAddress: user.multiSigAddress)
                if info.tickets.contains(where: { $0.status == "live" }) { continue }
            }
            let placeholder = Self.placeholderEmail(for: account.userId)
            try await storage.write { tx in
                guard var row = try tx.userForUpdate(id: account.userId) else { return }
                row.email = placeholder
                row.username = placeholder
                row.emailToken = ""
                try tx.updateUser(row)
                try tx.markClosedAccountEmailErased(userId: account.userId)
            }
            erased += 1
            logger.info("erased the email address of closed account \(account.userId) at height \(height)")
        }
        return erased
    }
}
