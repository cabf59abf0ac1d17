/// Validation of the pubkey address a user submits (`UserPubKeyAddr`), as dcrstakepool v1.1.1 does it
/// (webapp spec §6.1): 40…65 bytes, decodes as a Decred address, and is a secp256k1 ECDSA pubkey address
/// (`Dk`/`Tk`/`Sk`/`Rk`).
///
/// Deviation (recommended by the spec): by default an address of another network is rejected with
/// `wrongNetwork`; dcrstakepool accepted it and then failed at `createmultisig`. Pass
/// `allowOtherNetworks: true` for the original behaviour.
public enum UserPubKeyAddress {
    /// Shortest accepted submission, in bytes.
    public static let minimumLength = 40
    /// Longest accepted submission, in bytes.
    public static let maximumLength = 65

    /// The decoded address, or the `RegistrationError` refusal that says why (`addressTooShort` — or
    /// `notAPubKeyAddress` when a shorter address decodes —, `addressTooLong`, `undecodableAddress`,
    /// `incorrectAddressType`, `wrongNetwork`), in dcrstakepool's order.
    public static func validate(_ text: String, poolNetwork: NetParams, allowOtherNetworks: Bool = false) throws -> Address {
        let length = text.utf8.count
        let networks = [poolNetwork] + NetParams.allBuiltIn.filter { $0.name != poolNetwork.name }
        guard length >= minimumLength else {
            let decodes = (try? Address.decode(text, anyOf: networks)) != nil
            throw decodes ? RegistrationError.notAPubKeyAddress : RegistrationError.addressTooShort
        }
        guard length <= maximumLength else { throw RegistrationError.addressTooLong }
        let address: Address
        do {
            address = try Address.decode(text, anyOf: networks)
        } catch {
            throw RegistrationError.undecodableAddress.with(detail: "\(error)")
        }
        guard address.kind == .pubKey else { throw RegistrationError.incorrectAddressType }
        guard allowOtherNetworks || address.networkName == poolNetwork.name else {
            throw RegistrationError.wrongNetwork(addressNetwork: address.networkName, poolNetwork: poolNetwork.name)
        }
        return address
    }
}
