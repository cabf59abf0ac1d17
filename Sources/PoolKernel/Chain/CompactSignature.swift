import COpenSSL

/// 65-byte recoverable signatures (`code ‖ R ‖ S`, code = 27 + recovery code + 4 when the key is reported
/// compressed): what Decred message signing and vspd's `VSP-Client-Signature` carry.
public enum CompactSignature {
    public static let length = 65

    /// The public key that made `signature` over `hash` (serialized compressed when the signature's flag says
    /// so, else uncompressed) and that flag. Malformed or unrecoverable signatures throw `badSignature`.
    public static func recoverPublicKey(signature: [UInt8], hash: [UInt8]) throws -> (publicKey: [UInt8], compressed: Bool) {
        do {
            return try recover(signature: signature, hash: hash)
        } catch let defect as SignatureDefect {
            throw defect.chainError
        }
    }

    /// Recovery throwing the precise `SignatureDefect` (dcrd `RecoverCompact`'s checks, in its order), on the
    /// fixed-width Swift arithmetic (`ECDSAVerification`).
    static func recover(signature: [UInt8], hash: [UInt8]) throws -> (publicKey: [UInt8], compressed: Bool) {
        let (r, s, code) = try fields(signature)
        let point = try ECDSAVerification.recover(hash: hash, r: r, s: s, oddY: code & 1 != 0, overflow: code & 2 != 0)
        let compressed = code & 4 != 0
        return (Secp256k1Point.serialize(point, compressed: compressed), compressed)
    }

    /// The same recovery through OpenSSL's EC API and `BIGNUM`s (`ECDSAMath`): the independent reference the
    /// differential tests and `poolbench chain` compare `recover` with. Not for production use (several times
    /// slower).
    public static func recoverPublicKeyWithOpenSSL(signature: [UInt8], hash: [UInt8]) throws -> (publicKey: [UInt8], compressed: Bool) {
        do {
            let (r, s, code) = try fields(signature)
            let context = try Secp256k1Context()
            let point = try ECDSAMath(context).recover(hash: hash, r: r, s: s, oddY: code & 1 != 0, overflow: code & 2 != 0)
            defer { EC_POINT_free(point) }
            let compressed = code & 4 != 0
            return (try context.serialize(point, compressed: compressed), compressed)
        } catch let defect as SignatureDefect {
            throw defect.chainError
        }
    }

    /// R, S and the recovery code (0…7) of a well-formed compact signature; the shape and range checks of dcrd's
    /// `RecoverCompact`, in its order.
    private static func fields(_ signature: [UInt8]) throws -> (r: [UInt8], s: [UInt8], code: UInt8) {
        guard signature.count == length else { throw SignatureDefect.invalidLength }
        guard (27...34).contains(signature[0]) else { throw SignatureDefect.invalidRecoveryCode }
        let r = Array(signature[1..<33]), s = Array(signature[33..<65])
        if let defect = ECDSASignature.rangeDefect(r: r, s: s) { throw defect }
        return (r, s, signature[0] - 27)
    }

    /// The deterministic (RFC 6979) compact signature of `hash` with a 32-byte private key; `compressed` is the
    /// flag a verifier uses to serialize the recovered key (dcrwallet always signs with true).
    public static func sign(hash: [UInt8], privateKey: [UInt8], compressed: Bool = true) throws -> [UInt8] {
        let (signature, recoveryCode) = try ECDSASignature.sign(hash: hash, privateKey: privateKey)
        return [27 + recoveryCode + (compressed ? 4 : 0)] + signature.r + signature.s
    }
}
