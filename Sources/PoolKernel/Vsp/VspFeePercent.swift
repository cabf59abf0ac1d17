/// The VSP's fee percentage as vspd uses it (spec §6.1, §5.1 `feepercentage`): the configured float and its
/// hundredths `⌊percent × 100⌋`, computed in IEEE double as Go does (so 0.29 % gives 28, not 29).
public struct VspFeePercent: Hashable, Sendable {
    /// The configured value, reported as is in vspinfo.
    public let percent: Double
    /// `⌊percent × 100⌋`, in 1…10000.
    public let hundredths: Int64

    /// Throws `bad-vsp-fee-percent` unless `⌊percent × 100⌋` is in 1…10000 (vspd's check; NaN and infinities fail).
    public init(_ percent: Double) throws {
        let scaled = (percent * 100).rounded(.down)
        guard scaled.isFinite, scaled >= 1, scaled <= 10_000 else {
            throw VspError(.badVspFeePercent, "The VSP fee percentage must be at least 0.01 and at most 100 "
                + "(vspd requires ⌊fee × 100⌋ in 1…10000); \(percent) is not.")
        }
        self.percent = percent
        self.hundredths = Int64(scaled)
    }
}
