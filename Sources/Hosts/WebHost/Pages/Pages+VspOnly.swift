import PoolKernel

// vsponly: the pages of a vspd-only web app (`apifronts=vspd`), which is a VSP as decred/vspd is: no accounts for
// ticket buyers, so only the VSP's page, the operator's sign-in and the dashboard are served.
extension Pages {
    /// Paths a vspd-only web app keeps from `routes` (the VSP page replaces `/` and `/stats`); every other legacy page
    /// is left to `notFoundPage`, which says the pool serves the vspd API.
    static let vspOnlyPaths: Set<String> = ["/assets/*", "/robots.txt", "/favicon.ico", "/signin", "/logout", "/error",
                                            "/captcha.png", "/captcha/new", "/captcha/answer"]

    /// `/` and `/stats` of a vspd-only web app: what vspd's home page shows — network, fee, open or closed, the
    /// tickets it votes and their outcomes, and its response-signing key.
    func vspPage(_ context: inout PageContext, _ vsp: PagesConfiguration.VspOnly, flag: String) async -> PageOutcome {
        guard let counts = try? await storage.read({ try $0.vspTicketCounts() }) else {
            return .redirect("/error?r=" + context.request.path)
        }
        var data = VspTicketFigures(counts).templateData
        data.merge([
            "Network": .string(configuration.network), "VspFee": .string(Self.formatFloat(vsp.feePercent)),
            "VspClosed": .bool(vsp.closed), "VspClosedMsg": .string(vsp.closedMessage),
            "VspPubKey": .string(vsp.publicKey), "PoolEmail": .string(configuration.poolEmail),
        ]) { _, new in new }
        return .page(template: "vsp", title: "Decred VSP - \(flag == "IsStats" ? "Stats" : "Welcome")", flag: flag, data: data)
    }

    /// The legacy API's envelope for `/api/v1/…` and `/api/v2/…` on a vspd-only web app: old wallets show its message.
    static func legacyAPIOffResponse() -> HTTPResponse {
        HTTPResponse(status: .notFound, headers: ["Content-Type": "application/json; charset=utf-8"],
                     body: APIEnvelope.body(status: "error", code: .unavailable, message: legacyAPIOffMessage, data: .omitted))
    }

    static let legacyAPIOffMessage = "this pool serves the vspd API (/api/v3) only: use a wallet with VSP support "
        + "(dcrwallet 1.6 or later, Decrediton)"

    static func isLegacyAPIPath(_ path: String) -> Bool {
        ["/api/v1", "/api/v2"].contains { path == $0 || path.hasPrefix($0 + "/") }
    }
}
