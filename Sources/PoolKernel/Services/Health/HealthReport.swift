import Foundation

/// What `/health` answers (web app and stakepoold): every dependency's state and the overall verdict.
///
/// - `down` (HTTP 503): this host cannot serve at all, so a load balancer should take it out.
/// - `degraded` (HTTP 200, the host stays in rotation): the pool cannot do part of its job (a wallet down or
///   inconsistent, mail not going out, a stakepoold unreachable).
/// - `ok` (HTTP 200).
public struct HealthReport: Sendable, Equatable {
    public enum State: String, Sendable, Comparable {
        case ok, degraded, down
        private var rank: Int { self == .ok ? 0 : self == .degraded ? 1 : 2 }
        public static func < (lhs: State, rhs: State) -> Bool { lhs.rank < rhs.rank }
    }

    /// One dependency (or one instance of it: `wallet` 0, 1, …).
    public struct Check: Sendable, Equatable {
        /// `database`, `wallet`, `dcrd`, `mail`, `stakepoold`, `wallet-pool`.
        public var component: String
        /// Which one, for repeated components (a wallet's index and host, a stakepoold's address); empty otherwise.
        public var instance: String
        public var state: State
        /// One sentence on why it is not ok (empty when ok), or a short note.
        public var detail: String
        /// Figures shown with it (`missing_scripts`, `queued`, …), in order.
        public var figures: [(String, Double)]

        public init(component: String, instance: String = "", state: State, detail: String = "",
                    figures: [(String, Double)] = []) {
            self.component = component
            self.instance = instance
            self.state = state
            self.detail = detail
            self.figures = figures
        }

        public static func == (lhs: Check, rhs: Check) -> Bool {
            lhs.component == rhs.component && lhs.instance == rhs.instance && lhs.state == rhs.state
                && lhs.detail == rhs.detail && lhs.figures.map(\.0) == rhs.figures.map(\.0)
                && lhs.figures.map(\.1) == rhs.figures.map(\.1)
        }
    }

    public var checks: [Check]
    /// The overall verdict, decided by the host (which dependencies make it `down` is the host's rule).
    public var status: State

    public init(checks: [Check], status: State) {
        self.checks = checks
        self.status = status
    }

    /// 503 when down, else 200.
    public var httpStatusCode: Int { status == .down ? 503 : 200 }

    /// `{"status":"degraded","checks":[{"component":"wallet","instance":"1 (127.0.0.1:19567)","state":"down",…}]}`
    public var json: String {
        var out = "{\"status\":\(Self.quote(status.rawValue)),\"checks\":["
        out += checks.map { check in
            var fields = ["\"component\":\(Self.quote(check.component))"]
            if !check.instance.isEmpty { fields.append("\"instance\":\(Self.quote(check.instance))") }
            fields.append("\"state\":\(Self.quote(check.state.rawValue))")
            if !check.detail.isEmpty { fields.append("\"detail\":\(Self.quote(check.detail))") }
            for (name, value) in check.figures { fields.append("\(Self.quote(name)):\(Self.number(value))") }
            return "{" + fields.joined(separator: ",") + "}"
        }.joined(separator: ",")
        return out + "]}\n"
    }

    static func number(_ value: Double) -> String {
        guard value.isFinite else { return "null" }
        if value == value.rounded(), abs(value) < 1e15 { return String(Int64(value)) }
        return String(value)
    }

    static func quote(_ text: String) -> String {
        var out = "\""
        for scalar in text.unicodeScalars {
            switch scalar {
            case "\"": out += "\\\""
            case "\\": out += "\\\\"
            case "\n": out += "\\n"
            case "\r": out += "\\r"
            case "\t": out += "\\t"
            case _ where scalar.value < 0x20: out += String(format: "\\u%04x", scalar.value)
            default: out.unicodeScalars.append(scalar)
            }
        }
        return out + "\""
    }
}
