import Foundation

/// Groups operator alerts into incidents and decides which messages to send (a plain value; the alerter
/// locks it). One incident per family (`wallet`, `pool`, `database`, `mail`, `stakepoold`): it opens with the
/// first trouble event, collects which members are affected since when, and closes when every member has
/// recovered.
///
/// The rules the operator can trust:
/// - a message whenever the incident opens or closes (the inbox never keeps saying "down" after a recovery,
///   and a new outage right after one is reported);
/// - changes while an incident stays open are summarised in one update, at most one per `interval`;
/// - a flapping member cannot flood the inbox: at most `burst` messages per family per `interval`; what is
///   held back is summarised (with the current state) as soon as the window allows — never dropped.
struct IncidentBook: Sendable {
    struct Message: Sendable, Equatable {
        var family: String
        var subject: String
        var body: String
    }

    private struct Member: Sendable {
        var what: String
        var since: Date
    }

    private struct Family: Sendable {
        /// Affected members now (member key → what and since).
        var members: [String: Member] = [:]
        var openSince: Date?
        /// When the last closed incident had opened (for the recovery message).
        var lastOpened: Date?
        /// Events not told yet, oldest first.
        var untold: [(time: Date, alert: OperatorAlert)] = []
        /// Messages sent in the current window.
        var sent: [Date] = []
        /// Whether the last message sent said the incident is open.
        var toldOpen = false
    }

    let interval: TimeInterval
    let burst: Int
    private var families: [String: Family] = [:]

    init(interval: TimeInterval, burst: Int = 4) {
        self.interval = interval
        self.burst = max(1, burst)
    }

    /// Adds one event to its incident.
    mutating func record(_ alert: OperatorAlert, now: Date) {
        var family = families[alert.incidentKey] ?? Family()
        if alert.kind.isRecovery {
            if alert.walletIndex == nil && alert.subjectKey == nil {
                family.members = [:]
            } else {
                family.members[alert.memberKey] = nil
            }
            if family.members.isEmpty, let since = family.openSince {
                family.lastOpened = since
                family.openSince = nil
            }
        } else {
            let since = family.members[alert.memberKey]?.since ?? now
            family.members[alert.memberKey] = Member(what: alert.subject, since: since)
            if family.openSince == nil { family.openSince = now }
        }
        family.untold.append((now, alert))
        families[alert.incidentKey] = family
    }

    /// The messages due now (see the rules above).
    mutating func due(now: Date) -> [Message] {
        var messages: [Message] = []
        for key in families.keys.sorted() {
            guard var family = families[key], !family.untold.isEmpty else { continue }
            family.sent.removeAll { now.timeIntervalSince($0) >= interval }
            let isOpen = family.openSince != nil
            let changesOpenness = isOpen != family.toldOpen
            let allowed = changesOpenness ? family.sent.count < burst : family.sent.isEmpty
            guard allowed else {
                families[key] = family
                continue
            }
            messages.append(Self.compose(key, family, now: now))
            family.sent.append(now)
            family.toldOpen = isOpen
            family.untold = []
            families[key] = family
        }
        return messages
    }

    /// Families with an incident open now.
    var openFamilies: [String] { families.filter { $0.value.openSince != nil }.map(\.key).sorted() }

    /// The incidents open now, by family, with what is affected since when (`/status`).
    var openIncidents: [OpenIncident] {
        families.compactMap { key, family in
            family.openSince.map { since in
                OpenIncident(family: key, since: since,
                             affected: family.members.sorted { $0.key < $1.key }.map { ($0.value.what, $0.value.since) })
            }
        }.sorted { $0.family < $1.family }
    }

    private static func compose(_ key: String, _ family: Family, now: Date) -> Message {
        let events = family.untold
        var lines: [String] = []
        let subject: String
        if let since = family.openSince {
            let members = family.members.sorted { $0.key < $1.key }
            subject = members.count == 1 ? members[0].value.what
                : "\(members.count) \(key) problems: " + members.map(\.value.what).joined(separator: "; ")
            lines.append("Incident (\(key)) open since \(stamp(since)), \(duration(now.timeIntervalSince(since))).")
            lines.append("Affected now:")
            for (_, member) in members { lines.append("  - \(member.what) (since \(stamp(member.since)))") }
        } else {
            let opened = family.lastOpened
            let recovery = events.last.map(\.alert).flatMap { $0.kind.isRecovery ? $0.subject : nil }
            let last = recovery ?? "recovered: \(key)"
            subject = last + (opened.map { " (trouble since \(stamp($0)), \(duration(now.timeIntervalSince($0))))" } ?? "")
            lines.append("Every \(key) problem is resolved" + (opened.map { "; the incident began at \(stamp($0))" } ?? "") + ".")
        }
        lines.append("")
        lines.append(events.count == 1 ? "What happened:" : "What happened (\(events.count) events since the last message):")
        for event in events.suffix(20) {
            lines.append("  \(stamp(event.time))  \(event.alert.subject)")
        }
        if events.count > 20 { lines.append("  … and \(events.count - 20) earlier event(s)") }
        if let last = events.last?.alert.body, !last.isEmpty {
            lines.append("")
            lines.append(last)
        }
        return Message(family: key, subject: subject, body: lines.joined(separator: "\n"))
    }

    static func stamp(_ date: Date) -> String {
        let formatter = ISO8601DateFormatter()
        formatter.formatOptions = [.withInternetDateTime]
        return formatter.string(from: date)
    }

    static func duration(_ seconds: TimeInterval) -> String {
        let total = max(0, Int(seconds))
        if total < 120 { return "\(total) s" }
        if total < 7200 { return "\(total / 60) min" }
        return "\(total / 3600) h \(total % 3600 / 60) min"
    }
}

/// An incident open now: its family (`wallet`, `database`, `mail`, `stakepoold`, `pool`), when it began, and
/// what is affected since when.
public struct OpenIncident: Sendable, Equatable {
    public var family: String
    public var since: Date
    public var affected: [(what: String, since: Date)]

    public static func == (lhs: OpenIncident, rhs: OpenIncident) -> Bool {
        lhs.family == rhs.family && lhs.since == rhs.since && lhs.affected.map(\.what) == rhs.affected.map(\.what)
            && lhs.affected.map(\.since) == rhs.affected.map(\.since)
    }
}
