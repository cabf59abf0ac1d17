import PoolKernel

/// What `/status` shows (webapp spec §7.2).
public struct StatusReport: Sendable, Equatable {
    public var wallets: [WalletSlotStatus]
    /// `OK`, `Degraded`, `Critical` or `Emergency`.
    public var rpcStatus: String
    /// Why the wallet pool stopped (fail closed); nil while it runs.
    public var stopReason: String?

    public init(wallets: [WalletSlotStatus], rpcStatus: String, stopReason: String? = nil) {
        self.wallets = wallets
        self.rpcStatus = rpcStatus
        self.stopReason = stopReason
    }

    /// The template's data: `WalletInfo` (one row per wallet: `Index`, `Connected`, `DaemonConnected`,
    /// `EnableVoting`, `State`, `MissingScripts`, `MissingTickets`, `Detail`; unknown figures are empty),
    /// `RPCStatus`, and `StopReason` (empty while the pool runs).
    public var templateData: [String: TemplateValue] {
        let rows: [TemplateValue] = wallets.enumerated().map { index, slot in
            ["Index": .int(Int64(index)), "Connected": .bool(slot.connected),
             "DaemonConnected": slot.connected ? .string(String(slot.daemonConnected)) : "",
             "EnableVoting": slot.connected ? .string(String(slot.enableVoting)) : "",
             "State": .string(slot.state), "MissingScripts": .string(slot.missingScripts.map(String.init) ?? ""),
             "MissingTickets": .string(slot.missingTickets.map(String.init) ?? ""), "Detail": .string(slot.detail)]
        }
        return ["WalletInfo": .list(rows), "RPCStatus": .string(rpcStatus), "StopReason": .string(stopReason ?? "")]
    }
}

/// `GET /status` for admins: a `walletinfo` round over every wallet, each with its state (`up`, `checking`,
/// `inconsistent`, `down`, …) and the scripts and tickets it lacked at its last consistency check — the figures
/// of `/metrics` and `poolctl wallets check`. Answers `500` when the wallet pool is stopped (the evident intent
/// of v1.1.1, which hung instead), with the same page and the reason it stopped, so the operator sees which
/// wallet lacks what.
public struct StatusPage: Sendable {
    /// Turns the report into the page (the pages layer passes its template; the default is plain HTML).
    public typealias Renderer = @Sendable (StatusReport, HTTPRequest) -> HTTPResponse

    let wallets: any WalletPoolReporting
    let render: Renderer

    public init(wallets: any WalletPoolReporting, render: @escaping Renderer = StatusPage.basicHTML) {
        self.wallets = wallets
        self.render = render
    }

    /// The `/status` route, wrapped by `adminGuard`.
    public func route(adminGuard: AdminGuard, pattern: String = "/status") -> Route {
        let page = self
        return adminGuard.protect(Route.async([.get], pattern) { request in await page.respond(request) })
    }

    func respond(_ request: HTTPRequest) async -> HTTPResponse {
        let slots = await wallets.walletStatuses()
        let stopped = wallets.isStopped
        var response = render(StatusReport(wallets: slots, rpcStatus: WalletSlotStatus.rpcStatus(slots),
                                           stopReason: stopped ? wallets.stopReason ?? "stopped" : nil), request)
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
        html += "<p>RPC Status: \(report.rpcStatus)</p></body></html>\n"
        return .html(html)
    }
}
