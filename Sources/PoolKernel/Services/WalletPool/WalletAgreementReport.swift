/// Whether the wallets agree: every wallet answers, is connected to its node and unlocked, reports the same
/// vote version, and holds the same redeem scripts (and every script registered in the database) and the same
/// tickets. Built by `WalletPool.agreementReport(registered:)`; used by automatic recovery and `poolctl wallets check`.
public struct WalletAgreementReport: Sendable, Equatable {
    /// What one wallet reported.
    public struct Wallet: Sendable, Equatable {
        public var index: Int
        public var label: String
        public var info: WalletInfo?
        public var bestHeight: Int64?
        /// Why the wallet could not be asked (empty if it answered everything).
        public var error: String
        public var scriptCount: Int
        /// Scripts known to another wallet or to the database but missing here.
        public var missingScripts: Int
        public var ticketCount: Int
        /// Tickets known to another wallet but missing here.
        public var missingTickets: Int
    }

    public var wallets: [Wallet]
    /// Every script known anywhere (wallets ∪ database).
    public var totalScripts: Int
    /// Every ticket known to any wallet.
    public var totalTickets: Int
    /// One sentence per disagreement; empty when the wallets agree.
    public var problems: [String]

    public var agreed: Bool { problems.isEmpty }
}

extension WalletPool {
    /// Asks every wallet (whatever the pool mode) for `walletinfo`, `getbestblock`, `listscripts` and
    /// `gettickets true` and compares the answers with each other and with the registered scripts.
    /// `registered`: the database's scripts (`ScriptSet.registered(in:)`), empty when there is no database.
    public func agreementReport(registered: ScriptSet = ScriptSet()) async -> WalletAgreementReport {
        struct Answer: Sendable {
            var info: WalletInfo
            var height: Int64
            var scripts: ScriptSet
            var tickets: Set<String>
        }
        let outcomes = await callEach { wallet -> Answer in
            let info = try await wallet.walletInfo()
            let block = try await wallet.bestBlock()
            let scripts = try await wallet.listScriptSet()
            let tickets = Set(try await wallet.tickets(includeImmature: true))
            return Answer(info: info, height: block.height, scripts: scripts, tickets: tickets)
        }
        // Scripts as bytes (a million users): the registered ones and every wallet's.
        var allScripts = registered
        var allTickets = Set<String>()
        for case .success(let answer) in outcomes {
            for index in 0..<answer.scripts.count { allScripts.insert(answer.scripts[index]) }
            allTickets.formUnion(answer.tickets)
        }
        var problems: [String] = []
        var wallets: [WalletAgreementReport.Wallet] = []
        var versions: [(Int, UInt32)] = []
        for (index, outcome) in outcomes.enumerated() {
            var entry = WalletAgreementReport.Wallet(index: index, label: labels[index], info: nil, bestHeight: nil,
                                                     error: "", scriptCount: 0, missingScripts: 0, ticketCount: 0,
                                                     missingTickets: 0)
            switch outcome {
            case .success(let answer):
                entry.info = answer.info
                entry.bestHeight = answer.height
                entry.scriptCount = answer.scripts.count
                entry.missingScripts = allScripts.count - answer.scripts.count // its scripts are all in `allScripts`
                entry.ticketCount = answer.tickets.count
                entry.missingTickets = allTickets.subtracting(answer.tickets).count
                versions.append((index, answer.info.voteVersion))
                if !answer.info.daemonConnected { problems.append("wallet server \(index) not connected to daemon") }
                if !answer.info.unlocked { problems.append("wallet server \(index) locked") }
                if entry.missingScripts > 0 {
                    problems.append("wallet server \(index) is missing \(entry.missingScripts) redeem script(s)")
                }
                if entry.missingTickets > 0 {
                    problems.append("wallet server \(index) is missing \(entry.missingTickets) ticket(s)")
                }
            case .unavailable(let error), .failure(let error as WalletError):
                entry.error = error.message
                problems.append("wallet server \(index) did not answer: \(error.message)")
            case .failure(let error):
                entry.error = "\(error)"
                problems.append("wallet server \(index) did not answer: \(error)")
            }
            wallets.append(entry)
        }
        for (left, right) in zip(versions, versions.dropFirst()) where left.1 != right.1 {
            problems.append("wallets \(left.0) and \(right.0) have mismatched vote versions")
        }
        return WalletAgreementReport(wallets: wallets, totalScripts: allScripts.count, totalTickets: allTickets.count,
                                     problems: problems)
    }
}
