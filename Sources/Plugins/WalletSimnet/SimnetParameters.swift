import PoolKernel

/// The consensus numbers the simulation follows: the real simnet ticket and subsidy parameters by default.
public struct SimnetParameters: Sendable, Equatable {
    /// Blocks a ticket stays immature after the block that mined it (simnet 16).
    public var ticketMaturity: Int
    /// Blocks a mature ticket stays live before it expires (simnet 384).
    public var ticketExpiry: Int
    /// Winners drawn per block (simnet 5).
    public var ticketsPerBlock: Int
    /// Target live-pool size (simnet 64); used by the subsidy formula, not enforced.
    public var ticketPoolSize: Int
    /// First height at which tickets can mature (simnet 32); `newtickets`/`spentandmissedtickets` start here.
    public var stakeEnabledHeight: Int
    /// First height whose block must carry votes (simnet 144); winners are announced from one block earlier.
    public var stakeValidationHeight: Int
    /// Most ticket purchases one block may carry (simnet 20).
    public var maxFreshStakePerBlock: Int
    /// Smallest allowed ticket price, atoms (simnet 20000).
    public var minimumStakeDiff: Int64
    /// Seconds between blocks in the simulated clock (simnet 1).
    public var targetTimePerBlock: Int
    public var baseSubsidy: Int64
    public var mulSubsidy: Int64
    public var divSubsidy: Int64
    public var subsidyReductionInterval: Int64
    public var workRewardProportion: Int64
    public var stakeRewardProportion: Int64
    public var blockTaxProportion: Int64
    /// Network magic, as `getcurrentnet` reports it.
    public var netMagic: UInt32
    /// The genesis block hash in display form.
    public var genesisHash: String
    /// Header version used for simulated blocks.
    public var blockVersion: UInt32
    /// The network the simulated chain runs on: its address and HD key IDs encode every key and address.
    public var network: NetParams = .simnet
    /// The wallets' vote version (`walletinfo.voteversion`) and the blocks' stake version.
    public var voteVersion: UInt32 = 6

    /// The real simnet values (the kernel's bundled simnet NetParams; subsidy numbers from dcrd's
    /// chaincfg/simnetparams.go), with vote version 6 as the simulation always had.
    public static let simnet = SimnetParameters(netParams: .simnet, voteVersion: 6)

    /// The network `netParams` (a fork's `chainparams` file, say): its tickets, subsidy, magic, genesis, address
    /// and key IDs; the wallets vote `voteVersion`, by default the network's newest vote version.
    public init(netParams: NetParams, voteVersion: UInt32? = nil) {
        let tickets = netParams.tickets
        let subsidy = PoolTicketFee.SubsidyParams(network: netParams)
        self.init(ticketMaturity: tickets.maturity, ticketExpiry: tickets.expiry, ticketsPerBlock: tickets.perBlock,
                  ticketPoolSize: tickets.poolSize, stakeEnabledHeight: tickets.stakeEnabledHeight,
                  stakeValidationHeight: tickets.stakeValidationHeight,
                  maxFreshStakePerBlock: tickets.maxFreshStakePerBlock, minimumStakeDiff: tickets.minimumStakeDiff,
                  targetTimePerBlock: netParams.targetTimePerBlockSeconds, baseSubsidy: subsidy.baseSubsidy,
                  mulSubsidy: subsidy.mulSubsidy, divSubsidy: subsidy.divSubsidy,
                  subsidyReductionInterval: subsidy.reductionInterval, workRewardProportion: subsidy.workProportion,
                  stakeRewardProportion: subsidy.stakeProportion, blockTaxProportion: subsidy.taxProportion,
                  netMagic: netParams.netMagic, genesisHash: netParams.genesisHash, blockVersion: 6)
        network = netParams
        self.voteVersion = voteVersion ?? netParams.latestVoteVersion ?? 6
    }

    /// Address encoding for `network`.
    var addresses: SimnetAddressCodec { SimnetAddressCodec(network: network) }

    public init(ticketMaturity: Int, ticketExpiry: Int, ticketsPerBlock: Int, ticketPoolSize: Int,
                stakeEnabledHeight: Int, stakeValidationHeight: Int, maxFreshStakePerBlock: Int,
                minimumStakeDiff: Int64, targetTimePerBlock: Int, baseSubsidy: Int64, mulSubsidy: Int64,
                divSubsidy: Int64, subsidyReductionInterval: Int64, workRewardProportion: Int64,
                stakeRewardProportion: Int64, blockTaxProportion: Int64, netMagic: UInt32,
                genesisHash: String, blockVersion: UInt32) {
        self.ticketMaturity = ticketMaturity
        self.ticketExpiry = ticketExpiry
        self.ticketsPerBlock = ticketsPerBlock
        self.ticketPoolSize = ticketPoolSize
        self.stakeEnabledHeight = stakeEnabledHeight
        self.stakeValidationHeight = stakeValidationHeight
        self.maxFreshStakePerBlock = maxFreshStakePerBlock
        self.minimumStakeDiff = minimumStakeDiff
        self.targetTimePerBlock = targetTimePerBlock
        self.baseSubsidy = baseSubsidy
        self.mulSubsidy = mulSubsidy
        self.divSubsidy = divSubsidy
        self.subsidyReductionInterval = subsidyReductionInterval
        self.workRewardProportion = workRewardProportion
        self.stakeRewardProportion = stakeRewardProportion
        self.blockTaxProportion = blockTaxProportion
        self.netMagic = netMagic
        self.genesisHash = genesisHash
        self.blockVersion = blockVersion
    }

    /// The first height whose block announces winners (`StakeValidationHeight - 1`).
    var firstLotteryHeight: Int { stakeValidationHeight - 1 }

    /// The block subsidy at `height`, atoms (dcrd's reduction rule; height 1 is treated like any other).
    func blockSubsidy(height: Int64) -> Int64 {
        var subsidy = baseSubsidy
        let reductions = max(0, height) / subsidyReductionInterval
        var step: Int64 = 0
        while step < reductions && subsidy > 0 {
            subsidy = subsidy * mulSubsidy / divSubsidy
            step += 1
        }
        return subsidy
    }

    /// The subsidy one vote earns at `height`, atoms.
    func voteSubsidy(height: Int64) -> Int64 {
        let total = workRewardProportion + stakeRewardProportion + blockTaxProportion
        return blockSubsidy(height: height) * stakeRewardProportion / (total * Int64(ticketsPerBlock))
    }

    /// The pool fee a ticket must commit (dcrwallet `txrules.StakePoolTicketFee`, stakepoold.md §6.5), atoms.
    func stakePoolTicketFee(ticketValue: Int64, relayFee: Int64, height: Int64, poolFeePercent: Double) -> Int64 {
        let poolFee = Int64((poolFeePercent * 100).rounded(.down))
        var subsidy = voteSubsidy(height: height)
        let adjustments = (Int64(ticketPoolSize) + subsidyReductionInterval - 1) / subsidyReductionInterval
        for _ in 0..<adjustments { subsidy = subsidy * 100 / 101 }
        // fee = floor(p × s × (v + f) / (10000 × (s + v))), with 128-bit intermediates.
        let numerator = poolFee.multipliedFullWidth(by: subsidy)
        precondition(numerator.high == 0 || numerator.high == -1, "pool fee numerator overflow")
        let first = Int64(truncatingIfNeeded: numerator.low)
        let product = first.multipliedFullWidth(by: ticketValue + relayFee)
        let denominator = 10_000 * (subsidy + ticketValue)
        guard denominator > 0 else { return 0 }
        let (quotient, _) = denominator.dividingFullWidth(product)
        return quotient
    }
}
