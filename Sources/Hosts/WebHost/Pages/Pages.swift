import Foundation
import PoolKernel

/// The HTML side of the pool (webapp spec §3, §7–§9): accounts, address, tickets, stats, voting, error and
/// maintenance pages, static assets and the built-in captcha, as routes for `WebStack.router(pages:)`.
///
/// Every page goes through `serve`: session (server-side, signed cookie), CSRF check on POST/XHR, user
/// look-up, the handler, then the session is saved and its cookies set.
///
/// ```swift
/// let pages = Pages(configuration: config, storage: storage, templates: try TemplateLibrary(directory: "templates"),
///                   accounts: accounts, registrar: registration, wallets: walletPool, tickets: walletPool,
///                   stats: statsCache, captcha: .builtIn, logger: logs.logger("PAGE"))
/// let router = WebStack.router(api: api, status: nil, adminGuard: guard, metrics: metrics,
///                              rateLimiter: limiter, pages: pages.routes)
/// ```
public struct Pages: Sendable {
    /// Told when a user's registration or vote bits changed (notifies stakepoold).
    public typealias UserChanged = @Sendable (UserId) async -> Void

    let configuration: PagesConfiguration
    let storage: any StorageBackend
    let templates: TemplateLibrary
    let accounts: AccountService
    let registrar: any AddressRegistering
    let wallets: any WalletPoolReporting
    let tickets: any TicketInfoSource
    let stats: StatsCache?
    let captcha: CaptchaMode
    let sessions: SessionStore
    let assets: StaticAssets
    let userChanged: UserChanged
    let revealCaptcha: Bool
    let logger: Logger
    let clock: @Sendable () -> Int64
    /// The dashboard's shared aggregates (`dashboardFiguresMaxAge`).
    let dashboardFigures: DashboardFiguresCache
    /// The pool-wide missed and expired tickets the dashboard pages through; nil: not swept here.
    let unvotedTickets: UnvotedTicketsSweep?

    public init(configuration: PagesConfiguration, storage: any StorageBackend, templates: TemplateLibrary,
                accounts: AccountService, registrar: any AddressRegistering, wallets: any WalletPoolReporting,
                tickets: any TicketInfoSource, stats: StatsCache?, captcha: CaptchaMode = .builtIn,
                userChanged: @escaping UserChanged = { _ in }, logger: Logger, unvotedTickets: UnvotedTicketsSweep? = nil,
                environment: [String: String] = ProcessInfo.processInfo.environment,
                clock: @escaping @Sendable () -> Int64 = { Int64(Date().timeIntervalSince1970) }) {
        self.configuration = configuration
        self.storage = storage
        self.templates = templates
        self.accounts = accounts
        self.registrar = registrar
        self.wallets = wallets
        self.tickets = tickets
        self.stats = stats
        self.captcha = captcha
        self.sessions = SessionStore(configuration: .init(cookieSecret: configuration.cookieSecret,
                                                          secureCookies: configuration.cookieSecure),
                                     storage: storage, logger: logger)
        self.assets = StaticAssets(root: configuration.publicPath)
        self.userChanged = userChanged
        self.revealCaptcha = configuration.revealCaptchaForTests && environment["POOL_TEST_CAPTCHA"] == "1"
        self.logger = logger
        self.clock = clock
        self.dashboardFigures = DashboardFiguresCache(maxAge: configuration.dashboardFiguresMaxAge)
        self.unvotedTickets = unvotedTickets
    }

    /// The routing table lines (append after the API routes).
    public var routes: [Route] {
        let pages = self
        func page(_ methods: Set<HTTPMethod>, _ path: String, signedIn: Bool = false,
                  _ body: @escaping @Sendable (Pages, inout PageContext) async -> PageOutcome) -> Route {
            Route.async(methods, path) { request in await pages.serve(request, signedIn: signedIn, body) }
        }
        var routes: [Route] = [
            Route.get("/assets/*") { request in pages.assets.serve(request.parameters["*"] ?? "") },
            Route.get("/robots.txt") { _ in pages.assets.serve("robots.txt") },
            Route.get("/favicon.ico") { _ in pages.assets.serve("images/favicon/favicon.ico") },
            page([.get], "/") { await $0.home(&$1) },
            page([.get], "/signin") { await $0.signIn(&$1) },
            page([.post], "/signin") { await $0.signInPost(&$1) },
            page([.get], "/signup") { await $0.signUp(&$1) },
            page([.post], "/signup") { await $0.signUpPost(&$1) },
            page([.get], "/logout") { await $0.logoutPage(&$1) },
            page([.post], "/logout") { await $0.logout(&$1) },
            page([.get], "/emailverify") { await $0.emailVerify(&$1) },
            page([.get], "/emailupdate") { await $0.emailUpdate(&$1) },
            page([.get], "/passwordreset") { await $0.passwordReset(&$1) },
            page([.post], "/passwordreset") { await $0.passwordResetPost(&$1) },
            page([.get], "/passwordupdate") { await $0.passwordUpdate(&$1) },
            page([.post], "/passwordupdate") { await $0.passwordUpdatePost(&$1) },
            page([.get], "/settings", signedIn: true) { await $0.settings(&$1) },
            page([.post], "/settings", signedIn: true) { await $0.settingsPost(&$1) },
            page([.get], "/accountclosed") { await $0.accountClosed(&$1) },
            page([.get], "/address", signedIn: true) { await $0.address(&$1) },
            page([.post], "/address", signedIn: true) { await $0.addressPost(&$1) },
            page([.get], "/tickets", signedIn: true) { await $0.ticketsPage(&$1) },
            page([.get], "/voting", signedIn: true) { await $0.voting(&$1) },
            page([.post], "/voting", signedIn: true) { await $0.votingPost(&$1) },
            page([.get], "/stats") { await $0.statsPage(&$1) },
            page([.get], "/error") { await $0.errorPage(&$1) },
            page([.get], "/captcha.png") { await $0.captchaImage(&$1) },
            page([.get], "/captcha/new") { await $0.captchaRenew(&$1) },
        ]
        if revealCaptcha {
            // Tests only: the answer of the challenge `?id=` names (the form's hidden `captchaid`).
            routes.append(page([.get], "/captcha/answer") { pages, context in
                .response(.text(await pages.pendingCaptcha(context)?.answer ?? ""))
            })
        }
        // vsponly: the VSP's page and the operator's sign-in; the legacy user pages answer `notFoundPage`.
        if let vsp = configuration.vspOnly {
            routes = routes.filter { Self.vspOnlyPaths.contains($0.pattern) } + [
                page([.get], "/") { await $0.vspPage(&$1, vsp, flag: "IsIndex") },
                page([.get], "/stats") { await $0.vspPage(&$1, vsp, flag: "IsStats") },
            ]
        }
        return routes
    }

    /// `/status` rendered with the pages' layout (pass to `StatusPage(render:)`).
    public var statusRenderer: StatusPage.Renderer {
        let pages = self
        return { report, request in
            // The navbar of the admin's own session (read only: /status neither creates nor touches a session).
            var session = await pages.sessions.load(request, now: pages.clock())
            let user = if let id = session.userId { try? await pages.storage.user(id: id) } else { User?.none }
            return pages.render(.page(template: "status", title: "Decred Stake Pool - Status", flag: "IsStatus",
                                      data: report.templateData),
                                session: &session, user: user, storesSession: false)
        }
    }

    // MARK: - Pipeline

    func serve(_ request: HTTPRequest, signedIn: Bool,
               _ body: @Sendable (Pages, inout PageContext) async -> PageOutcome) async -> HTTPResponse {
        if configuration.maintenance && !request.path.hasPrefix("/assets/") {
            return .html(templates.templates.render("maintenance", [:]), status: .serviceUnavailable)
        }
        let now = clock()
        let session = await sessions.load(request, now: now)
        var context = PageContext(request: request, form: request.formValues, session: session, user: nil, now: now)
        if let id = context.session.userId {
            context.user = try? await storage.user(id: id)
            if context.user == nil { context.session.setUser(nil) }
        }
        let outcome: PageOutcome
        if CSRFCheck.isXHR(request) || request.method != .get && request.method != .head,
           CSRFCheck.verify(request, token: context.session.data.csrfToken, form: context.form) != .ok {
            outcome = staleForm(request)
        } else if signedIn && context.user == nil {
            // Sign in first, then back here (the sign-in form carries the path; only known pages are honoured).
            outcome = .redirect("/signin?next=" + request.path)
        } else {
            outcome = await body(self, &context)
        }
        var response = render(outcome, session: &context.session, user: context.user)
        if let cookie = await sessions.save(context.session, now: clock()) {
            response.headers.add("Set-Cookie", cookie)
            if !context.session.data.csrfToken.isEmpty {
                response.headers.add("Set-Cookie", sessions.cookieHeader("XSRF-TOKEN", context.session.data.csrfToken,
                                                                         httpOnly: false))
            }
        }
        response.headers.set("Cache-Control", "no-store")
        return response
    }

    /// A missing or wrong CSRF token (a form opened before a sign-out elsewhere, or not from this site): 400
    /// with the site's layout, what happened and a link back to a fresh copy of the page. Nothing was changed.
    private func staleForm(_ request: HTTPRequest) -> PageOutcome {
        .page(template: "error", title: "Decred Stake Pool - Form expired", flag: "IsError",
              data: ["StaleForm": true, "Referer": .string(Self.localPath(request.path) ?? "/")], status: .badRequest)
    }

    /// Unknown paths: a 404 page in the site's layout, with the visitor's own navbar (the session is read, never
    /// created or touched, as for /status). The API (`/api/…`) and assets keep their plain answer unchanged.
    public var notFoundPage: RouteHandler {
        let pages = self
        return { request in
            if pages.configuration.vspOnly != nil && Self.isLegacyAPIPath(request.path) {
                return .immediate(Self.legacyAPIOffResponse())
            }
            if request.path.hasPrefix("/api/") || request.path == "/api" || request.path.hasPrefix("/assets/") {
                return .immediate(.plainError(.notFound))
            }
            return .deferred {
                var session = await pages.sessions.load(request, now: pages.clock())
                let user = if let id = session.userId { try? await pages.storage.user(id: id) } else { User?.none }
                var response = pages.render(.page(template: "error", title: "Decred Stake Pool - Page not found",
                                                  flag: "IsError", data: ["NotFound": true], status: .notFound),
                                            session: &session, user: user, storesSession: false)
                response.headers.set("Cache-Control", "no-store")
                return response
            }
        }
    }

    /// `storesSession`: false for the read-only renderers (/status, 404), whose session is never saved, so they
    /// mint no CSRF token (the navbar then links to the sign-out page instead of carrying a form).
    func render(_ outcome: PageOutcome, session: inout WebSession, user: User?, storesSession: Bool = true) -> HTTPResponse {
        switch outcome {
        case .redirect(let location):
            return .redirect(to: location)
        case .response(let response):
            return response
        case let .page(template, title, flag, data, status, slots):
            var values = data
            values["Title"] = .string(title)
            values[flag] = true
            values["User"] = user.map(Self.userValue) ?? .null
            if configuration.vspOnly != nil { values["VspOnly"] = true }
            values["CsrfKey"] = .string(CSRFCheck.fieldName)
            // Only pages with a form need a token (and so a stored session); readers of other pages create none.
            // A signed-in user's navbar has one: the sign-out form.
            let needsToken = Self.formTemplates.contains(template) || user != nil && storesSession
            values["CsrfToken"] = .string(needsToken ? session.csrfToken() : session.data.csrfToken)
            var parts: [[UInt8]] = []
            for (key, bytes) in slots.sorted(by: { $0.key < $1.key }) {
                parts.append(bytes)
                values[key] = .html(Self.slotMarker(parts.count))
            }
            let set = templates.templates
            let fragment = set.render(template, .dict(values))
            values["Content"] = .html(Self.slotMarker(0))
            let layout = set.render("main", .dict(values))
            return HTTPResponse(status: status, headers: ["Content-Type": "text/html"],
                                body: Self.assemble(layout: layout, page: fragment, slots: parts))
        }
    }

    /// Stands for slot `index` (0: the page inside the layout) while templates render; user text cannot
    /// produce it (`<` is always escaped).
    static func slotMarker(_ index: Int) -> String { slotPrefix + String(index) + "-->" }
    static let slotPrefix = "<!--hxstakepool:slot:"

    /// The response body: the layout with slot 0 replaced by the page, and slot `n` (in the page or the layout)
    /// replaced by `slots[n - 1]`. Built straight into one buffer: a 50,000-ticket table (13 MB) is copied once.
    static func assemble(layout: String, page: String, slots: [[UInt8]]) -> [UInt8] {
        var layout = layout, page = page
        return layout.withUTF8 { shell in
            page.withUTF8 { content in
                var out: [UInt8] = []
                out.reserveCapacity(shell.count + content.count + slots.reduce(0) { $0 + $1.count })
                write(shell, into: &out, page: content, slots: slots)
                return out
            }
        }
    }

    /// Copies `text`, expanding slot markers (slot 0 only when `page` is given, so the page cannot nest itself).
    private static func write(_ text: UnsafeBufferPointer<UInt8>, into out: inout [UInt8], page: UnsafeBufferPointer<UInt8>?,
                              slots: [[UInt8]]) {
        let prefix = Array(slotPrefix.utf8)
        var start = 0, index = 0
        while index + prefix.count < text.count {
            guard text[index] == prefix[0], prefix.indices.allSatisfy({ text[index + $0] == prefix[$0] }) else {
                index += 1
                continue
            }
            var end = index + prefix.count, number = 0
            while end < text.count, text[end] >= 0x30, text[end] <= 0x39, number < 1_000_000 {
                number = number * 10 + Int(text[end] - 0x30)
                end += 1
            }
            let closed = end + 3 <= text.count && text[end] == 0x2D && text[end + 1] == 0x2D && text[end + 2] == 0x3E
            let known = end > index + prefix.count && closed && (number == 0 ? page != nil : number <= slots.count)
            guard known else {
                index += 1
                continue
            }
            out.append(contentsOf: UnsafeBufferPointer(rebasing: text[start..<index]))
            if number == 0, let page {
                write(page, into: &out, page: nil, slots: slots)
            } else {
                out.append(contentsOf: slots[number - 1])
            }
            index = end + 3
            start = index
        }
        out.append(contentsOf: UnsafeBufferPointer(rebasing: text[start...]))
    }

    static let formTemplates: Set<String> = ["auth/signin", "auth/signup", "passwordreset", "passwordupdate",
                                             "settings", "address", "voting", "admin", "logout"]

    static func userValue(_ user: User) -> TemplateValue {
        ["Email": .string(user.email), "MultiSigAddress": .string(user.multiSigAddress),
         "MultiSigScript": .string(user.multiSigScript), "UserPubKeyAddr": .string(user.userPubKeyAddr),
         "UserFeeAddr": .string(user.userFeeAddr), "PoolPubKeyAddr": .string(user.poolPubKeyAddr),
         "Id": .int(user.id.rawValue)]
    }

    static func list(_ texts: [String]) -> TemplateValue { .list(texts.map { .string($0) }) }
}
