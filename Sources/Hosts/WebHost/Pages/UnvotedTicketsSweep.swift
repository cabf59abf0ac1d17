import Foundation
import PoolKernel

/// The pool's missed and expired tickets with their owners, for the dashboard. The wallets keep no pool-wide list
/// (`getstakeinfo` only counts them), so a sweep asks them for every account's tickets (`stakepooluserinfo`, the
/// call the tickets page makes), one account at a time, and keeps the newest `keep` such tickets in memory.
///
/// A sweep runs only when the dashboard asks (`requestIfStale`) and the last one finished more than `interval`
/// seconds ago: an idle pool makes no wallet calls. One sweep at a time; an account whose wallet call fails is
/// counted and skipped; a storage failure abandons the sweep and keeps the previous list.
public final class UnvotedTicketsSweep: EngineService {
    /// One missed or expired ticket and its owner.
    public struct Ticket: Sendable, Equatable {
        public var ticket: String
        /// `missed` or `expired`, as the wallet says.
        public var status: String
        public var ticketHeight: UInt32
        /// The revocation's height; 0 while not revoked.
        public var spentByHeight: UInt32
        public var userId: UserId
        public var email: String
    }

    /// A finished sweep.
    public struct Result: Sendable {
        /// Newest first (by purchase height, then hash), at most `keep`.
        public var tickets: [Ticket]
        /// Missed and expired tickets found, beyond `keep` too.
        public var total: Int
        /// Accounts with an address that were asked, and those whose wallet call failed.
        public var accounts: Int
        public var failedAccounts: Int
        /// Unix seconds.
        public var finishedAt: Int64
    }

    /// What the dashboard shows: the last result and, while one runs, how far the sweep got.
    public struct Status: Sendable {
        public var result: Result?
        public var running: (accountsAsked: Int, startedAt: Int64)?
    }

    public static let statuses: Set<String> = ["missed", "expired"]
    public let name = "unvoted-tickets"
    let storage: any StorageBackend
    let tickets: any TicketInfoSource
    let interval: Int64
    let keep: Int
    let clock: @Sendable () -> Int64
    let logger: Logger
    private let state = LockedValue(State())
    private let wakeups: AsyncStream<Void>
    private let wake: AsyncStream<Void>.Continuation

    private struct State: Sendable {
        var result: Result?
        var running: (accountsAsked: Int, startedAt: Int64)?
        var requested = false
    }

    /// - Parameters:
    ///   - interval: seconds a finished sweep is shown before the dashboard's next visit starts another.
    ///   - keep: how many tickets a sweep keeps (the newest).
    public init(storage: any StorageBackend, tickets: any TicketInfoSource, interval: Int64 = 600, keep: Int = 10_000,
                logger: Logger, clock: @escaping @Sendable () -> Int64 = { Int64(Date().timeIntervalSince1970) }) {
        self.storage = storage
        self.tickets = tickets
        self.interval = interval
        self.keep = max(1, keep)
        self.clock = clock
        self.logger = logger
        (wakeups, wake) = AsyncStream.makeStream(of: Void.self, bufferingPolicy: .bufferingNewest(1))
    }

    /// Waits for requests and sweeps; ends when cancelled.
    public func run() async throws {
        for await _ in wakeups {
            guard !Task.isCancelled else { return }
            await sweep()
        }
    }

    public var status: Status {
        let value = state.value
        return Status(result: value.result, running: value.running)
    }

    /// Asks for a sweep when none ran yet or the last is older than `interval` (and none runs or is asked for).
    public func requestIfStale() {
        let now = clock()
        let wanted = state.withLock { state -> Bool in
            guard state.running == nil, !state.requested else { return false }
            if let result = state.result, now - result.finishedAt < interval { return false }
            state.requested = true
            return true
        }
        if wanted { wake.yield() }
    }

    /// One sweep over every account with an address, in id order; returns its result (also kept), or nil when
    /// storage failed or the task was cancelled.
    @discardableResult
    public func sweep() async -> Result? {
        let started = clock()
        state.withLock { state in
            state.requested = false
            state.running = (0, started)
        }
        defer { state.withLock { $0.running = nil } }
        var found: [Ticket] = [], total = 0, accounts = 0, failed = 0
        var after = UserId(0)
        do {
            while true {
                try Task.checkCancellation()
                let page = try await storage.read { [after] in try $0.users(afterId: after, limit: 500) }
                guard let last = page.last else { break }
                after = last.id
                for user in page where !user.multiSigAddress.isEmpty {
                    accounts += 1
                    do {
                        let info = try await tickets.stakePoolUserInfo(multisigAddress: user.multiSigAddress)
                        for ticket in info.tickets where Self.statuses.contains(ticket.status) {
                            total += 1
                            found.append(Ticket(ticket: ticket.ticket.hex, status: ticket.status, ticketHeight: ticket.ticketHeight,
                                                spentByHeight: ticket.spentByHeight, userId: user.id, email: user.email))
                        }
                    } catch {
                        failed += 1
                    }
                    if found.count > 2 * keep { found = Self.newest(found, keep) }
                }
                state.withLock { $0.running = (accounts, started) }
            }
        } catch {
            if !(error is CancellationError) { logger.warn("missed and expired tickets: sweep abandoned: \(error)") }
            return nil
        }
        let result = Result(tickets: Self.newest(found, keep), total: total, accounts: accounts, failedAccounts: failed,
                            finishedAt: clock())
        state.withLock { $0.result = result }
        logger.info("missed and expired tickets: \(total) found over \(accounts) accounts (\(failed) unanswered)")
        return result
    }

    /// The `count` newest tickets: highest purchase height first, then by hash.
    static func newest(_ tickets: [Ticket], _ count: Int) -> [Ticket] {
        Array(tickets.sorted { ($0.ticketHeight, $1.ticket) > ($1.ticketHeight, $0.ticket) }.prefix(count))
    }
}
