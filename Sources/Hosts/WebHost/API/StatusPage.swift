import PoolKernel

/// What `/status` shows (webapp spec §7.2).
public struct StatusReport: Sendable, Equatable {
    public var wallets: [WalletSlotStatus]
    /// `OK`, `Degraded`, `Critical` or `Emergency`.
    public var rpcStatus: String
}

/// `GET /status` for admins: a `walletinfo` round over every wallet. Answers `500` when the wallet
/// pool is stopped (the evident intent of v1.1.1, which hung instead).
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
        if wallets.isStopped { return .text("Internal Server Error\n", status: .internalServerError) }
        let slots = await wallets.walletStatuses()
        if wallets.isStopped { return .text("Internal Server Error\n", status: .internalServerError) }
        return render(StatusReport(wallets: slots, rpcStatus: WalletSlotStatus.rpcStatus(slots)), request)
    }

    public static let basicHTML: Renderer = { report, _ in
        var html = "<!DOCTYPE html><html><head><title>Decred Stake Pool - Status</title></head><body><h1>Status</h1>"
        if report.wallets.isEmpty {
            html += "<p>Error receiving walletinfo</p>"
        } else {
            html += "<table id=\"walletinfo\"><tr><th>Wallet Number</th><th>Connected</th><th>DaemonConnected</th><th>EnableVoting</th></tr>"
            for (index, slot) in report.wallets.enumerated() {
                let daemon = slot.connected ? String(slot.daemonConnected) : ""
                let voting = slot.connected ? String(slot.enableVoting) : ""
                html += "<tr><td>\(index)</td><td>\(slot.connected)</td><td>\(daemon)</td><td>\(voting)</td></tr>"
            }
            html += "</table>"
        }
        html += "<p>RPC Status: \(report.rpcStatus)</p></body></html>\n"
        return .html(html)
    }
}
