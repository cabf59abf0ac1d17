import PoolKernel

/// `walletmaxmessagesize`: the largest wallet RPC reply the dcrwallet plugin accepts, in MiB.
/// `listscripts` grows with the users (about 260 bytes each: a million users is some 260 MB of JSON), so the cap is
/// an operator's deliberate choice, bounded both ways; a reply over it names the option.
public enum WalletMessageSizeOption {
    public static let name = "walletmaxmessagesize"
    public static let defaultMiB = 512
    public static let range = 1...4096

    public static let spec = OptionSpec(name, .int, default: String(defaultMiB),
                                        help: "Largest wallet RPC reply accepted, in MiB (\(range.lowerBound)-\(range.upperBound)): listscripts takes about 260 bytes per user, so \(defaultMiB) serves about 2 million users")

    /// The cap in bytes; a value out of range throws naming the option and its `file:line`.
    public static func bytes(_ values: OptionValues) throws -> Int {
        let mebibytes = values.int(name)
        guard range.contains(mebibytes) else {
            throw ConfigError(.badValue, OptionChecks.prefix(values.source(name))
                + "\(name) must be between \(range.lowerBound) and \(range.upperBound) (MiB), not \(mebibytes)")
        }
        return mebibytes << 20
    }

}
