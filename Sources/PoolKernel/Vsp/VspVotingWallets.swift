/// The vspd front's voting wallets as the block handler uses them (vspd-api.md §8.2 step 3 and the consistency
/// pass): a ticket handed to every wallet, errors logged and counted per wallet, never thrown — one wallet down
/// must not hold up the others; the consistency pass catches it up later.
public struct VspVotingWallets: Sendable {
    public let wallets: [any VspWalletBackend]
    /// One label per wallet (logs, the `wallet` metric label).
    public let labels: [String]
    let logger: Logger
    let metrics: VspBlockHandlerMetrics

    public init(wallets: [any VspWalletBackend], labels: [String], logger: Logger, metrics: VspBlockHandlerMetrics) {
        self.wallets = wallets
        self.labels = labels.count == wallets.count ? labels : wallets.indices.map { "wallet \($0)" }
        self.logger = logger
        self.metrics = metrics
    }

    /// dcrwallet's answer to `setvotechoice` for an agenda it does not know; vspd then forgets that choice.
    static let unknownAgendaText = "no agenda with ID"

    /// Gives one wallet the ticket: `importprivkey` and `addtransaction`, then, if both worked, every stored
    /// consensus choice and tspend/treasury policy. Returns whether the ticket got there and the agendas the
    /// wallet does not know (to drop from the stored map).
    func load(_ ticket: VspTicket, raw: VspRawTransaction, on index: Int) async -> (loaded: Bool, unknownAgendas: Set<String>) {
        let wallet = wallets[index]
        do {
            try await wallet.importPrivateKey(wif: ticket.votingWIF)
            try await wallet.addTransaction(blockHash: raw.blockHash, transactionHex: raw.hex)
        } catch {
            failed(index, "importing ticket \(ticket.hash)", error)
            return (false, [])
        }
        var unknown = Set<String>()
        for (agenda, choice) in ticket.voteChoices.sorted(by: { $0.key < $1.key }) {
            do {
                try await wallet.setVoteChoice(agenda: agenda, choice: choice, ticketHash: ticket.hash)
            } catch {
                if Self.isUnknownAgenda(error) { unknown.insert(agenda) }
                failed(index, "setvotechoice \(agenda)=\(choice) on ticket \(ticket.hash)", error)
            }
        }
        for (tspend, policy) in ticket.tSpendPolicy.sorted(by: { $0.key < $1.key }) {
            do { try await wallet.setTSpendPolicy(tspendHash: tspend, policy: policy, ticketHash: ticket.hash) } catch {
                failed(index, "settspendpolicy \(tspend) on ticket \(ticket.hash)", error)
            }
        }
        for (key, policy) in ticket.treasuryPolicy.sorted(by: { $0.key < $1.key }) {
            do { try await wallet.setTreasuryPolicy(key: key, policy: policy, ticketHash: ticket.hash) } catch {
                failed(index, "settreasurypolicy \(key) on ticket \(ticket.hash)", error)
            }
        }
        return (true, unknown)
    }

    static func isUnknownAgenda(_ error: any Error) -> Bool {
        ((error as? WalletError)?.rpcMessage ?? "\(error)").contains(unknownAgendaText)
    }

    /// Logs (warning; the voting key never appears) and counts a failed wallet call.
    func failed(_ index: Int, _ what: String, _ error: any Error) {
        metrics.walletErrors.increment([labels[index]])
        logger.warn("vsp wallet \(labels[index]): \(what) failed: \(error)")
    }
}
