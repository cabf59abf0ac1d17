import Foundation

/// vspd's checks of a ticket's vote preferences (spec §7): consensus choices against the agendas of the network's
/// highest vote version, treasury keys (hex of 33 bytes) and tspend hashes (64 hex digits) with their policy values.
/// Each check throws `E(9)` with vspd's message; maps are read in sorted key order (Go's is random).
public struct VspVotePreferenceRules: Sendable {
    /// The policy values dcrwallet takes (`abstain`, `invalid` and `""` all mean no preference).
    static let policies: Set<String> = ["yes", "no", "abstain", "invalid", ""]

    public let voteVersion: UInt32
    public let agendas: [Agenda]

    /// The agendas of `network`'s highest vote version, as vspd compiles chaincfg in.
    public init(network: NetParams) {
        voteVersion = network.latestVoteVersion ?? 0
        agendas = network.agendas(forVoteVersion: voteVersion)
    }

    public func checkVoteChoices(_ choices: [String: String]) throws {
        for agendaID in choices.keys.sorted() {
            guard let agenda = agendas.first(where: { $0.id == agendaID }) else {
                throw VspAPIError(.invalidVoteChoices, "agenda \(Self.quote(agendaID)) not found for vote version \(voteVersion)")
            }
            let choice = choices[agendaID]!
            guard agenda.choices.contains(where: { $0.id == choice }) else {
                throw VspAPIError(.invalidVoteChoices, "choice \(Self.quote(choice)) not found for agenda \(Self.quote(agendaID))")
            }
        }
    }

    public func checkTreasuryPolicy(_ policy: [String: String]) throws {
        for key in policy.keys.sorted() {
            let bytes: [UInt8]
            do {
                bytes = try Self.goHexDecode(key)
            } catch let failure as HexFailure {
                throw VspAPIError(.invalidVoteChoices, "error decoding treasury key \(Self.quote(key)): \(failure.text)")
            }
            guard bytes.count == 33 else {
                throw VspAPIError(.invalidVoteChoices, "treasury key \(Self.quote(key)) is not 33 bytes")
            }
            try Self.checkPolicy(policy[key]!)
        }
    }

    public func checkTSpendPolicy(_ policy: [String: String]) throws {
        for hash in policy.keys.sorted() {
            guard hash.utf8.count == 64 else {
                throw VspAPIError(.invalidVoteChoices, "wrong tspend hash length, expected 64 got \(hash.utf8.count)")
            }
            do {
                _ = try Self.goHexDecode(hash)
            } catch let failure as HexFailure {
                throw VspAPIError(.invalidVoteChoices, "error decoding tspend hash \(Self.quote(hash)): \(failure.text)")
            }
            try Self.checkPolicy(policy[hash]!)
        }
    }

    /// The three checks in setvotechoices' order: consensus, treasury, tspend (§5.6 step 7).
    public func check(_ preferences: VspVotePreferences) throws {
        try checkVoteChoices(preferences.voteChoices)
        try checkTreasuryPolicy(preferences.treasuryPolicy)
        try checkTSpendPolicy(preferences.tSpendPolicy)
    }

    static func checkPolicy(_ value: String) throws {
        guard policies.contains(value) else { throw VspAPIError(.invalidVoteChoices, "\(quote(value)) is not a valid policy option") }
    }

    struct HexFailure: Error { let text: String }

    /// Go's `hex.DecodeString` with its error texts.
    static func goHexDecode(_ text: String) throws -> [UInt8] {
        var out: [UInt8] = []
        var high: UInt8?
        for scalar in text.unicodeScalars {
            guard scalar.isASCII, let nibble = UInt8(String(scalar), radix: 16) else {
                let shown = String(scalar.value, radix: 16, uppercase: true)
                throw HexFailure(text: "encoding/hex: invalid byte: U+\(String(repeating: "0", count: max(0, 4 - shown.count)) + shown) \(quoteRune(scalar))")
            }
            if let first = high { out.append(first << 4 | nibble); high = nil } else { high = nibble }
        }
        if high != nil { throw HexFailure(text: "encoding/hex: odd length hex string") }
        return out
    }

    private static func quoteRune(_ scalar: Unicode.Scalar) -> String {
        scalar == "'" ? "'\\''" : "'\(goEscaped(String(scalar)))'"
    }

    /// Go's `%q` of a string.
    static func quote(_ text: String) -> String { "\"\(goEscaped(text).replacingOccurrences(of: "\"", with: "\\\""))\"" }

    private static func goEscaped(_ text: String) -> String {
        var out = ""
        for scalar in text.unicodeScalars {
            switch scalar {
            case "\\": out += "\\\\"
            case "\n": out += "\\n"
            case "\r": out += "\\r"
            case "\t": out += "\\t"
            default:
                if scalar.value < 0x20 || scalar.value == 0x7F {
                    out += "\\x" + (scalar.value < 0x10 ? "0" : "") + String(scalar.value, radix: 16)
                } else {
                    out.unicodeScalars.append(scalar)
                }
            }
        }
        return out
    }
}
