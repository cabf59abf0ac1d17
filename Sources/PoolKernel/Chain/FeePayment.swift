/// What vspd's `payfee` reads from a fee transaction and a ticket once both are decoded (spec `vspd-api.md` §5.4
/// steps 10 and 12).
extension DecredTransaction {
    /// The value of the *first* output with script version 0 paying exactly `address`'s P2PKH/P2SH script, or nil
    /// when none does. Several such outputs are not added up, as in vspd.
    public func firstPayment(to address: Address) -> Int64? {
        let script = address.paymentScript
        return outputs.first { $0.scriptVersion == 0 && $0.script == script }?.value
    }
}

extension DecredTicket {
    /// Whether `publicKey` (any valid secp256k1 encoding; hashed compressed, as a WIF's key always is) holds this
    /// ticket's voting rights: output 0 is exactly `OP_SSTX` + P2PKH of its hash160, script version 0.
    public func isVotingKey(_ publicKey: [UInt8]) throws -> Bool {
        let destination = ScriptDestination(isScriptHash: false, hash160: Hash160.hash(try Secp256k1.compressed(publicKey)))
        return votingOutput.scriptVersion == 0 && votingOutput.script == StakeScript.tagged(StakeScript.opSStx, destination)
    }
}
