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
        let rows: [(String, String, String)] = [
            ("Immature", "Immature", String(info.immature)), ("Live", "Live", String(info.live)),
            ("Voted", "Voted", String(info.voted)), ("Missed", "Missed", String(info.missed)),
            ("Expired", "Expired", String(info.expired)), ("Revoked", "Revoked", String(info.revoked)),
            ("ProportionMissed", "ProportionMissed", Self.formatFloat(info.proportionMissed)),
            ("Pool Size", "PoolSize", String(info.poolSize)), ("AllMempoolTix", "AllMempoolTix", String(info.allMempoolTix)),
            ("ProportionLive", "ProportionLive", Self.formatFloat(info.proportionLive)),
            ("Difficulty", "Difficulty", Self.formatFloat(info.difficulty)),
            ("TotalSubsidy", "TotalSubsidy", Self.formatFloat(info.totalSubsidy)),
            ("Total User Count", "UserCount", String(snapshot.userCount)),
            ("Active User Count", "UserCountActive", String(snapshot.activeUserCount)),
            ("Network", "Network", configuration.network), ("Pool Fees", "PoolFees", Self.formatFloat(configuration.poolFees)),
            ("Pool Status", "PoolStatus", configuration.closePool ? "Closed" : "Open"),
            ("Pool Email", "PoolEmail", configuration.poolEmail),
        ]
        let table: [TemplateValue] = rows.map { ["Label": .string($0.0), "Id": .string($0.1), "Value": .string($0.2)] }
        return .page(template: "stats", title: "Decred Stake Pool - Stats", flag: "IsStats", data: [
            "Rows": .list(table), "Network": .string(configuration.network),
            "PoolStatus": .string(configuration.closePool ? "Closed" : "Open"),
            "Voted": .int(Int64(info.voted)), "Missed": .int(Int64(info.missed)),
            "Live": .int(Int64(info.live)), "Immature": .int(Int64(info.immature)), "PoolSize": .int(Int64(info.poolSize)),
        ])
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
