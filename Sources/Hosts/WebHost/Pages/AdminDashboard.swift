import Dispatch
import Foundation
import PoolKernel

/// `GET /admin`, the operator dashboard (issue 22 item 2), and `POST /admin/lowfee`, behind the admin
/// gate of `/status`: wallets, voting health, ticket search, missed tickets with their owners, fee revenue, users,
/// every account's missed and expired tickets, the mail outbox, low-fee tickets, and the history charts. The figures
/// (cached stake info, the wallet monitor's last probe, bounded storage reads, the hourly history) are shared by every
/// request for `dashboardFiguresMaxAge` seconds (`DashboardFiguresCache`); the search and the paged ticket list are
/// each request's own.
extension Pages {
    /// The dashboard's routes, each wrapped by `adminGuard` (append them to `routes`).
    public func adminRoutes(adminGuard: AdminGuard) -> [Route] {
        let pages = self
        let dashboard = adminGuard.protect(Route.async([.get], "/admin") { request in
            await pages.serve(request, signedIn: false) { await $0.adminDashboard(&$1) }
        })
        // Low-fee tickets are stakepoold's: a vspd-only web app has none to add.
        if configuration.vspOnly != nil { return [dashboard] }
        return [
            dashboard,
            adminGuard.protect(Route.async([.post], "/admin/lowfee") { request in
                await pages.serve(request, signedIn: false) { await $0.adminLowFeeAdd(&$1) }
            }),
        ]
    }

    /// How far back the charts reach, and how many hourly rows the table shows.
    static let chartDays: Int64 = 30
    static let historyTableRows = 24
    /// Mail counted per state (the page says "N+" beyond).
    static let outboxCountLimit = 10_000

    func adminDashboard(_ context: inout PageContext) async -> PageOutcome {
        var data: [String: TemplateValue] = [:]
        do {
            data = try await dashboardData(now: context.now, query: context.request.queryItems["q"] ?? "",
                                           unvotedPage: context.request.queryItems["unvoted"].flatMap { Int($0) } ?? 1)
        } catch {
            logger.error("dashboard: \(error)")
            return .response(.plainError(.internalServerError))
        }
        switch context.request.queryItems["lowfee"] {
        case "added": data["LowFeeNotice"] = "Added: stakepoold votes it after its next preferences reload."
        case "known": data["LowFeeNotice"] = "That ticket was already added."
        default: break
        }
        return .page(template: "admin", title: "Decred Stake Pool - Dashboard", flag: "IsAdmin", data: data)
    }

    /// Adds a ticket to the low-fee tickets to vote anyway (as `poolctl tickets lowfee add`) and tells stakepoold.
    func adminLowFeeAdd(_ context: inout PageContext) async -> PageOutcome {
        guard let hash = TicketHash(hex: (context.form["ticket"] ?? "").trimmingCharacters(in: .whitespaces)) else {
            var data = (try? await dashboardData(now: context.now, query: "")) ?? [:]
            data["LowFeeError"] = "A ticket hash is 64 hexadecimal characters."
            return .page(template: "admin", title: "Decred Stake Pool - Dashboard", flag: "IsAdmin", data: data,
                         status: .badRequest)
        }
        do {
            let added = try await storage.write { try $0.addLowFeeTicket(hash: hash.hex) }
            logger.info("dashboard: low-fee ticket \(hash.hex) \(added ? "added" : "was already added") from \(context.ip)")
            if added { await userChanged(UserId(0)) }
            dashboardFigures.invalidate()  // the next page lists it
            return .redirect("/admin?lowfee=" + (added ? "added" : "known"))
        } catch {
            logger.error("dashboard: adding low-fee ticket failed: \(error)")
            return .response(.plainError(.internalServerError))
        }
    }

    // MARK: - Figures

    /// The page's data: the shared figures (at most `dashboardFiguresMaxAge` seconds old, their age shown), the
    /// pool's stop state and the search, which are the request's own.
    func dashboardData(now: Int64, query: String, unvotedPage: Int = 1) async throws -> [String: TemplateValue] {
        let pages = self
        let figures = try await dashboardFigures.figures(now: now) { try await pages.sharedDashboardFigures(now: now) }
        var data = figures.data
        data["FiguresAt"] = .string(HistoryChart.stamp(figures.computedAt))
        data["FiguresAge"] = .int(max(0, now - figures.computedAt))
        if configuration.vspOnly == nil {  // the account wallets' fail-closed stop
            data["StopReason"] = .string(wallets.stopReason ?? (wallets.isStopped ? "stopped" : ""))
        }
        data.merge(unvotedTicketsData(now: now, page: unvotedPage)) { _, new in new }
        let search = query.trimmingCharacters(in: .whitespaces)
        if !search.isEmpty {
            data["Query"] = .string(search)
            data.merge(try await ticketSearch(search)) { _, new in new }
        }
        return data
    }

    /// Every aggregate of the page, worked out once for all requests of the next `dashboardFiguresMaxAge` seconds:
    /// wallets from the monitor's last probe (a probe round only before the first), bounded storage reads, charts.
    func sharedDashboardFigures(now: Int64) async throws -> [String: TemplateValue] {
        if configuration.vspOnly != nil { return try await vspOnlyDashboardFigures() }
        let probed = wallets.lastProbedWalletStatuses()
        let slots = if let probed { probed.wallets } else { await wallets.walletStatuses() }
        let snapshot = await stats?.currentAtTip()
        let chartSince = PoolHistorySample.hour(containing: now) - Self.chartDays * 86_400
        let limit = Self.outboxCountLimit + 1
        let stored = try await storage.read { reader in
            DashboardStored(users: try reader.userCount(), activeUsers: try reader.activeUserCount(),
                            history: try reader.historySamples(since: chartSince, limit: Int(Self.chartDays) * 24 + 48),
                            audits: try reader.recentVoteAudits(limit: 1_000),
                            queued: try reader.outboxCount(status: .queued, minAttempts: 0, limit: limit),
                            retrying: try reader.outboxCount(status: .queued, minAttempts: 1, limit: limit),
                            failed: try reader.outboxCount(status: .failed, minAttempts: 0, limit: limit),
                            lowFee: try reader.lowFeeTickets())
        }
        var data: [String: TemplateValue] = [
            "Wallets": .list(slots.enumerated().map { Self.walletRow($0, $1) }),
            "WalletsProbedAt": .string(probed.map { HistoryChart.stamp(Int64($0.probedAt.timeIntervalSince1970)) } ?? ""),
            "RPCStatus": .string(WalletSlotStatus.rpcStatus(slots)),
            "Users": .int(Int64(stored.users)), "ActiveUsers": .int(Int64(stored.activeUsers)),
        ]
        // Users this week and revenue windows: differences against the history (nothing to compare without it).
        let history = stored.history
        let weekAgo = Self.firstSample(history, atOrAfter: now - 7 * 86_400)
        data["UsersThisWeek"] = .string(weekAgo.map { String(max(0, Int64(stored.users) - $0.users)) } ?? "–")
        data["UsersThisWeekSince"] = .string(weekAgo.map { HistoryChart.stamp($0.hourStart) } ?? "")
        if let info = snapshot?.stakeInfo {
            let lifetime = PoolHistorySampler.feeRevenueAtoms(totalSubsidy: info.totalSubsidy, poolFees: configuration.poolFees)
            data["Live"] = .int(Int64(info.live))
            data["Immature"] = .int(Int64(info.immature))
            data["Voted"] = .int(Int64(info.voted))
            data["Missed"] = .int(Int64(info.missed))
            data["Expired"] = .int(Int64(info.expired))
            data["Revoked"] = .int(Int64(info.revoked))
            data["BlockHeight"] = .int(info.blockHeight)
            data["RevenueLifetime"] = .string(Self.dcr(lifetime))
            for (key, seconds) in [("Revenue28d", Int64(28 * 86_400)), ("Revenue24h", Int64(86_400))] {
                let start = Self.firstSample(history, atOrAfter: now - seconds)
                data[key] = .string(start.map { Self.dcr(max(0, lifetime - $0.feeRevenueAtoms)) } ?? "–")
                data[key + "Since"] = .string(start.map { HistoryChart.stamp($0.hourStart) } ?? "")
            }
        } else {
            data["StakeInfoMissing"] = true
        }
        data.merge(Self.votingHealth(stored.audits)) { _, new in new }
        // vspviews: the vspd API tickets' figures, and their misses (recorded by its block handler) in the same list.
        let vsp = try await vspDashboardFigures()
        data.merge(vsp.figures) { _, new in new }
        data["MissedAudits"] = .list(try await missedWithOwners(stored.audits) + vsp.missed)
        data.merge(Self.outboxFigures(queued: stored.queued, retrying: stored.retrying, failed: stored.failed)) { _, new in new }
        data["LowFeeAdded"] = Self.list(stored.lowFee)
        data["LowFeeSkipped"] = .list(await skippedLowFee(added: Set(stored.lowFee)))
        // Charts and the hourly table.
        data["Charts"] = .list([HistoryChart.poolSize(history), HistoryChart.votesPerDay(history),
                                HistoryChart.users(history), HistoryChart.feeRevenue(history)].map(\.templateValue))
        data["HistoryRows"] = .list(history.suffix(Self.historyTableRows).reversed().map { sample in
            ["Hour": .string(HistoryChart.stamp(sample.hourStart)), "Live": .int(sample.liveTickets),
             "Voted": .int(sample.votedTotal), "Missed": .int(sample.missedTotal), "Users": .int(sample.users),
             "ActiveUsers": .int(sample.activeUsers), "Revenue": .string(Self.dcr(sample.feeRevenueAtoms))]
        })
        return data
    }

    /// A vspd-only web app's figures: its tickets, their misses and the operators' mail. The legacy sections (the
    /// account wallets, stakepoold's vote audit and low-fee tickets, the account sweep, the hourly history) have
    /// nothing behind them in this mode, so the page leaves them out rather than showing them empty.
    func vspOnlyDashboardFigures() async throws -> [String: TemplateValue] {
        let limit = Self.outboxCountLimit + 1
        let (queued, retrying, failed) = try await storage.read { reader in
            (try reader.outboxCount(status: .queued, minAttempts: 0, limit: limit),
             try reader.outboxCount(status: .queued, minAttempts: 1, limit: limit),
             try reader.outboxCount(status: .failed, minAttempts: 0, limit: limit))
        }
        let vsp = try await vspDashboardFigures()
        var data = vsp.figures
        data["MissedAudits"] = .list(vsp.missed)
        data.merge(Self.outboxFigures(queued: queued, retrying: retrying, failed: failed)) { _, new in new }
        return data
    }

    /// Outbox: queued (of which retrying after a failed attempt) and failed for good, "N+" past the count limit.
    static func outboxFigures(queued: Int, retrying: Int, failed: Int) -> [String: TemplateValue] {
        let cap = { (count: Int) -> String in count > Self.outboxCountLimit ? "\(Self.outboxCountLimit)+" : String(count) }
        return ["MailQueued": .string(cap(queued)), "MailRetrying": .string(cap(retrying)), "MailFailed": .string(cap(failed))]
    }

    struct DashboardStored: Sendable {
        var users: Int
        var activeUsers: Int
        var history: [PoolHistorySample]
        var audits: [VoteAuditRecord]
        var queued: Int
        var retrying: Int
        var failed: Int
        var lowFee: [String]
    }

    static func walletRow(_ index: Int, _ slot: WalletSlotStatus) -> TemplateValue {
        let agrees: String
        switch (slot.missingScripts, slot.missingTickets) {
        case (0, 0): agrees = "yes"
        case (nil, _), (_, nil): agrees = "not checked yet"
        case let (scripts?, tickets?): agrees = "no: lacks \(scripts) script(s), \(tickets) ticket(s)"
        }
        return ["Index": .int(Int64(index)), "Connected": .string(slot.connected ? "yes" : "no"),
                "Height": .string(slot.height.map(String.init) ?? "–"),
                "Unlocked": .string(slot.connected ? (slot.unlocked ? "yes" : "no") : "–"),
                "Voting": .string(slot.connected ? (slot.enableVoting ? "yes" : "no") : "–"),
                "State": .string(slot.state), "Agrees": .string(agrees), "Detail": .string(slot.detail)]
    }

    /// The first history row at or after `unixSeconds` (the start of a window), or nil.
    static func firstSample(_ history: [PoolHistorySample], atOrAfter unixSeconds: Int64) -> PoolHistorySample? {
        history.first { $0.hourStart >= PoolHistorySample.hour(containing: unixSeconds) }
    }

    static func dcr(_ atoms: Int64) -> String { GoFloatFormat.v(Double(atoms) / 1e8) + " DCR" }

    /// Votes, failures and skips in the vote audit's recent records, and the notification-to-vote latency
    /// percentiles of the votes cast (stakepoold writes the audit; empty without it).
    static func votingHealth(_ audits: [VoteAuditRecord]) -> [String: TemplateValue] {
        var latencies: [Int64] = [], failed = 0, skipped = 0
        for audit in audits {
            switch audit.result {
            case .voted: latencies.append(audit.totalMicros)
            case .failed: failed += 1
            case .skipped: skipped += 1
            default: break
            }
        }
        latencies.sort()
        func percentile(_ p: Double) -> String {
            guard !latencies.isEmpty else { return "–" }
            let rank = Int((p / 100 * Double(latencies.count)).rounded(.up)) - 1
            return GoFloatFormat.v(Double(latencies[min(max(rank, 0), latencies.count - 1)]) / 1_000) + " ms"
        }
        return ["AuditCount": .int(Int64(audits.count)),
                "AuditVoted": .int(Int64(latencies.count)), "AuditFailed": .int(Int64(failed)),
                "AuditSkipped": .int(Int64(skipped)),
                "LatencyP50": .string(percentile(50)), "LatencyP90": .string(percentile(90)),
                "LatencyP99": .string(percentile(99))]
    }

    /// The vote audit's recent failed and skipped votes (newest first, at most 50), with their owners' emails.
    func missedWithOwners(_ audits: [VoteAuditRecord]) async throws -> [TemplateValue] {
        let missed = Array(audits.filter { $0.result != .voted }.prefix(50))
        let ids = Array(Set(missed.compactMap(\.userId)))
        let owners = try await storage.read { reader in
            try ids.reduce(into: [UserId: String]()) { found, id in found[id] = try reader.user(id: id)?.email }
        }
        return missed.map { record in
            ["Ticket": .string(record.ticketHash), "Height": .int(record.blockHeight), "Result": .string(record.result.rawValue),
             "Owner": .string(record.userId.map { owners[$0] ?? "user \($0.rawValue) (gone)" } ?? "unknown"),
             "OwnerId": .string(record.userId.map { String($0.rawValue) } ?? ""),
             "Reason": .string(record.detail.isEmpty ? record.reason : record.detail)]
        }
    }

    /// Missed and expired tickets shown per page of the pool-wide list.
    static let unvotedPageSize = 50

    /// Page `page` (from 1; clamped) of the pool-wide missed and expired tickets, the sweep's age and progress;
    /// asks for a new sweep when the last is stale.
    func unvotedTicketsData(now: Int64, page: Int) -> [String: TemplateValue] {
        guard let unvotedTickets else { return [:] }
        unvotedTickets.requestIfStale()
        let status = unvotedTickets.status
        var data: [String: TemplateValue] = ["UnvotedSwept": .bool(status.result != nil)]
        if let running = status.running {
            data["UnvotedRunning"] = .string("\(running.accountsAsked) accounts asked since \(HistoryChart.stamp(running.startedAt))")
        }
        guard let result = status.result else { return data }
        let pages = max(1, (result.tickets.count + Self.unvotedPageSize - 1) / Self.unvotedPageSize)
        let current = min(max(1, page), pages)
        let shown = result.tickets.dropFirst((current - 1) * Self.unvotedPageSize).prefix(Self.unvotedPageSize)
        data["UnvotedTickets"] = .list(shown.map { ticket in
            ["Ticket": .string(ticket.ticket), "Status": .string(ticket.status), "Height": .int(Int64(ticket.ticketHeight)),
             "Revoked": .string(ticket.spentByHeight == 0 ? "" : String(ticket.spentByHeight)),
             "Owner": .string(ticket.email.isEmpty ? "user \(ticket.userId.rawValue)" : ticket.email),
             "OwnerId": .int(ticket.userId.rawValue)]
        })
        data["UnvotedTotal"] = .int(Int64(result.total))
        data["UnvotedKept"] = .int(Int64(result.tickets.count))
        data["UnvotedAccounts"] = .int(Int64(result.accounts))
        data["UnvotedFailed"] = .int(Int64(result.failedAccounts))
        data["UnvotedAt"] = .string(HistoryChart.stamp(result.finishedAt))
        data["UnvotedAge"] = .int(max(0, now - result.finishedAt))
        data["UnvotedPage"] = .int(Int64(current))
        data["UnvotedPages"] = .int(Int64(pages))
        if current > 1 { data["UnvotedPrevious"] = .int(Int64(current - 1)) }
        if current < pages { data["UnvotedNext"] = .int(Int64(current + 1)) }
        return data
    }

    /// Tickets stakepoold skipped for a low fee (its `lowfeetickets.json`) that are not added yet.
    func skippedLowFee(added: Set<String>) async -> [TemplateValue] {
        guard let directory = configuration.lowFeeDirectory else { return [] }
        let entries: [LowFeeTickets.Entry] = await withCheckedContinuation { continuation in
            DispatchQueue.global().async {
                continuation.resume(returning: (try? LowFeeTickets.readDetected(directory: directory)) ?? [])
            }
        }
        return entries.filter { !added.contains($0.ticket) }.prefix(100).map { entry in
            ["Ticket": .string(entry.ticket), "Height": .int(entry.height), "Address": .string(entry.multiSigAddress),
             "Required": .string(Self.dcr(entry.requiredAtoms)), "Committed": .string(Self.dcr(entry.committedAtoms))]
        }
    }

    /// `q`: a ticket hash (its vote audit records and owner), or a user by email or id (their tickets from the
    /// wallets, every status).
    func ticketSearch(_ query: String) async throws -> [String: TemplateValue] {
        if let hash = TicketHash(hex: query) {
            let records = try await storage.read { try $0.voteAudits(ticketHash: hash.hex) }
            let ownerId = records.compactMap(\.userId).last
            var owner: User? = nil
            if let ownerId { owner = try await storage.user(id: ownerId) }
            let vsp = try await vspTicketSearch(hash)  // vspviews
            let unknownOwner = vsp.isEmpty ? "not in the vote audit" : "vspd ticket (no account)"
            return vsp.merging(["SearchKind": "ticket", "SearchTicket": .string(hash.hex),
                    "SearchOwner": .string(owner?.email ?? (ownerId.map { "user \($0.rawValue)" } ?? unknownOwner)),
                    "SearchAudits": .list(records.reversed().map { record in
                        ["Height": .int(record.blockHeight), "Result": .string(record.result.rawValue),
                         "Policy": .string(record.policyName), "VoteBits": .int(Int64(record.voteBits)),
                         "Latency": .string(GoFloatFormat.v(Double(record.totalMicros) / 1_000) + " ms"),
                         "Detail": .string(record.detail.isEmpty ? record.reason : record.detail)]
                    })]) { _, new in new }
        }
        var user: User? = nil
        if let id = Int64(query) { user = try await storage.user(id: UserId(id)) }
        if user == nil { user = try await storage.user(email: query) }
        guard let user else { return ["SearchKind": "none"] }
        var found: [String: TemplateValue] = ["SearchKind": "user", "SearchUser": Self.userValue(user)]
        guard !user.multiSigAddress.isEmpty else { return found }
        do {
            let info = try await tickets.stakePoolUserInfo(multisigAddress: user.multiSigAddress)
            found["SearchTickets"] = .list(info.tickets.prefix(500).map { ticket in
                ["Ticket": .string(ticket.ticket.hex), "Status": .string(ticket.status), "Height": .int(Int64(ticket.ticketHeight)),
                 "SpentHeight": .string(ticket.spentByHeight == 0 ? "" : String(ticket.spentByHeight))]
            })
            found["SearchTicketCount"] = .int(Int64(info.tickets.count))
        } catch {
            found["SearchWalletError"] = .string("The wallets did not answer: \(error)")
        }
        return found
    }
}
