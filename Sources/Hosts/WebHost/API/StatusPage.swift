import Foundation
import PoolKernel

/// One stakepoold as the web app last saw it (`/status`; the figures of `pool_stakepoold_*` on `/metrics`).
public struct StakepooldStatus: Sendable, Equatable {
    /// `host:port` of its control API.
    public var host: String
    /// nil before the first call.
    public var reachable: Bool?
    /// The last call was refused for our `stakepooldtoken`.
    public var tokenRefused: Bool
    /// Calls it refused for the token since start (`pool_stakepoold_auth_failures_total`).
    public var refusals: Int
    /// A voting-preference change waits to reach it (`pool_stakepoold_pending_notifications`).
    public var pending: Bool
    public var lastError: String

    public init(host: String, reachable: Bool?, tokenRefused: Bool, refusals: Int, pending: Bool, lastError: String) {
        self.host = host
        self.reachable = reachable
        self.tokenRefused = tokenRefused
        self.refusals = refusals
        self.pending = pending
        self.lastError = lastError
    }

    /// `reachable`, `refuses our token`, `unreachable` or `not contacted yet`.
    public var state: String {
        tokenRefused ? "refuses our token" : reachable.map { $0 ? "reachable" : "unreachable" } ?? "not contacted yet"
    }
}

/// What `/status` shows beyond the wallets, from the web app's other parts: stakepoolds, warnings about the
/// configuration seen at run time, and the operator alert incidents open now.
public struct StatusExtras: Sendable, Equatable {
    public var stakepoolds: [StakepooldStatus]
    public var warnings: [String]
    public var incidents: [OpenIncident]

    public init(stakepoolds: [StakepooldStatus] = [], warnings: [String] = [], incidents: [OpenIncident] = []) {
        self.stakepoolds = stakepoolds
        self.warnings = warnings
        self.incidents = incidents
    }

    /// The warning while a trusted proxy sends forwarding headers that `realipheader` does not name
    /// (`pool_http_forwarded_header_ignored`).
    public static let forwardedHeaderWarning = "A trusted proxy sends forwarding headers but realipheader is not set: "
        + "every client is seen as the proxy's address, so all of them share one rate-limit bucket. "
        + "Set realipheader (e.g. X-Forwarded-For)."
}

/// What `/status` shows (webapp spec §7.2).
public struct StatusReport: Sendable, Equatable {
    public var wallets: [WalletSlotStatus]
    /// `OK`, `Degraded`, `Critical` or `Emergency`.
    public var rpcStatus: String
    /// Why the wallet pool stopped (fail closed); nil while it runs.
    public var stopReason: String?
    public var extras: StatusExtras

    public init(wallets: [WalletSlotStatus], rpcStatus: String, stopReason: String? = nil, extras: StatusExtras = .init()) {
        self.wallets = wallets
        self.rpcStatus = rpcStatus
        self.stopReason = stopReason
        self.extras = extras
    }

    /// The template's data: `WalletInfo` (one row per wallet: `Index`, `Connected`, `DaemonConnected`,
    /// `EnableVoting`, `State`, `MissingScripts`, `MissingTickets`, `Detail`; unknown figures are empty),
    /// `RPCStatus`, `StopReason` (empty while the pool runs), `Stakepoolds` (`Host`, `State`, `Refusals`,
    /// `Pending`, `Detail`), `Warnings` (strings) and `Incidents` (`Family`, `Since`, `Affected`).
    public var templateData: [String: TemplateValue] {
        let rows: [TemplateValue] = wallets.enumerated().map { index, slot in
            ["Index": .int(Int64(index)), "Connected": .bool(slot.connected),
             "DaemonConnected": slot.connected ? .string(String(slot.daemonConnected)) : "",
             "EnableVoting": slot.connected ? .string(String(slot.enableVoting)) : "",
             "State": .string(slot.state), "MissingScripts": .string(slot.missingScripts.map(String.init) ?? ""),
             "MissingTickets": .string(slot.missingTickets.map(String.init) ?? ""), "Detail": .string(slot.detail)]
        }
        let stakepoolds: [TemplateValue] = extras.stakepoolds.map { host in
            ["Host": .string(host.host), "State": .string(host.state), "Refusals": .int(Int64(host.refusals)),
             "Pending": .string(host.pending ? "yes" : "no"), "Detail": .string(host.lastError)]
        }
        let incidents: [TemplateValue] = extras.incidents.map { incident in
            ["Family": .string(incident.family), "Since": .string(OutageTracker.stamp(incident.since)),
             "Affected": .string(Self.affected(incident))]
        }
        return ["WalletInfo": .list(rows), "RPCStatus": .string(rpcStatus), "StopReason": .string(stopReason ?? ""),
                "Stakepoolds": .list(stakepoolds), "Warnings": .list(extras.warnings.map { .string($0) }),
                "Incidents": .list(incidents)]
    }

    static func affected(_ incident: OpenIncident) -> String {
        incident.affected.map { "\($0.what) (since \(OutageTracker.stamp($0.since)))" }.joined(separator: "; ")
    }
}

/// `GET /status` for admins: a `walletinfo` round over every wallet, each with its state (`up`, `checking`,
/// `inconsistent`, `down`, …) and the scripts and tickets it lacked at its last consistency check — the figures
/// of `/metrics` and `poolctl wallets check`. Answers `500` when the wallet pool is stopped (the evident intent
/// of v1.1.1, which hung instead), with the same page and the reason it stopped, so the operator sees which
/// wallet lacks what.
public struct StatusPage: Sendable {
    /// Turns the report into the page (the pages layer passes its template; the default is plain HTML).
    public typealias Renderer = @Sendable (StatusReport, HTTPRequest) async -> HTTPResponse
    /// The rest of the page (stakepoolds, warnings, open incidents), read from the web app's in-memory state.
    public typealias Extras = @Sendable () async -> StatusExtras

    let wallets: any WalletPoolReporting
    let render: Renderer
    let extras: Extras

    public init(wallets: any WalletPoolReporting, render: @escaping Renderer = StatusPage.basicHTML,
                extras: @escaping Extras = { StatusExtras() }) {
        self.wallets = wallets
        self.render = render
        self.extras = extras
    }

    /// The `/status` route, wrapped by `adminGuard`.
    public func route(adminGuard: AdminGuard, pattern: String = "/status") -> Route {
        let page = self
        return adminGuard.protect(Route.async([.get], pattern) { request in await page.respond(request) })
    }

    func respond(_ request: HTTPRequest) async -> HTTPResponse {
        let slots = await wallets.walletStatuses()
        let stopped = wallets.isStopped
        var response = await render(StatusReport(wallets: slots, rpcStatus: WalletSlotStatus.rpcStatus(slots),
                                           stopReason: stopped ? wallets.stopReason ?? "stopped" : nil,
                                           extras: await extras()), request)
        if stopped { response.status = .internalServerError }
        return response
    }

    public static let basicHTML: Renderer = { report, _ in
        var html = "<!DOCTYPE html><html><head><title>Decred Stake Pool - Status</title></head><body><h1>Status</h1>"
        if report.wallets.isEmpty {
            html += "<p>Error receiving walletinfo</p>"
        } else {
            html += "<table id=\"walletinfo\"><tr><th>Wallet Number</th><th>Connected</th><th>DaemonConnected</th>"
                + "<th>EnableVoting</th><th>State</th><th>Missing scripts</th><th>Missing tickets</th><th>Detail</th></tr>"
            for (index, slot) in report.wallets.enumerated() {
                let daemon = slot.connected ? String(slot.daemonConnected) : ""
                let voting = slot.connected ? String(slot.enableVoting) : ""
                html += "<tr><td>\(index)</td><td>\(slot.connected)</td><td>\(daemon)</td><td>\(voting)</td>"
                    + "<td>\(HTMLEscaping.escape(slot.state))</td><td>\(slot.missingScripts.map(String.init) ?? "")</td>"
                    + "<td>\(slot.missingTickets.map(String.init) ?? "")</td><td>\(HTMLEscaping.escape(slot.detail))</td></tr>"
            }
            html += "</table>"
        }
        if let reason = report.stopReason { html += "<p>Wallet pool stopped (fail closed): \(HTMLEscaping.escape(reason))</p>" }
        html += "<p>RPC Status: \(report.rpcStatus)</p>"
        for warning in report.extras.warnings { html += "<p class=\"warning\">\(HTMLEscaping.escape(warning))</p>" }
        if !report.extras.stakepoolds.isEmpty {
            html += "<table id=\"stakepoolds\"><tr><th>stakepoold</th><th>State</th><th>Token refusals</th>"
                + "<th>Change pending</th><th>Detail</th></tr>"
            for host in report.extras.stakepoolds {
                html += "<tr><td>\(HTMLEscaping.escape(host.host))</td><td>\(host.state)</td><td>\(host.refusals)</td>"
                    + "<td>\(host.pending ? "yes" : "no")</td><td>\(HTMLEscaping.escape(host.lastError))</td></tr>"
            }
            html += "</table>"
        }
        html += "<table id=\"incidents\"><tr><th>Open incident</th><th>Since</th><th>Affected</th></tr>"
        for incident in report.extras.incidents {
            html += "<tr><td>\(HTMLEscaping.escape(incident.family))</td><td>\(OutageTracker.stamp(incident.since))</td>"
                + "<td>\(HTMLEscaping.escape(StatusReport.affected(incident)))</td></tr>"
        }
        html += "</table></body></html>\n"
        return .html(html)
    }
}
