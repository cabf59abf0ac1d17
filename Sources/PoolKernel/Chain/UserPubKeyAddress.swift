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

    /// The decoded address, or a `ChainError` whose code says why (each maps to one dcrstakepool message):
    /// `addressTooShort` ("Address is too short"), `addressTooLong` ("Address is too long"),
    /// `undecodableAddress` ("Couldn't decode address"), `incorrectAddressType` ("Incorrect address type"),
    /// `wrongNetwork` (our addition).
    public static func validate(_ text: String, poolNetwork: NetParams, allowOtherNetworks: Bool = false) throws -> Address {
        let length = text.utf8.count
        guard length >= minimumLength else { throw ChainError(.addressTooShort, "Address is too short") }
        guard length <= maximumLength else { throw ChainError(.addressTooLong, "Address is too long") }
        let networks = [poolNetwork] + NetParams.allBuiltIn.filter { $0.name != poolNetwork.name }
        let address: Address
        do {
            address = try Address.decode(text, anyOf: networks)
        } catch {
            throw ChainError(.undecodableAddress, "Couldn't decode address")
        }
        guard address.kind == .pubKey else { throw ChainError(.incorrectAddressType, "Incorrect address type") }
        guard allowOtherNetworks || address.networkName == poolNetwork.name else {
            throw ChainError(.wrongNetwork, "Address is for \(address.networkName), but this pool runs on \(poolNetwork.name)")
        }
        return address
    }
}

extension ErrorCode {
    /// A submitted address shorter than 40 bytes.
    public static let addressTooShort: ErrorCode = "address-too-short"
    /// A submitted address longer than 65 bytes.
    public static let addressTooLong: ErrorCode = "address-too-long"
    /// A submitted address that does not decode as any known Decred address.
    public static let undecodableAddress: ErrorCode = "undecodable-address"
    /// A submitted address that is not a secp256k1 pubkey address.
    public static let incorrectAddressType: ErrorCode = "incorrect-address-type"
}
