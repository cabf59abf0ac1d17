/// A ticket's 16-bit vote bits: bit 0 = "previous block's regular tree is valid", other bits encode one
/// choice per agenda of the vote version in force.
public struct VoteBits: RawRepresentable, Sendable, Hashable, Codable, CustomStringConvertible {
    public var rawValue: UInt16
    public init(rawValue: UInt16) { self.rawValue = rawValue }
    public init(_ rawValue: UInt16) { self.rawValue = rawValue }

    /// `1`: approve the previous block, abstain on every agenda. Always valid; what new users get.
    public static let approvePreviousBlock = VoteBits(1)

    public var description: String { String(rawValue) }

    /// dcrstakepool's `IsValidVoteBits`: `1` is always valid; otherwise bit 0 must be set, every agenda's
    /// masked bits must equal one of its choices, and no bit may lie outside the known choices.
    /// With no agendas only `1` is valid.
    public func isValid(for agendas: [Agenda]) -> Bool {
        if rawValue == 1 { return true }
        guard rawValue & 1 == 1 else { return false }
        var used: UInt16 = 1
        for agenda in agendas {
            let masked = rawValue & agenda.mask
            var matched = false
            for choice in agenda.choices {
                used |= choice.bits
                if choice.bits == masked { matched = true }
            }
            if !matched { return false }
        }
        return rawValue & ~used == 0
    }
}
