/// What the start-up vote-bits check (`CheckAndResetUserVoteBits`) changes for one user, with dcrstakepool's log
/// lines. Every change ends at vote bits 1 on the agreed vote version.
struct VoteBitsReset: Sendable {
    let userId: UserId
    /// The user's `VoteBitsVersion` moves to the agreed one.
    let versionUpdated: Bool
    /// The user's `VoteBits` become 1 (a new vote version, or invalid for its agendas).
    let bitsReset: Bool
    let lines: [String]

    /// nil when the user is on `voteVersion` with vote bits valid for `agendas`.
    init?(user: User, voteVersion: UInt32, agendas: [Agenda]) {
        var lines: [String] = []
        userId = user.id
        if user.voteBitsVersion != voteVersion {
            versionUpdated = true
            bitsReset = user.voteBits != 1
            lines.append("updated VoteBitsVersion from \(user.voteBitsVersion) to \(voteVersion) for uid \(user.id)")
            if bitsReset { lines.append("updated VoteBits from \(user.voteBits) to 1 for uid \(user.id)") }
        } else if !VoteBits(user.voteBits).isValid(for: agendas) {
            versionUpdated = false
            bitsReset = true
            lines.append("reset invalid VoteBits from \(user.voteBits) to 1 for uid \(user.id)")
        } else {
            return nil
        }
        self.lines = lines
    }
}
