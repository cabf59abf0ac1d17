import Dispatch
import PoolKernel

extension Pages {
    /// Stores a signed-in session for `userId` and returns its cookie value (benchmarks and tools only).
    public func benchmarkSession(for userId: UserId) async throws -> String {
        let now = clock()
        var session = WebSession(cookieID: SessionCookie.newID(), userId: nil, data: SessionData(), createdAt: now,
                                 lastSeenAt: now, isNew: true)
        session.setUser(userId)
        guard await sessions.save(session, now: now) != nil else { throw WebError(.serverState, "session not stored") }
        return sessions.cookie.value(for: session.cookieID)
    }
}

extension Pages {
    /// Times the tickets page's stages once, in milliseconds: classification, table rows, page template, layout,
    /// body bytes (benchmarks only; the whole handler is timed through the router).
    public func benchmarkTicketsStages(info: StakePoolUserInfo, bestHeight: Int64, user: User) -> [(stage: String, ms: Double)] {
        var stages: [(stage: String, ms: Double)] = []
        var mark = DispatchTime.now().uptimeNanoseconds
        func lap(_ stage: String) {
            let now = DispatchTime.now().uptimeNanoseconds
            stages.append((stage, Double(now - mark) / 1_000_000))
            mark = now
        }
        let view = TicketsView(info: info, bestHeight: bestHeight, ticketMaturity: configuration.ticketMaturity,
                               maxVotedAge: configuration.maxVotedAge)
        lap("classify")
        let rows = view.rows(explorer: configuration.ticketExplorerURL)
        lap("rows")
        // The same steps as `render(_:session:user:)`, timed one by one.
        var values = view.counts
        values["Title"] = "Decred Stake Pool - Tickets"
        values["IsTickets"] = true
        values["User"] = Self.userValue(user)
        var parts: [[UInt8]] = []
        for (key, bytes) in rows.sorted(by: { $0.key < $1.key }) {
            parts.append(bytes)
            values[key] = .html(Self.slotMarker(parts.count))
        }
        let set = templates.templates
        let fragment = set.render("tickets", .dict(values))
        lap("page_template")
        values["Content"] = .html(Self.slotMarker(0))
        let layout = set.render("main", .dict(values))
        lap("layout")
        let body = Self.assemble(layout: layout, page: fragment, slots: parts)
        lap("body_bytes")
        stages.append(("body_mb", Double(body.count) / 1_000_000))
        return stages
    }
}
