/// Why an address submission was refused: the one vocabulary of this refusal for every renderer.
///
/// Each refusal is one of the values below and carries, once:
/// - `code`: the stable machine-readable code (logs, tests);
/// - `message`: the user-facing sentence — the web form's flash and what a command line prints (dcrstakepool's
///   wording where it has one, webapp.md §3.19);
/// - `apiCode`/`apiMessage`: the JSON API's answer, byte for byte as webapp.md §4.6 fixes it. It is a second field
///   only because the spec words the API differently from the form.
///
/// The API, the pages and the CLI render these fields; they never restate them. `detail` is operator detail for
/// logs (the wallet or storage error) and is never shown to users. Nothing here contains secrets.
public struct RegistrationError: CodedError, Equatable {
    /// Registration error codes (nested so other modules' codes never clash).
    public struct Code: RawRepresentable, Hashable, Sendable, CustomStringConvertible {
        public let rawValue: String
        public init(rawValue: String) { self.rawValue = rawValue }
        public var description: String { rawValue }

        /// The user already submitted an address (it can't be changed).
        public static let alreadySubmitted = Code(rawValue: "address-already-submitted")
        /// Shorter than `UserPubKeyAddress.minimumLength` bytes.
        public static let addressTooShort = Code(rawValue: "address-too-short")
        /// Longer than `UserPubKeyAddress.maximumLength` bytes.
        public static let addressTooLong = Code(rawValue: "address-too-long")
        /// Does not decode as a Decred address of any known network.
        public static let undecodableAddress = Code(rawValue: "undecodable-address")
        /// Decodes, but is not a secp256k1 public key address.
        public static let incorrectAddressType = Code(rawValue: "incorrect-address-type")
        /// The address is for another network (our addition; dcrstakepool failed later, at createmultisig).
        public static let wrongNetwork = Code(rawValue: "wrong-network")
        /// The user id can't be an HD child index (≥ 2^31), or derivation failed.
        public static let ticketAddressDerivation = Code(rawValue: "ticket-address-derivation")
        public static let feeAddressDerivation = Code(rawValue: "fee-address-derivation")
        /// The wallets don't report the derived ticket address as theirs (`ismine` false).
        public static let poolAddressNotMine = Code(rawValue: "pool-address-not-mine")
        /// The wallets are not all usable now (down, locked, lagging, below `minservers`): refused, nothing changed.
        public static let walletsUnavailable = Code(rawValue: "wallets-unavailable")
        /// The wallet pool is stopped (fail closed), or this submission stopped it.
        public static let walletsStopped = Code(rawValue: "wallets-stopped")
        /// The database could not be read or written.
        public static let storageFailed = Code(rawValue: "storage-failed")
        /// Another submission for the same account is running, or an earlier one is pending.
        public static let inProgress = Code(rawValue: "in-progress")
        public static let unknownUser = Code(rawValue: "unknown-user")
        /// The registrar failed with an error outside this vocabulary (a broken `AddressRegistering` contract).
        public static let unexpected = Code(rawValue: "unexpected")
    }

    public let code: Code
    /// The user-facing sentence (form flash, CLI).
    public let message: String
    /// The JSON API's gRPC-style status code (3 InvalidArgument, 6 AlreadyExists, 14 Unavailable, 16 Unauthenticated).
    public let apiCode: Int
    /// The JSON API's message (webapp.md §4.6).
    public let apiMessage: String
    /// Operator detail (the wallet or storage error), for logs; not shown to users.
    public let detail: String

    private init(_ code: Code, _ message: String, api apiCode: Int, _ apiMessage: String, detail: String = "") {
        self.code = code
        self.message = message
        self.apiCode = apiCode
        self.apiMessage = apiMessage
        self.detail = detail
    }

    public var codeName: String { code.rawValue }
    public static func == (lhs: RegistrationError, rhs: RegistrationError) -> Bool { lhs.code == rhs.code }

    /// The same refusal with operator detail for the logs.
    public func with(detail: String) -> RegistrationError {
        RegistrationError(code, message, api: apiCode, apiMessage, detail: detail)
    }

    /// Whether the web form redirects to `/error` (the wallet pool is stopped, or the registrar failed unexpectedly)
    /// instead of showing the message.
    public var redirectsToErrorPage: Bool { code == .walletsStopped || code == .unexpected }

    /// `error` as a refusal: itself if it is one, else `unexpected` with the error as detail.
    public static func refusal(for error: any Error) -> RegistrationError {
        error as? RegistrationError ?? unexpected.with(detail: "\(error)")
    }

    // MARK: - The refusals

    /// Everything that is not the user's address is one answer on the API (webapp.md §4.6).
    private static let systemError = "system error - unable to process wallet commands"
    private static let notAPubKeyAddressText = "Incorrect address type: this is not a public key address. "
        + "Run validateaddress on it and submit the pubkeyaddr value it shows."

    /// The user named by the session or API token does not exist (the API answers as for any invalid token).
    public static let unknownUser = RegistrationError(.unknownUser, "Unknown user",
                                                      api: 16, "address error - invalid api token")
    public static let alreadySubmitted = RegistrationError(
        .alreadySubmitted, "Stake pool is currently limited to one address per account",
        api: 6, "address error - address already submitted")
    public static let addressTooShort = RegistrationError(.addressTooShort, "Address is too short",
                                                          api: 3, "address error - address too short")
    /// A shorter address that decodes (a P2PKH `Ds…`/`Ss…` one, say) is the common mistake: the form says what to
    /// submit instead, while the code — and so the API's answer — stays "address too short".
    public static let notAPubKeyAddress = RegistrationError(.addressTooShort, notAPubKeyAddressText,
                                                            api: 3, "address error - address too short")
    public static let addressTooLong = RegistrationError(.addressTooLong, "Address is too long",
                                                         api: 3, "address error - address too long")
    public static let undecodableAddress = RegistrationError(.undecodableAddress, "Couldn't decode address",
                                                             api: 3, "address error - couldn't decode address")
    public static let incorrectAddressType = RegistrationError(.incorrectAddressType, notAPubKeyAddressText,
                                                               api: 3, "address error - incorrect address type")

    /// An address of `addressNetwork` submitted to a pool on `poolNetwork`.
    public static func wrongNetwork(addressNetwork: String, poolNetwork: String) -> RegistrationError {
        RegistrationError(.wrongNetwork, "Address is for \(addressNetwork), but this pool runs on \(poolNetwork)",
                          api: 3, "address error - address is for the wrong network")
    }

    public static let ticketAddressDerivation = RegistrationError(.ticketAddressDerivation,
                                                                  "Unable to derive ticket address", api: 14, systemError)
    public static let feeAddressDerivation = RegistrationError(.feeAddressDerivation, "Unable to derive fee address",
                                                               api: 14, systemError)
    public static let poolAddressNotMine = RegistrationError(.poolAddressNotMine, "Unable to validate pool ticket address",
                                                             api: 14, systemError)
    public static let inProgress = RegistrationError(
        .inProgress, "An address submission for this account is already in progress", api: 14, systemError)
    public static let earlierSubmissionPending = RegistrationError(
        .inProgress, "An earlier address submission for this account is pending; submit again to complete it",
        api: 14, systemError)
    public static let walletsUnavailable = RegistrationError(
        .walletsUnavailable, "The pool's wallets are not all available right now; please try again later",
        api: 14, systemError)
    public static let importInterrupted = RegistrationError(
        .walletsUnavailable, "A pool wallet became unavailable while importing the script; your submission is saved "
            + "and will complete when you submit again", api: 14, systemError)
    public static let walletsStopped = RegistrationError(
        .walletsStopped, "The pool's wallets are stopped; address submission is unavailable until the operator "
            + "restores them", api: 14, systemError)
    public static let walletsFailed = RegistrationError(
        .walletsStopped, "The pool's wallets disagree or failed; address submission is unavailable until the "
            + "operator restores them", api: 14, systemError)
    public static let accountUnreadable = RegistrationError(
        .storageFailed, "Unable to read your account; please try again later", api: 14, systemError)
    public static let addressUnsaved = RegistrationError(
        .storageFailed, "Unable to save your address; please try again later", api: 14, systemError)
    public static let unexpected = RegistrationError(
        .unexpected, "Unable to process your address right now; please try again later", api: 14, systemError)
}
