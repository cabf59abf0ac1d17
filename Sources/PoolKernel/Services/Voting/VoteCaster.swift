/// Casts one vote: `generatevote` through the wallet, then `sendrawtransaction` through the node, inside the
/// block's deadline, with one retry where a retry can help (the wallet or node was unavailable, timed out, or
/// the wallet returned an empty vote). An empty vote is never counted as a vote.
struct VoteCaster: Sendable {
    struct Settings: Sendable {
        /// The first attempt of each step gives up after this long, leaving room for the retry.
        var attemptTimeout: Duration = .milliseconds(1200)
        /// Pause before the retry.
        var retryDelay: Duration = .milliseconds(50)
    }

    /// The outcome and where the time went.
    struct Report: Sendable {
        var outcome: VoteOutcome
        var signDuration: Duration = .zero
        var sendDuration: Duration = .zero
        /// When `generatevote` was first handed to the wallet.
        var requestedAt: ContinuousClock.Instant?
        var attempts = 0
        /// The call still unanswered when the deadline passed (read with `.deadline`).
        var unanswered: String?
    }

    let wallet: any WalletBackend
    let node: any NodeBackend
    let settings: Settings

    func cast(ticket: String, bits: UInt16, bitsExtended: String, blockHash: String, blockHeight: Int64,
              deadline: ContinuousClock.Instant) async -> Report {
        let clock = ContinuousClock()
        var report = Report(outcome: .deadline)
        // 1. generatevote (at most two attempts).
        var voteHex: String?
        for attempt in 1...2 {
            report.attempts = attempt
            let limit = attempt == 1 ? min(deadline, clock.now + settings.attemptTimeout) : deadline
            let started = clock.now
            if report.requestedAt == nil { report.requestedAt = started }
            let answer = await DeadlineRace.run(until: limit) { [wallet] () -> Result<String, any Error> in
                do {
                    return .success(try await wallet.generateVote(blockHash: blockHash, height: blockHeight,
                                                                  ticket: ticket, voteBits: bits,
                                                                  voteBitsExtended: bitsExtended))
                } catch {
                    return .failure(error)
                }
            }
            report.signDuration += clock.now - started
            switch answer {
            case .none:
                report.outcome = .deadline
                report.unanswered = "the wallet's generatevote"
            case .success(let hex) where !hex.isEmpty:
                voteHex = hex
            case .success:
                report.outcome = .failed("generatevote returned an empty vote")
            case .failure(let error):
                report.outcome = .failed("generatevote: \(Self.describe(error))")
                if !Self.isRetryable(error) { return report }
            }
            if voteHex != nil { break }
            guard await pauseBeforeRetry(deadline: deadline) else { return report }
        }
        guard let voteHex else { return report }

        // 2. sendrawtransaction (at most two attempts).
        for attempt in 1...2 {
            let limit = attempt == 1 ? min(deadline, clock.now + settings.attemptTimeout) : deadline
            let started = clock.now
            let answer = await DeadlineRace.run(until: limit) { [node] () -> Result<String, any Error> in
                do {
                    return .success(try await node.sendRawTransaction(voteHex, allowHighFees: false))
                } catch {
                    return .failure(error)
                }
            }
            report.sendDuration += clock.now - started
            switch answer {
            case .none:
                report.outcome = .deadline
                report.unanswered = "dcrd's sendrawtransaction"
            case .success(let txid) where !txid.isEmpty:
                report.outcome = .cast(txid: txid)
                return report
            case .success:
                report.outcome = .failed("sendrawtransaction returned no txid")
            case .failure(let error):
                let text = Self.describe(error)
                if VoteOutcome.isDuplicateError(text) {
                    report.outcome = .duplicate(txid: VoteOutcome.duplicateTxid(in: text))
                    return report
                }
                report.outcome = .failed("sendrawtransaction: \(text)")
                if !Self.isRetryable(error) { return report }
            }
            if attempt == 1 {
                guard await pauseBeforeRetry(deadline: deadline) else { return report }
                report.attempts += 1
            }
        }
        return report
    }

    /// Sleeps the retry delay if that still leaves time before the deadline.
    private func pauseBeforeRetry(deadline: ContinuousClock.Instant) async -> Bool {
        let clock = ContinuousClock()
        guard clock.now + settings.retryDelay < deadline, !Task.isCancelled else { return false }
        try? await Task.sleep(for: settings.retryDelay)
        return !Task.isCancelled
    }

    /// Retry only what another try can fix: an unreachable/timed-out/disconnected backend or an unreadable
    /// reply. A JSON-RPC error (unknown ticket, locked wallet, rejected tx) would fail the same way again.
    static func isRetryable(_ error: any Error) -> Bool {
        guard let walletError = error as? WalletError else { return true }
        return walletError.isUnavailable || walletError.code == .walletBadResponse
    }

    static func describe(_ error: any Error) -> String {
        if let coded = error as? any CodedError { return coded.message }
        return String(describing: error)
    }
}
