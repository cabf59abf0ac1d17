/// One choice of a consensus agenda (e.g. `yes` = bits 0x0004 under mask 0x0006).
public struct AgendaChoice: Sendable, Hashable, Codable {
    public var id: String
    public var description: String
    /// The vote bits this choice sets; always inside the agenda's mask.
    public var bits: UInt16
    public var isAbstain: Bool
    public var isNo: Bool

    public init(id: String, description: String, bits: UInt16, isAbstain: Bool = false, isNo: Bool = false) {
        self.id = id
        self.description = description
        self.bits = bits
        self.isAbstain = isAbstain
        self.isNo = isNo
    }
}

/// A consensus deployment voted on by tickets of one stake (vote) version, as in dcrd's
/// `chaincfg.Params.Deployments[version]`.
public struct Agenda: Sendable, Hashable, Codable {
    public var id: String
    public var description: String
    /// The bits of the 16-bit vote bits this agenda owns.
    public var mask: UInt16
    /// Choices in display order.
    public var choices: [AgendaChoice]
    /// Voting window as Unix times (`Int64.max` = never expires).
    public var startTime: Int64
    public var expireTime: Int64
    /// Set when the network forces the outcome (test networks).
    public var forcedChoice: String?

    public init(id: String, description: String, mask: UInt16, choices: [AgendaChoice],
                startTime: Int64 = 0, expireTime: Int64 = .max, forcedChoice: String? = nil) {
        self.id = id
        self.description = description
        self.mask = mask
        self.choices = choices
        self.startTime = startTime
        self.expireTime = expireTime
        self.forcedChoice = forcedChoice
    }

    /// The bits of the choice selected by `voteBits` (`voteBits & mask` when that matches a choice, else 0),
    /// as the voting page pre-selects it.
    public func selectedBits(in voteBits: VoteBits) -> UInt16 {
        let masked = voteBits.rawValue & mask
        return choices.contains { $0.bits == masked } ? masked : 0
    }
}
