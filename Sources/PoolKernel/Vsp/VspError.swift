/// A failure of the vspd per-ticket model (fee percentage, fee xpub, fee address derivation): a stable code and
/// one sentence for the operator. Storage and chain failures keep their own types.
public struct VspError: CodedError, Equatable {
    public let code: ErrorCode
    public let message: String

    public init(_ code: ErrorCode, _ message: String) {
        self.code = code
        self.message = message
    }

    public var codeName: String { code.rawValue }
    public static func == (lhs: VspError, rhs: VspError) -> Bool { lhs.code == rhs.code }
}

extension ErrorCode {
    /// The VSP fee percentage is outside vspd's range (⌊x·100⌋ must be 1…10000).
    public static let badVspFeePercent: ErrorCode = "bad-vsp-fee-percent"
    /// No fee xpub is stored yet (the operator must give one).
    public static let noVspFeeXPub: ErrorCode = "no-vsp-fee-xpub"
    /// The stored fee xpub does not parse for this network.
    public static let badVspFeeXPub: ErrorCode = "bad-vsp-fee-xpub"
    /// Fee address derivation failed (three invalid children in one call, or every index used).
    public static let vspFeeAddressDerivation: ErrorCode = "vsp-fee-address-derivation"
}
