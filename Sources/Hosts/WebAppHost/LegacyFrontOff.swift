import PoolKernel

/// The address registrar of a vspd-only web app (`apifronts=vspd`): there are no legacy wallets to hold a 1-of-2
/// multisig script, and the address page is not served, so every registration is refused with one sentence.
struct LegacyFrontOff: AddressRegistering {
    struct Refusal: CodedError {
        var codeName: String { "legacy-front-off" }
        var message: String { "This pool serves the vspd API only (apifronts=vspd): it registers no addresses." }
    }

    func register(userID: UserId, pubKeyAddress: String) async throws -> User { throw Refusal() }
}
