/// The fee a vspd ticket must pay (spec §6.1: vspd `getCurrentFee` → dcrwallet `txrules.StakePoolTicketFee`),
/// computed from dcrd's current best header — the ticket price `SBits` and the height — never from the ticket:
///
///     fee = ⌊ p · s · (v + z) / (10000 · (s + v)) ⌋
///
/// with `p` the fee percentage in hundredths, `v` the ticket price, `z` = 10,000 atoms (a fixed stand-in for the
/// relay fee) and `s` the vote subsidy at the height under the subsidy split in force there, reduced once more per
/// subsidy interval the ticket pool spans. Exact integer arithmetic (128-bit intermediates).
public struct VspFee: Sendable {
    /// vspd's stand-in for the ticket's relay fee, in atoms.
    public static let relayFeeStandIn: Int64 = 10_000

    /// The share of the block subsidy that goes to the votes (dcrd `SubsidySplitVariant`).
    public enum SubsidySplit: Sendable, Equatable {
        /// 6/3/1 work/stake/treasury.
        case original
        /// DCP-0010: 10/80/10.
        case dcp0010
        /// DCP-0012: 1/89/10.
        case dcp0012

        /// (stake proportion, total) as dcrd divides.
        var stakeShare: (proportion: Int64, total: Int64) {
            switch self {
            case .original: (3, 10)
            case .dcp0010: (80, 100)
            case .dcp0012: (89, 100)
            }
        }
    }

    /// The heights from which the DCP-0010 and DCP-0012 splits apply. vspd hard-codes them per network.
    public struct SplitHeights: Sendable, Equatable {
        public var dcp0010: Int64
        public var dcp0012: Int64
        public init(dcp0010: Int64, dcp0012: Int64) {
            self.dcp0010 = dcp0010
            self.dcp0012 = dcp0012
        }

        public static let mainnet = SplitHeights(dcp0010: 657_280, dcp0012: 794_368)
        public static let testnet3 = SplitHeights(dcp0010: 877_728, dcp0012: 1_170_048)
        public static let simnet = SplitHeights(dcp0010: 1, dcp0012: 1)

        /// vspd's heights for the network; networks vspd does not know (regnet, a params file) use simnet's,
        /// both splits from the start, as test networks do.
        public static func of(_ network: NetParams) -> SplitHeights {
            switch network.name {
            case "mainnet": .mainnet
            case "testnet3": .testnet3
            default: .simnet
            }
        }
    }

    public let subsidy: PoolTicketFee.SubsidyParams
    public let stakeValidationHeight: Int64
    public let splitHeights: SplitHeights

    public init(subsidy: PoolTicketFee.SubsidyParams, stakeValidationHeight: Int64, splitHeights: SplitHeights) {
        self.subsidy = subsidy
        self.stakeValidationHeight = stakeValidationHeight
        self.splitHeights = splitHeights
    }

    /// The fee rules of `network`: its subsidy, stake validation height and vspd's split heights.
    public init(network: NetParams) {
        self.init(subsidy: PoolTicketFee.SubsidyParams(network: network),
                  stakeValidationHeight: Int64(network.tickets.stakeValidationHeight),
                  splitHeights: SplitHeights.of(network))
    }

    /// The split in force at `height`: DCP-0012 from its height, else DCP-0010 from its height, else the original.
    public func split(height: Int64) -> SubsidySplit {
        if height >= splitHeights.dcp0012 { return .dcp0012 }
        if height >= splitHeights.dcp0010 { return .dcp0010 }
        return .original
    }

    /// dcrd's per-vote subsidy at `height` (`CalcStakeVoteSubsidyV3`): 0 before `StakeValidationHeight − 1`.
    public func voteSubsidy(height: Int64) -> Int64 {
        guard height >= stakeValidationHeight - 1 else { return 0 }
        let share = split(height: height).stakeShare
        let block = PoolTicketFee(params: subsidy).blockSubsidy(height: height)
        return Int64(Int128(block) * Int128(share.proportion) / Int128(share.total * subsidy.ticketsPerBlock))
    }

    /// The fee in atoms for a ticket price `ticketPrice` (atoms) at best-block `height`.
    public func amount(ticketPrice: Int64, height: Int64, percent: VspFeePercent) -> Int64 {
        var adjusted = voteSubsidy(height: height)
        // Look ahead: the ticket votes up to a pool's span later, after that many more reductions.
        let adjustments = (subsidy.ticketPoolSize + subsidy.reductionInterval - 1) / subsidy.reductionInterval
        for _ in 0..<max(0, adjustments) { adjusted = adjusted * 100 / 101 }
        let numerator = Int128(percent.hundredths) * Int128(adjusted) * Int128(ticketPrice + Self.relayFeeStandIn)
        let denominator = Int128(10_000) * Int128(adjusted + ticketPrice)
        guard denominator > 0 else { return 0 }
        return Int64(numerator / denominator)
    }
}
