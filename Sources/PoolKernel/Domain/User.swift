/// One row of the dcrstakepool `Users` table, field for field (same meanings, see webapp spec §2.2).
///
/// Strings that are unset are `""`, never nil (the original cannot read NULLs). Every update rewrites the whole
/// row, as dcrstakepool does. `description` never shows the password hash or tokens.
public struct User: Hashable, Sendable, CustomStringConvertible {
    /// Assigned by the backend on insert (ignored by `insertUser`).
    public var id: UserId
    /// Login email; compared case-insensitively (see `EmailKey`).
    public var email: String
    /// Set to the email at sign-up; never changed or shown.
    public var username: String
    /// bcrypt hash as Go writes it (`$2a$10$…`, 60 bytes); stored in the `Password` mediumblob.
    public var passwordHash: String
    /// P2SH ticket address; `""` until an address was submitted. Non-empty ⇔ the user is active.
    public var multiSigAddress: String
    /// Lowercase hex redeem script of the 1-of-2 multisig; `""` until submitted.
    public var multiSigScript: String
    /// Pool's pubkey address used in the multisig.
    public var poolPubKeyAddr: String
    /// The pubkey address the user submitted; non-empty ⇒ already submitted.
    public var userPubKeyAddr: String
    /// Per-user pool fee address.
    public var userFeeAddr: String
    /// Best block height at address submission (rescan start); 0 before.
    public var heightRegistered: Int64
    public var emailVerified: EmailVerificationStatus
    /// 32-hex email verification token; `""` once verified.
    public var emailToken: String
    /// API token (JWT); `""` until generated.
    public var apiToken: String
    /// The user's vote bits (stored as bigint; only the low 16 bits are meaningful).
    public var voteBits: UInt16
    /// The vote version `voteBits` apply to.
    public var voteBitsVersion: UInt32

    public init(id: UserId = 0, email: String, username: String? = nil, passwordHash: String,
                multiSigAddress: String = "", multiSigScript: String = "", poolPubKeyAddr: String = "",
                userPubKeyAddr: String = "", userFeeAddr: String = "", heightRegistered: Int64 = 0,
                emailVerified: EmailVerificationStatus = .unverified, emailToken: String = "",
                apiToken: String = "", voteBits: UInt16 = 1, voteBitsVersion: UInt32 = 0) {
        self.id = id
        self.email = email
        self.username = username ?? email
        self.passwordHash = passwordHash
        self.multiSigAddress = multiSigAddress
        self.multiSigScript = multiSigScript
        self.poolPubKeyAddr = poolPubKeyAddr
        self.userPubKeyAddr = userPubKeyAddr
        self.userFeeAddr = userFeeAddr
        self.heightRegistered = heightRegistered
        self.emailVerified = emailVerified
        self.emailToken = emailToken
        self.apiToken = apiToken
        self.voteBits = voteBits
        self.voteBitsVersion = voteBitsVersion
    }

    /// "Active" in dcrstakepool terms: an address was submitted.
    public var isActive: Bool { !multiSigAddress.isEmpty }

    public var description: String {
        "User(id: \(id), email: \(email), verified: \(emailVerified), active: \(isActive))"
    }
}
