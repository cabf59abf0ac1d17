/// dcrwallet's `StakePoolTicketFee` (stakepoold.md §6.5): the pool fee (atoms) a ticket must commit to the
/// pool's fee address. Integer arithmetic only, with 128-bit intermediates, so results match Go exactly.
public struct PoolTicketFee: Sendable {
    /// The subsidy parameters the formula needs, per network (the §6.5 table).
    public struct SubsidyParams: Sendable, Equatable {
        public var baseSubsidy: Int64
        public var mulSubsidy: Int64
        public var divSubsidy: Int64
        public var reductionInterval: Int64
        public var workProportion: Int64
        public var stakeProportion: Int64
        public var taxProportion: Int64
        public var ticketsPerBlock: Int64
        public var ticketPoolSize: Int64
        /// The subsidy of block 1 (premine), used when the ticket was mined at height 1.
        public var blockOneSubsidy: Int64

        public init(baseSubsidy: Int64, mulSubsidy: Int64, divSubsidy: Int64, reductionInterval: Int64,
                    workProportion: Int64, stakeProportion: Int64, taxProportion: Int64, ticketsPerBlock: Int64,
                    ticketPoolSize: Int64, blockOneSubsidy: Int64) {
            self.baseSubsidy = baseSubsidy
            self.mulSubsidy = mulSubsidy
            self.divSubsidy = divSubsidy
            self.reductionInterval = reductionInterval
            self.workProportion = workProportion
            self.stakeProportion = stakeProportion
            self.taxProportion = taxProportion
            self.ticketsPerBlock = ticketsPerBlock
            self.ticketPoolSize = ticketPoolSize
            self.blockOneSubsidy = blockOneSubsidy
        }

        public static let mainnet = SubsidyParams(
            baseSubsidy: 3_119_582_664, mulSubsidy: 100, divSubsidy: 101, reductionInterval: 6144, workProportion: 6,
            stakeProportion: 3, taxProportion: 1, ticketsPerBlock: 5, ticketPoolSize: 8192,
            blockOneSubsidy: 168_000_000_000_000)
        public static let testnet2 = SubsidyParams(
            baseSubsidy: 2_500_000_000, mulSubsidy: 100, divSubsidy: 101, reductionInterval: 2048, workProportion: 6,
            stakeProportion: 3, taxProportion: 1, ticketsPerBlock: 5, ticketPoolSize: 1024,
            blockOneSubsidy: 100_000_000_000_000)
        public static let simnet = SubsidyParams(
            baseSubsidy: 50_000_000_000, mulSubsidy: 100, divSubsidy: 101, reductionInterval: 128, workProportion: 6,
            stakeProportion: 3, taxProportion: 1, ticketsPerBlock: 5, ticketPoolSize: 64,
            blockOneSubsidy: 300_000_000_000_000)

        /// The parameters for a network name (`mainnet`, `testnet2`/`testnet`, `simnet`), or nil.
        public static func named(_ network: String) -> SubsidyParams? {
            switch network.lowercased() {
            case "mainnet": .mainnet
            case "testnet", "testnet2", "testnet3": .testnet2
            case "simnet": .simnet
            default: nil
            }
        }

        /// The numbers of `network`: its params file's `subsidy` section, else the bundled network of that name,
        /// else mainnet's amounts with the network's own tickets per block and pool size.
        public init(network: NetParams) {
            let tickets = (perBlock: Int64(network.tickets.perBlock), poolSize: Int64(network.tickets.poolSize))
            if let own = network.subsidy {
                self.init(baseSubsidy: own.baseSubsidy, mulSubsidy: own.mulSubsidy, divSubsidy: own.divSubsidy,
                          reductionInterval: own.reductionInterval, workProportion: own.workProportion,
                          stakeProportion: own.stakeProportion, taxProportion: own.taxProportion,
                          ticketsPerBlock: tickets.perBlock, ticketPoolSize: tickets.poolSize,
                          blockOneSubsidy: own.blockOneSubsidy)
                return
            }
            self = Self.named(network.name) ?? .mainnet
            ticketsPerBlock = tickets.perBlock
            ticketPoolSize = tickets.poolSize
        }
    }

    public let params: SubsidyParams
    public init(params: SubsidyParams) { self.params = params }

    /// The full block subsidy at `height`.
    public func blockSubsidy(height: Int64) -> Int64 {
        if height == 1 { return params.blockOneSubsidy }
        var subsidy = params.baseSubsidy
        let reductions = height / params.reductionInterval
        for _ in 0..<max(0, reductions) {
            subsidy = subsidy * params.mulSubsidy / params.divSubsidy
            if subsidy == 0 { break }
        }
        return subsidy
    }

    /// The fee (atoms) a ticket of value `ticketValue` with transaction fee `relayFee`, mined at `height`, must
    /// pay a pool charging `poolFeePercent` percent.
    public func required(ticketValue: Int64, relayFee: Int64, height: Int64, poolFeePercent: Double) -> Int64 {
        let percentHundredths = Int64((poolFeePercent * 100).rounded(.down))
        var voteSubsidy = blockSubsidy(height: height) * params.stakeProportion
            / ((params.workProportion + params.stakeProportion + params.taxProportion) * params.ticketsPerBlock)
        let adjustments = (params.ticketPoolSize + params.reductionInterval - 1) / params.reductionInterval
        for _ in 0..<adjustments { voteSubsidy = voteSubsidy * 100 / 101 }
        let numerator = Int128(percentHundredths) * Int128(voteSubsidy) * Int128(ticketValue + relayFee)
        let denominator = Int128(10_000) * Int128(voteSubsidy + ticketValue)
        guard denominator > 0 else { return 0 }
        return Int64(numerator / denominator)
    }

    /// DCR (a JSON amount) → atoms, rounded to the nearest atom.
    public static func atoms(_ dcr: Double) -> Int64 { Int64((dcr * 1e8).rounded()) }
}
