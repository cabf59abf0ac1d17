import Foundation

/// Decred message signing (dcrd `dcrutil.VerifyMessage`, dcrwallet `SignMessage`): a compact secp256k1
/// signature over BLAKE-256(varint(23) ‖ "Decred Signed Message:\n" ‖ varint(len) ‖ message), sent as standard
/// base64. vspd checks its `VSP-Client-Signature` header this way against the ticket's commitment address.
public enum SignedMessage {
    static let magic = Array("Decred Signed Message:\n".utf8)

    /// The framed bytes that are hashed.
    public static func framed(_ message: [UInt8]) -> [UInt8] {
        var out = WireVarInt.encode(UInt64(magic.count)) + magic
        out += WireVarInt.encode(UInt64(message.count))
        out += message
        return out
    }

    /// The 32-byte hash a signature covers (one BLAKE-256 pass, not double, not SHA-256).
    public static func hash(_ message: [UInt8]) -> [UInt8] { BLAKE256.hash(framed(message)) }

    /// Base64 of the compressed-key compact signature of `message` (what dcrwallet `signmessage` returns).
    public static func sign(_ message: [UInt8], privateKey: [UInt8]) throws -> String {
        Data(try CompactSignature.sign(hash: hash(message), privateKey: privateKey, compressed: true)).base64EncodedString()
    }

    /// Succeeds when `signatureBase64` is a signature of `message` by the key of `address`, a version-0 P2PKH
    /// (secp256k1 ECDSA) address of `network`.
    ///
    /// Errors: the address's own decoding errors (`wrongNetwork`, `badChecksum`, …); `unsupportedAddress` for any
    /// other address kind (P2SH commitments can never sign); `badSignature` for text that is not padded standard
    /// base64 of a well-formed, recoverable compact signature; `signatureMismatch` when the recovered key's
    /// address is another one.
    public static func verify(_ message: [UInt8], signatureBase64: String, address: String, network: NetParams) throws {
        let expected = try Address.decode(address, network: network)
        guard expected.kind == .pubKeyHash else {
            throw ChainError(.unsupportedAddress, "Only a P2PKH (secp256k1) address can sign a message.")
        }
        guard let signature = StrictBase64.decode(signatureBase64) else {
            throw ChainError(.badSignature, "The signature is not standard base64.")
        }
        let (publicKey, _) = try CompactSignature.recoverPublicKey(signature: signature, hash: hash(message))
        // The recovered key is serialized as the signature's flag says (compressed or not) before hashing.
        guard Hash160.hash(publicKey) == expected.payload else {
            throw ChainError(.signatureMismatch, "The signature was not made by the key of \(address).")
        }
    }
}
