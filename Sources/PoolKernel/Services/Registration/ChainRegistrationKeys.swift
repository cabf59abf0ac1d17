/// The real `RegistrationKeyDeriving`: the pool's keys from the configured extended public keys
/// (webapp.md §6.2) — ticket key `votingwalletextpub`/0/`UserId`, fee address `coldwalletextpub`/0/`UserId`,
/// both as P2PKH — and the user's address checked for the pool's network (§6.1, with the recommended network
/// check instead of v1.1.1's quirk).
public struct ChainRegistrationKeys: RegistrationKeyDeriving {
    public let network: NetParams
    /// The external branches (`/0`) of both accounts, derived once.
    private let votingBranch: ExtendedPublicKey
    private let coldBranch: ExtendedPublicKey

    /// Parses both keys; the errors name which key is wrong (controller init fails with them, exit 3).
    public init(votingExtendedPublicKey: String, coldExtendedPublicKey: String, network: NetParams) throws {
        self.network = network
        do {
            votingBranch = try ExtendedPublicKey(parsing: votingExtendedPublicKey, network: network).child(0)
        } catch let error as ChainError where error.code == .wrongNetwork {
            throw ChainError(.wrongNetwork, "voting extended public key is for wrong network")
        }
        do {
            coldBranch = try ExtendedPublicKey(parsing: coldExtendedPublicKey, network: network).child(0)
        } catch let error as ChainError where error.code == .wrongNetwork {
            throw ChainError(.wrongNetwork, "fee extended public key is for wrong network")
        }
    }

    public func validateUserAddress(_ text: String) throws {
        _ = try UserPubKeyAddress.validate(text, poolNetwork: network)
    }

    public func ticketAddress(userId: UserId) throws -> String {
        try votingBranch.child(try Self.index(userId)).p2pkhAddress(network: network).encoded
    }

    public func feeAddress(userId: UserId) throws -> String {
        try coldBranch.child(try Self.index(userId)).p2pkhAddress(network: network).encoded
    }

    public func pubKeyAddress(compressedKey: [UInt8]) throws -> String {
        try Address.pubKey(publicKey: compressedKey, network: network).encoded
    }

    public func expectedMultisig(poolPubKeyAddress: String, userPubKeyAddress: String) throws -> MultisigScript? {
        let script = try MultisigRedeemScript.poolUser(poolAddress: poolPubKeyAddress, userAddress: userPubKeyAddress,
                                                       network: network)
        return MultisigScript(address: try script.p2shAddress(network: network).encoded,
                              redeemScript: Hex.encode(script.bytes))
    }

    /// Non-hardened child index for a user id (any id below 2^31; no 10,000-user cap).
    static func index(_ userId: UserId) throws -> UInt32 {
        guard userId.rawValue >= 0, userId.rawValue < Int64(ExtendedPublicKey.hardenedOffset) else {
            throw ChainError(.badDerivation, "bad uid index \(userId.rawValue)")
        }
        return UInt32(userId.rawValue)
    }
}
