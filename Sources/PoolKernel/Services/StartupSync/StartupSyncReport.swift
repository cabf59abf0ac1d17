/// What the startup sync did (also printed by `poolctl wallets sync`).
public struct StartupSyncReport: Sendable, Equatable, CustomStringConvertible {
    /// The vote version all wallets agreed on (0 when the vote-bits step did not run).
    public var voteVersion: UInt32 = 0
    public var usersChecked = 0
    /// Users whose `VoteBitsVersion` was moved to `voteVersion`.
    public var voteBitsVersionUpdated = 0
    /// Users whose `VoteBits` were reset to 1 (new vote version or invalid for the agendas).
    public var voteBitsReset = 0
    /// Distinct redeem scripts known to the database or any wallet.
    public var totalScripts = 0
    /// Scripts imported, per wallet.
    public var scriptsImported: [Int] = []
    /// Distinct tickets known to any wallet.
    public var totalTickets = 0
    /// Tickets added (`addticket`), per wallet.
    public var ticketsAdded: [Int] = []
    /// Interrupted address submissions completed.
    public var pendingCompleted = 0

    public init() {}

    /// One readable line for the log: `vote version 6; users checked 12, …; interrupted registrations completed 0`.
    public var description: String {
        let perWallet = { (counts: [Int]) in counts.isEmpty ? "none" : counts.map(String.init).joined(separator: "/") }
        return "vote version \(voteVersion); users checked \(usersChecked), vote-bits versions updated \(voteBitsVersionUpdated), "
            + "vote bits reset \(voteBitsReset); scripts \(totalScripts) (imported per wallet \(perWallet(scriptsImported))); "
            + "tickets \(totalTickets) (added per wallet \(perWallet(ticketsAdded))); "
            + "interrupted registrations completed \(pendingCompleted)"
    }
}
