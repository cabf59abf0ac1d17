import PoolKernel

/// The tickets page (spec §3.20, §8): immature, live, voted (recent ones listed, older archived), missed, expired,
/// invalid.
extension Pages {
    func ticketsPage(_ context: inout PageContext) async -> PageOutcome {
        guard let user = context.user else { return .redirect("/") }
        if user.multiSigAddress.isEmpty { return .redirect("/address") }
        if wallets.isStopped { return .redirect("/error") }
        let info: StakePoolUserInfo
        let height: Int64
        do {
            info = try await tickets.stakePoolUserInfo(multisigAddress: user.multiSigAddress)
        } catch {
            logger.error("stakepooluserinfo failed: \(error)")
            return .response(.plainError(.internalServerError))
        }
        do {
            height = try await tickets.bestBlockHeight()
        } catch {
            logger.error("getbestblock failed: \(error)")
            return .response(.plainError(.internalServerError))
        }
        let explorer = configuration.ticketExplorerURL
        let view = TicketsView(info: info, bestHeight: height, ticketMaturity: configuration.ticketMaturity,
                               maxVotedAge: configuration.maxVotedAge)
        var data = view.counts
        data["Network"] = .string(configuration.shortNetwork)
        data["IsTestnet"] = .bool(configuration.shortNetwork == "testnet")
        data["PoolFees"] = .string(Self.formatFloat(configuration.poolFees))
        return .page(template: "tickets", title: "Decred Stake Pool - Tickets", flag: "IsTickets", data: data,
                     slots: view.rows(explorer: explorer))
    }
}

/// The classification of spec §8 step 3, as template data. The wallet reports immature and live tickets alike as
/// "live" (dcrwallet's `stakepooluserinfo`); those mined fewer than the network's ticket maturity blocks before the
/// best block are shown apart as immature (they cannot be called yet).
struct TicketsView {
    /// The wallet's tickets; the tables hold positions in it (no copy of a ticket per table).
    let tickets: [StakePoolUserTicket]
    var immature: [Int32] = []
    var live: [Int32] = []
    var voted: [Int32] = []
    var missed: [Int32] = []
    var expired: [Int32] = []
    var votedCount = 0
    let invalid: [TicketHash]

    let ticketMaturity: Int64

    init(info: StakePoolUserInfo, bestHeight: Int64, ticketMaturity: Int64, maxVotedAge: Int64) {
        tickets = info.tickets
        invalid = info.invalid
        self.ticketMaturity = ticketMaturity
        let minVotedHeight = bestHeight - maxVotedAge
        for (index, ticket) in info.tickets.enumerated() {
            let position = Int32(truncatingIfNeeded: index)
            switch ticket.status {
            case "live" where bestHeight - Int64(ticket.ticketHeight) < ticketMaturity: immature.append(position)
            case "live": live.append(position)
            case "expired": expired.append(position)
            case "missed": missed.append(position)
            case "voted":
                votedCount += 1
                if Int64(ticket.spentByHeight) >= minVotedHeight { voted.append(position) }
            default: break
            }
        }
        let tickets = info.tickets
        missed.sort { tickets[Int($0)].spentByHeight < tickets[Int($1)].spentByHeight }
        voted.sort { tickets[Int($0)].spentByHeight < tickets[Int($1)].spentByHeight }
    }

    /// Counts and table rows as template values (the rows as trusted HTML).
    func templateData(explorer: String) -> [String: TemplateValue] {
        var data = counts
        for (key, bytes) in rows(explorer: explorer) { data[key] = .html(String(decoding: bytes, as: UTF8.self)) }
        return data
    }

    /// The table rows by template key, as escaped HTML bytes. Built here in one buffer per table rather than by a
    /// template loop, and handed to the page as slots (never copied through a String): a user with 50,000
    /// tickets must get the page in well under 200 ms. Hashes are written as hex straight from their 32 bytes (hex
    /// needs no escaping); only the explorer prefix is escaped, once.
    func rows(explorer: String) -> [String: [UInt8]] {
        var base = HTMLByteWriter(capacity: explorer.utf8.count + 16)
        base.text(explorer)
        let href = base.bytes
        // No explorer (simnet, or `explorerurl` set empty): plain hashes, no links.
        let linked = !href.isEmpty
        let linkStart = Array("<a href=\"".utf8) + href
        let linkEnd = Array("\" target=\"_blank\" rel=\"noopener\">".utf8)
        func link(_ html: inout HTMLByteWriter, _ hash: TicketHash) {
            guard linked else { return }
            html.markup(bytes: linkStart)
            html.hash(hash)
            html.markup(bytes: linkEnd)
        }
        func end(_ html: inout HTMLByteWriter) { if linked { html.markup(Self.closeLink) } }
        /// The hash, linked to itself on the explorer.
        func hashCell(_ html: inout HTMLByteWriter, _ hash: TicketHash) {
            link(&html, hash)
            html.hash(hash)
            end(&html)
        }
        func rows<Item>(_ items: [Item], links: Int, _ row: (inout HTMLByteWriter, Item) -> Void) -> [UInt8] {
            guard !items.isEmpty else { return [] }
            var html = HTMLByteWriter(capacity: items.count * (60 + links * (href.count + 2 * 64 + 60)))
            for item in items {
                html.markup(Self.rowStart)
                row(&html, item)
                html.markup(Self.rowEnd)
            }
            return html.bytes
        }
        let tickets = tickets
        func rows(_ positions: [Int32], links: Int, _ row: (inout HTMLByteWriter, StakePoolUserTicket) -> Void) -> [UInt8] {
            rows(positions, links: links) { html, position in row(&html, tickets[Int(position)]) }
        }
        let immature = rows(immature, links: 1) { html, t in
            hashCell(&html, t.ticket); html.markup(Self.cell); html.decimal(t.ticketHeight)
            html.markup(Self.cell); html.decimal(UInt32(clamping: Int64(t.ticketHeight) + ticketMaturity))
        }
        let live = rows(live, links: 1) { html, t in
            hashCell(&html, t.ticket); html.markup(Self.cell); html.decimal(t.ticketHeight)
        }
        let voted = rows(voted, links: 2) { html, t in
            hashCell(&html, t.ticket); html.markup(Self.cell)
            link(&html, t.spentBy); html.decimal(t.spentByHeight); end(&html); html.markup(Self.cell)
            html.decimal(t.ticketHeight)
        }
        func spent(_ html: inout HTMLByteWriter, _ t: StakePoolUserTicket) {
            hashCell(&html, t.ticket); html.markup(Self.cell); html.decimal(t.spentByHeight)
            html.markup(Self.cell); html.decimal(t.ticketHeight)
        }
        let missed = rows(missed, links: 1, spent)
        let expired = rows(expired, links: 1, spent)
        let invalidRows = rows(invalid, links: 1) { html, hash in hashCell(&html, hash) }
        return ["TicketsImmatureRows": immature, "TicketsLiveRows": live, "TicketsVotedRows": voted, "TicketsMissedRows": missed,
                "TicketsExpiredRows": expired, "TicketsInvalidRows": invalidRows]
    }

    private static let rowStart: StaticString = "<tr><td>"
    private static let cell: StaticString = "</td><td>"
    private static let rowEnd: StaticString = "</td></tr>\n"
    private static let closeLink: StaticString = "</a>"

    /// The counts the template tests and prints.
    var counts: [String: TemplateValue] {
        [
            "TicketsImmatureCount": .int(Int64(immature.count)),
            "TicketsLiveCount": .int(Int64(live.count)),
            // Unspent tickets (immature or live): the instructions fold away once there are any.
            "TicketsUnspentCount": .int(Int64(immature.count + live.count)),
            "TicketsVotedShownCount": .int(Int64(voted.count)),
            "TicketsMissedCount": .int(Int64(missed.count)),
            "TicketsExpiredCount": .int(Int64(expired.count)),
            "TicketsInvalidCount": .int(Int64(invalid.count)),
            "TicketsVotedCount": .int(Int64(votedCount)),
            "TicketsVotedArchivedCount": .int(Int64(votedCount - voted.count)),
        ]
    }
}
