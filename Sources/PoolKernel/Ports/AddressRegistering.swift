/// Registers a user's public key address: validates it, builds the 1-of-2 multisig ticket address
/// on every wallet, imports the script and stores the result (webapp spec §6). Implemented by the
/// registration service; called by the web form and `POST /api/v{1,2}/address`.
///
/// Implementation requirements:
/// - Throw `AddressRegistrationError` with the codes below; the API maps each to its wire code.
/// - `alreadySubmitted` when the user has a `userPubKeyAddr` already (checked again inside, so a
///   race between two submissions cannot register twice).
/// - Address problems (`addressTooShort`, `addressTooLong`, `undecodableAddress`, `incorrectAddressType`,
///   `wrongNetwork`; an `AddressRegistrationError` or `UserPubKeyAddress.validate`'s `ChainError`) leave wallets
///   and storage untouched. Any wallet failure is `walletFailure` and leaves storage untouched.
/// - On success return the updated user row.
public protocol AddressRegistering: Sendable {
    func register(userID: UserId, pubKeyAddress: String) async throws -> User
}

/// Why an address submission failed. Messages are the spec's detail texts (`address too short`).
public struct AddressRegistrationError: CodedError, Equatable {
    public typealias Code = ErrorCode
    public let code: Code
    public let message: String
    public init(_ code: Code, _ message: String) { self.code = code; self.message = message }
    public var codeName: String { code.rawValue }
    public static func == (lhs: AddressRegistrationError, rhs: AddressRegistrationError) -> Bool { lhs.code == rhs.code }

    // The address codes are `UserPubKeyAddress.validate`'s (`ChainError`), so a registrar may also
    // rethrow that `ChainError` unchanged: the API maps by code.
    public static let alreadySubmitted = AddressRegistrationError(.addressAlreadySubmitted, "address already submitted")
    public static let tooShort = AddressRegistrationError(.addressTooShort, "address too short")
    public static let tooLong = AddressRegistrationError(.addressTooLong, "address too long")
    public static let undecodable = AddressRegistrationError(.undecodableAddress, "couldn't decode address")
    public static let wrongType = AddressRegistrationError(.incorrectAddressType, "incorrect address type")
    /// Our addition (spec §6.1 quirk): an address of another network is refused before any wallet call.
    public static let wrongNetwork = AddressRegistrationError(.wrongNetwork, "address is for the wrong network")
    public static let walletFailure = AddressRegistrationError(.addressWalletFailure, "unable to process wallet commands")
}

extension ErrorCode {
    public static let addressAlreadySubmitted: ErrorCode = "address-already-submitted"
    /// Any wallet step of the registration failed (the wallet pool may have stopped).
    public static let addressWalletFailure: ErrorCode = "address-wallet-failure"
}
