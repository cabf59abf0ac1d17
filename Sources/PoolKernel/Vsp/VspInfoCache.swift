import Synchronization

/// What `vspinfo` reports from the database, dcrd and the wallets (spec §5.1), refreshed at most every
/// `VspConfiguration.infoRefreshSeconds`; and the last signed answer, reused while the second its timestamp names
/// lasts and the figures are unchanged, so a burst of vspinfo requests costs one signature per second.
final class VspInfoCache: Sendable {
    struct Figures: Sendable, Equatable {
        var voting = 0, voted = 0, expired = 0, missed = 0
        var totalWallets = 0, walletsOnline = 0
        var blockHeight: Int64 = 0
        var poolSize: Int64 = 0
    }

    private struct State {
        var figures: Figures?
        var refreshedAt = 0.0
        var refreshing = false
        var signed: (second: Int64, figures: Figures, reply: VspReply)?
    }

    private let state = Mutex(State())

    /// The current figures and whether this caller should refresh them (stale, nobody else refreshing).
    func figures(now: Double, maxAge: Double) -> (Figures?, shouldRefresh: Bool) {
        state.withLock { state in
            let stale = state.figures == nil || now - state.refreshedAt >= maxAge
            guard stale, !state.refreshing else { return (state.figures, false) }
            state.refreshing = true
            return (state.figures, true)
        }
    }

    func finishRefresh(_ figures: Figures?, at now: Double) {
        state.withLock { state in
            state.refreshing = false
            if let figures {
                state.figures = figures
                state.refreshedAt = now
            }
        }
    }

    func signedReply(second: Int64, figures: Figures) -> VspReply? {
        state.withLock { state in
            guard let signed = state.signed, signed.second == second, signed.figures == figures else { return nil }
            return signed.reply
        }
    }

    /// The answer signed for `second`, if the figures it carries are still fresh at `now`: what a request can be
    /// given without waiting for anything.
    func freshSignedReply(second: Int64, now: Double, maxAge: Double) -> VspReply? {
        state.withLock { state in
            guard let figures = state.figures, now - state.refreshedAt < maxAge,
                  let signed = state.signed, signed.second == second, signed.figures == figures else { return nil }
            return signed.reply
        }
    }

    func keep(_ reply: VspReply, second: Int64, figures: Figures) {
        state.withLock { $0.signed = (second, figures, reply) }
    }
}

/// `GET /api/v3/vspinfo` (spec §5.1): no authentication, no body.
extension VspService {
    /// The signed vspinfo answer, or 500 `Cache is not initialized` when the figures were never read.
    public func vspInfo() async -> VspReply {
        let now = clock()
        var (figures, shouldRefresh) = info.figures(now: now, maxAge: configuration.infoRefreshSeconds)
        if shouldRefresh {
            let fresh = await readFigures()
            info.finishRefresh(fresh, at: now)
            figures = fresh ?? figures
        }
        guard let figures else {
            return VspReply(status: 500, body: Array("Cache is not initialized".utf8), signature: nil, isJSON: false)
        }
        let second = Int64(now.rounded(.down))
        if let reused = info.signedReply(second: second, figures: figures) { return reused }
        let closed = configuration.closed
        let proportion = figures.poolSize > 0 ? Float(figures.voting) / Float(figures.poolSize) : 0
        let body = VspJSON.object([
            ("apiversions", .array([.int(3)])),
            ("timestamp", .int(second)),
            ("pubkey", .string(signer.publicKeyBase64)),
            ("feepercentage", .double(configuration.feePercent.percent)),
            ("vspclosed", .bool(closed)),
            ("vspclosedmsg", .string(closed ? configuration.closedMessage : "")),
            ("network", .string(configuration.network.name)),
            ("vspdversion", .string(configuration.version)),
            ("voting", .int(Int64(figures.voting))),
            ("voted", .int(Int64(figures.voted))),
            ("totalvotingwallets", .int(Int64(figures.totalWallets))),
            ("votingwalletsonline", .int(Int64(figures.walletsOnline))),
            ("expired", .int(Int64(figures.expired))),
            ("missed", .int(Int64(figures.missed))),
            ("blockheight", .int(figures.blockHeight)),
            ("estimatednetworkproportion", .float(proportion)),
        ]).encoded()
        let reply = signer.reply(status: 200, body: body)
        info.keep(reply, second: second, figures: figures)
        return reply
    }

    /// The vspinfo answer already signed for this second with fresh figures, or nil: then `vspInfo()` makes it.
    /// Never waits, so a front may answer with it on its I/O thread (a burst of vspinfo costs no task per request).
    public func cachedVspInfo() -> VspReply? {
        let now = clock()
        return info.freshSignedReply(second: Int64(now.rounded(.down)), now: now, maxAge: configuration.infoRefreshSeconds)
    }

    /// Database counts, dcrd's best header, the wallets online; nil (logged) when any part fails.
    private func readFigures() async -> VspInfoCache.Figures? {
        do {
            let counts = try await storage.read { try $0.vspTicketCounts() }
            let header = try await node.bestBlockHeader()
            guard header.poolSize > 0 else {
                logger.error("vspd: dcrd reports a ticket pool size of 0")
                return nil
            }
            var figures = VspInfoCache.Figures()
            // Only tickets whose fee is confirmed count, as in vspd.
            for (state, count) in counts where state.feeTxStatus == .confirmed {
                switch state.outcome {
                case .none: figures.voting += count
                case .voted: figures.voted += count
                case .expired, .revoked: figures.expired += count
                case .missed: figures.missed += count
                }
            }
            figures.totalWallets = wallets.count
            figures.walletsOnline = await onlineWallets().count
            figures.blockHeight = header.height
            figures.poolSize = header.poolSize
            return figures
        } catch {
            logger.error("vspd: refreshing the vspinfo figures failed: \(error)")
            return nil
        }
    }
}
