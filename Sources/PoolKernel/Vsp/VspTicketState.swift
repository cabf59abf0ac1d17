/// Where a vspd ticket stands: its fee status and its outcome. `StorageReader.vspTicketCounts()` counts tickets per
/// state, for vspinfo (spec §5.1: voting, voted, expired, missed) and `/metrics`.
public struct VspTicketState: Hashable, Sendable {
    public var feeTxStatus: VspFeeTxStatus
    public var outcome: VspTicketOutcome

    public init(_ feeTxStatus: VspFeeTxStatus, _ outcome: VspTicketOutcome = .none) {
        self.feeTxStatus = feeTxStatus
        self.outcome = outcome
    }
}
