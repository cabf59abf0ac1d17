/// Why an address submission was refused. Codes of address problems and `alreadySubmitted` share their raw values
/// with `ErrorCode.addressTooShort` … `ErrorCode.addressAlreadySubmitted`, so hosts mapping by `codeName` (as
/// `AddressRegistering` callers do) see the same codes; every other code means "unable to process wallet commands".
///
/// Why an address submission was refused. `message` is the web form's flash text (dcrstakepool's wording where
/// it has one); `apiCode`/`apiMessage` are the JSON API's code and message (webapp.md §4.6). Never contains
/// secrets.
public struct RegistrationError: CodedError, Equatable {
    /// Registration error codes (nested so other modules' codes never clash).
    public struct Code: RawRepresentable, Hashable, Sendable, CustomStringConvertible {
        public let rawValue: String
        public init(rawValue: String) { self.rawValue = rawValue }
        public var description: String { rawValue }

        /// The user already submitted an address (it can't be changed).
        public static let alreadySubmitted = Code(rawValue: ErrorCode.addressAlreadySubmitted.rawValue)
        public static let addressTooShort = Code(rawValue: ErrorCode.addressTooShort.rawValue)
        public static let addressTooLong = Code(rawValue: ErrorCode.addressTooLong.rawValue)
        public static let undecodableAddress = Code(rawValue: ErrorCode.undecodableAddress.rawValue)
        public static let incorrectAddressType = Code(rawValue: ErrorCode.incorrectAddressType.rawValue)
        /// The address is for another network (our addition; dcrstakepool failed later, at createmultisig).
        public static let wrongNetwork = Code(rawValue: ErrorCode.wrongNetwork.rawValue)
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
        /// Another submission for the same account is running.
        public static let inProgress = Code(rawValue: "in-progress")
        public static let unknownUser = Code(rawValue: "unknown-user")
    }

    public let code: Code
    public let message: String
    /// Operator detail (the wallet or storage error), for logs; not shown to users.
    public let detail: String

    public init(_ code: Code, _ message: String, detail: String = "") {
        self.code = code
        self.message = message
        self.detail = detail
    }

    public var codeName: String { code.rawValue }
    public static func == (lhs: RegistrationError, rhs: RegistrationError) -> Bool { lhs.code == rhs.code }

    /// The gRPC-style code of the JSON API (3 InvalidArgument, 6 AlreadyExists, 14 Unavailable, 5 not found).
    public var apiCode: Int {
        switch code {
        case .alreadySubmitted: 6
        case .addressTooShort, .addressTooLong, .undecodableAddress, .incorrectAddressType, .wrongNetwork: 3
        case .unknownUser: 16
        default: 14
        }
    }

    /// The JSON API's message for this refusal (webapp.md §4.6).
    public var apiMessage: String {
        switch code {
        case .alreadySubmitted: "address error - address already submitted"
        case .addressTooShort: "address error - address too short"
        case .addressTooLong: "address error - address too long"
        case .undecodableAddress: "address error - couldn't decode address"
        case .incorrectAddressType: "address error - incorrect address type"
        case .wrongNetwork: "address error - address is for the wrong network"
        case .unknownUser: "address error - invalid api token"
        default: "system error - unable to process wallet commands"
        }
    }

    /// Whether the web form redirects to `/error` (the wallet pool is stopped) instead of showing a flash.
    public var redirectsToErrorPage: Bool { code == .walletsStopped }
}
