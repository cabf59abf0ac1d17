/// `Users.EmailVerified`: 0 unverified, 1 verified, 2 grandfathered (accounts older than dcrstakepool 0.0.3).
/// Any other stored value is kept as is; values above 0 count as verified, like the original.
public struct EmailVerificationStatus: RawRepresentable, Hashable, Sendable, CustomStringConvertible {
    public let rawValue: Int64
    public init(rawValue: Int64) { self.rawValue = rawValue }

    public static let unverified = EmailVerificationStatus(rawValue: 0)
    public static let verified = EmailVerificationStatus(rawValue: 1)
    public static let grandfathered = EmailVerificationStatus(rawValue: 2)

    /// Whether the user may sign in (the original accepts every value > 0).
    public var isVerified: Bool { rawValue > 0 }
    public var description: String { String(rawValue) }
}
