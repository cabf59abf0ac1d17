import PoolKernel

/// Home, stats and error pages (spec §3.5, §3.23, §3.25, §7.1).
extension Pages {
    func home(_ context: inout PageContext) async -> PageOutcome {
        var data: [String: TemplateValue] = [
            "Network": .string(configuration.network), "PoolEmail": .string(configuration.poolEmail),
            "PoolFees": .string(Self.formatFloat(configuration.poolFees)), "PoolLink": .string(configuration.poolLink),
        ]
        if configuration.closePool {
            data["IsClosed"] = true
            data["ClosePoolMsg"] = .string(configuration.closePoolMessage)
        }
        return .page(template: "home", title: "Decred Stake Pool - Welcome", flag: "IsIndex", data: data)
    }

    func statsPage(_ context: inout PageContext) async -> PageOutcome {
        if wallets.isStopped { return .redirect("/error") }
        guard let snapshot = await stats?.currentAtTip() else { return .redirect("/error?r=/stats") }
        let info = snapshot.stakeInfo
        // Labels in words for people; the span ids keep the API's field names.
        let rows: [(String, String, String)] = [
            ("Immature tickets", "Immature", String(info.immature)), ("Live tickets", "Live", String(info.live)),
            ("Voted", "Voted", String(info.voted)), ("Missed", "Missed", String(info.missed)),
            ("Expired", "Expired", String(info.expired)), ("Revoked", "Revoked", String(info.revoked)),
            ("Share missed", "ProportionMissed", Self.formatFloat(info.proportionMissed)),
            ("Network ticket pool size", "PoolSize", String(info.poolSize)),
            ("Tickets in the mempool", "AllMempoolTix", String(info.allMempoolTix)),
            ("Share of the network's live tickets", "ProportionLive", Self.formatFloat(info.proportionLive)),
            ("Ticket price (DCR)", "Difficulty", Self.formatFloat(info.difficulty)),
            ("Total rewards (DCR)", "TotalSubsidy", Self.formatFloat(info.totalSubsidy)),
            ("Users", "UserCount", String(snapshot.userCount)),
            ("Users with an address", "UserCountActive", String(snapshot.activeUserCount)),
            ("Network", "Network", configuration.network), ("Pool fee (%)", "PoolFees", Self.formatFloat(configuration.poolFees)),
            ("Pool status", "PoolStatus", configuration.closePool ? "Closed" : "Open"),
            ("Support email", "PoolEmail", configuration.poolEmail),
        ]
        let table: [TemplateValue] = rows.map { ["Label": .string($0.0), "Id": .string($0.1), "Value": .string($0.2)] }
        // Pool size and votes/misses per day from the hourly history (the page stands without it).
        let since = PoolHistorySample.hour(containing: context.now) - Self.chartDays * 86_400
        let history = (try? await storage.read { try $0.historySamples(since: since, limit: Int(Self.chartDays) * 24 + 48) }) ?? []
        // vspviews: the vspd API tickets beside the pool's (the legacy API's JSON stays as dcrstakepool's).
        var vsp: [String: TemplateValue] = [:]
        if configuration.showsVspTickets, let counts = try? await storage.read({ try $0.vspTicketCounts() }) {
            vsp = VspTicketFigures(counts).templateData
            vsp["VspFront"] = true
        }
        return .page(template: "stats", title: "Decred Stake Pool - Stats", flag: "IsStats", data: vsp.merging([
            "Charts": .list([HistoryChart.poolSize(history).templateValue, HistoryChart.votesPerDay(history).templateValue]),
            "Rows": .list(table), "Network": .string(configuration.network),
            "PoolStatus": .string(configuration.closePool ? "Closed" : "Open"),
            "Voted": .int(Int64(info.voted)), "Missed": .int(Int64(info.missed)),
            "VotesCast": .int(Int64(max(1, info.voted + info.missed))),
            "Live": .int(Int64(info.live)), "Immature": .int(Int64(info.immature)), "PoolSize": .int(Int64(info.poolSize)),
        ]) { _, new in new })
    }

    func errorPage(_ context: inout PageContext) async -> PageOutcome {
        let query = context.request.queryItems
        return .page(template: "error", title: "Decred Stake Pool - Error", flag: "IsError", data: [
            "RPCStatus": .string(wallets.isStopped ? "Stopped" : "Running"),
            "RateLimited": .string(query["rl"] ?? ""),
            // Only a local path becomes a link: `r=//evil.example` or `r=https://…` is dropped (open redirect).
            "Referer": .string(Self.localPath(query["r"]) ?? ""),
        ])
    }

    /// `path` when it is a same-site absolute path (`/x`, not `//host`, no backslash or control characters).
    static func localPath(_ path: String?) -> String? {
        guard let path, path.hasPrefix("/"), !path.hasPrefix("//"), path.utf8.count <= 200,
              !path.contains("\\"), !path.unicodeScalars.contains(where: { $0.value < 0x20 || $0.value == 0x7F }) else {
            return nil
        }
        return path
    }

    static func formatFloat(_ value: Double) -> String { GoFloatFormat.v(value) }
}
