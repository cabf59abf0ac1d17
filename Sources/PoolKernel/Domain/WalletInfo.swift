/// The result of `walletinfo` (wallet-rpc.md §2.2). Amounts are in DCR as on the wire.
public struct WalletInfo: Sendable, Equatable {
    public var daemonConnected: Bool
    public var unlocked: Bool
    public var txFee: Double
    public var ticketFee: Double
    public var ticketPurchasing: Bool
    /// Default vote bits (bit 0 always set).
    public var voteBits: UInt16
    /// Hex; the first 4 bytes are the vote version, little-endian (e.g. `"05000000"`).
    public var voteBitsExtended: String
    public var voteVersion: UInt32
    /// The wallet's own `enablevoting` setting.
    public var voting: Bool

    public init(daemonConnected: Bool = true, unlocked: Bool = true, txFee: Double = 0.001,
                ticketFee: Double = 0.001, ticketPurchasing: Bool = false, voteBits: UInt16 = 1,
                voteBitsExtended: String = "06000000", voteVersion: UInt32 = 6, voting: Bool = false) {
        self.daemonConnected = daemonConnected
        self.unlocked = unlocked
        self.txFee = txFee
        self.ticketFee = ticketFee
        self.ticketPurchasing = ticketPurchasing
        self.voteBits = voteBits
        self.voteBitsExtended = voteBitsExtended
        self.voteVersion = voteVersion
        self.voting = voting
    }
}

/// The result of `validateaddress` (§2.3). Fields the wallet omits are empty / false / 0 here.
public struct AddressValidation: Sendable, Equatable {
    public var isValid: Bool
    public var address: String
    public var isMine: Bool
    public var isWatchOnly: Bool
    public var isScript: Bool
    /// Pay-to-pubkey address of the key (`Tk…`/`Dk…`), empty when unknown.
    public var pubKeyAddress: String
    /// Hex compressed public key, empty when unknown.
    public var pubKey: String
    public var isCompressed: Bool
    public var account: String
    public var addresses: [String]
    public var hex: String
    public var script: String
    public var sigsRequired: Int32

    public init(isValid: Bool, address: String = "", isMine: Bool = false, isWatchOnly: Bool = false,
                isScript: Bool = false, pubKeyAddress: String = "", pubKey: String = "",
                isCompressed: Bool = false, account: String = "", addresses: [String] = [],
                hex: String = "", script: String = "", sigsRequired: Int32 = 0) {
        self.isValid = isValid
        self.address = address
        self.isMine = isMine
        self.isWatchOnly = isWatchOnly
        self.isScript = isScript
        self.pubKeyAddress = pubKeyAddress
        self.pubKey = pubKey
        self.isCompressed = isCompressed
        self.account = account
        self.addresses = addresses
        self.hex = hex
        self.script = script
        self.sigsRequired = sigsRequired
    }
}

/// The result of `createmultisig` (§2.4): the P2SH address and its redeem script (hex).
public struct MultisigScript: Sendable, Equatable {
    public var address: String
    public var redeemScript: String
    public init(address: String, redeemScript: String) {
        self.address = address
        self.redeemScript = redeemScript
    }
}

/// One entry of `listscripts` (§2.10).
public struct ImportedScript: Sendable, Equatable {
    public var hash160: String
    /// The P2SH address of the script.
    public var address: String
    public var redeemScript: String
    public init(hash160: String, address: String, redeemScript: String) {
        self.hash160 = hash160
        self.address = address
        self.redeemScript = redeemScript
    }
}

/// `getbestblock` of a wallet or a node (§2.6).
public struct BestBlock: Sendable, Equatable {
    public var hash: String
    public var height: Int64
    public init(hash: String, height: Int64) {
        self.hash = hash
        self.height = height
    }
}

/// One API entry of `version` (§2.20).
public struct APIVersion: Sendable, Equatable {
    public var versionString: String
    public var major: UInt32
    public var minor: UInt32
    public var patch: UInt32
    public var prerelease: String
    public var buildMetadata: String

    public init(major: UInt32, minor: UInt32, patch: UInt32, prerelease: String = "", buildMetadata: String = "",
                versionString: String? = nil) {
        self.major = major
        self.minor = minor
        self.patch = patch
        self.prerelease = prerelease
        self.buildMetadata = buildMetadata
        self.versionString = versionString ?? "\(major).\(minor).\(patch)"
    }

    /// stakepoold's rule: same major, and minor.patch at least the required one.
    public func isCompatible(withRequired required: APIVersion) -> Bool {
        major == required.major && (minor > required.minor || (minor == required.minor && patch >= required.patch))
    }

    /// The wallet API version stakepoold requires (`dcrwalletjsonrpcapi` 4.1.0).
    public static let requiredWallet = APIVersion(major: 4, minor: 1, patch: 0)
    /// The node API version stakepoold requires (`dcrdjsonrpcapi` 3.1.0).
    public static let requiredNode = APIVersion(major: 3, minor: 1, patch: 0)
    /// The key of the wallet API in a `version` result.
    public static let walletAPIName = "dcrwalletjsonrpcapi"
    /// The key of the node API in a `version` result.
    public static let nodeAPIName = "dcrdjsonrpcapi"
}
