import Foundation

/// A vspd ticket's three preference maps (spec §7): consensus vote choices, tspend policies and treasury-key
/// policies. Stored as JSON objects with sorted keys; never null (`{}` when empty, as vspd 1.1.1 fixed).
public struct VspVotePreferences: Hashable, Sendable {
    public var voteChoices: [String: String]
    public var tSpendPolicy: [String: String]
    public var treasuryPolicy: [String: String]

    public init(voteChoices: [String: String] = [:], tSpendPolicy: [String: String] = [:],
                treasuryPolicy: [String: String] = [:]) {
        self.voteChoices = voteChoices
        self.tSpendPolicy = tSpendPolicy
        self.treasuryPolicy = treasuryPolicy
    }

    /// `changes` merged in: keys added or overwritten, never deleted (setvotechoices, §5.6 step 8).
    public func merging(_ changes: VspVotePreferences) -> VspVotePreferences {
        VspVotePreferences(voteChoices: voteChoices.merging(changes.voteChoices) { $1 },
                           tSpendPolicy: tSpendPolicy.merging(changes.tSpendPolicy) { $1 },
                           treasuryPolicy: treasuryPolicy.merging(changes.treasuryPolicy) { $1 })
    }

    /// A map as the JSON text storage keeps (`{"a":"b"}`, keys sorted, slashes unescaped).
    public static func encode(_ map: [String: String]) -> String {
        // Most tickets have no treasury or tspend policy: skip Foundation's serializer for those.
        if map.isEmpty { return "{}" }
        guard let data = try? JSONSerialization.data(withJSONObject: map, options: [.sortedKeys, .withoutEscapingSlashes])
        else { return "{}" }
        return String(decoding: data, as: UTF8.self)
    }

    /// The map in stored JSON text; nil when it is not a JSON object of strings. `""` (an old empty column)
    /// reads as `[:]`.
    public static func decode(_ text: String) -> [String: String]? {
        if text.isEmpty || text == "{}" { return [:] }
        guard let object = try? JSONSerialization.jsonObject(with: Data(text.utf8)) as? [String: Any] else { return nil }
        var map: [String: String] = [:]
        for (key, value) in object {
            guard let string = value as? String else { return nil }
            map[key] = string
        }
        return map
    }
}
