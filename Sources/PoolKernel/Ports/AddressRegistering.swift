/// Registers a user's public key address: validates it, builds the 1-of-2 multisig ticket address
/// on every wallet, imports the script and stores the result (webapp spec §6). Implemented by the
/// registration service; called by the web form and `POST /api/v{1,2}/address`.
///
/// Implementation requirements:
/// - Throw only `RegistrationError` refusals: they carry the form's text and the API's code and text, which the
///   callers render as they are. Callers treat any other error as `RegistrationError.unexpected`.
/// - `alreadySubmitted` when the user has a `userPubKeyAddr` already (checked again inside, so a
///   race between two submissions cannot register twice).
/// - Address problems (`addressTooShort`/`notAPubKeyAddress`, `addressTooLong`, `undecodableAddress`,
///   `incorrectAddressType`, `wrongNetwork`: `UserPubKeyAddress.validate`'s refusals) leave wallets and storage
///   untouched. A wallet failure leaves storage untouched.
/// - On success return the updated user row.
public protocol AddressRegistering: Sendable {
    func register(userID: UserId, pubKeyAddress: String) async throws -> User
}
