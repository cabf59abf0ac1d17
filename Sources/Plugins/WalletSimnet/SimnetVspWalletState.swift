/// What one simulated wallet holds as today's dcrwallet (API 11.x), the voting wallet vspd drives
/// (vspd-api.md §8.2): imported voting keys, the tickets added with `addtransaction`, and the choices and
/// treasury/tspend policies set on each ticket. Separate from the v1.1-era state (imported multisig scripts):
/// one wallet can answer both protocols.
struct SimnetVspWalletState: Sendable {
    /// hash160 of every imported voting key's compressed public key.
    var votingKeys: Set<[UInt8]> = []
    /// Tickets added with `addtransaction`, in the order they were added.
    var tickets: [SimHash: SimnetVspTicketSettings] = [:]
    var ticketOrder: [SimHash] = []
    /// `setvotechoice` without a ticket: the wallet's default choice per agenda.
    var defaultChoices: [String: String] = [:]
    var defaultTSpendPolicy: [String: String] = [:]
    var defaultTreasuryPolicy: [String: String] = [:]
}

/// The per-ticket settings of a vsp voting wallet.
struct SimnetVspTicketSettings: Sendable, Equatable {
    /// Agenda → choice.
    var choices: [String: String] = [:]
    /// TSpend hash → policy.
    var tSpendPolicy: [String: String] = [:]
    /// Treasury key (hex) → policy.
    var treasuryPolicy: [String: String] = [:]
}
