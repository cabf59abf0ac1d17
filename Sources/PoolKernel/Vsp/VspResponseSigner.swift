import Foundation

/// Signs every JSON answer of the vspd front with the VSP's Ed25519 key (spec §3): the signature covers exactly
/// the body bytes and travels base64 in `VSP-Server-Signature`. The key lives in the data directory
/// (`Ed25519KeyFile`), made at first start and never replaced: clients pin its public key.
public struct VspResponseSigner: Sendable {
    /// The key file's name in the data directory.
    public static let keyFileName = "vspd-signing.key"

    public let key: Ed25519SigningKey

    public init(key: Ed25519SigningKey) { self.key = key }

    /// The key of `dataDirectory`, made there at first use. Errors: `bad-key-file` (`ChainError`).
    public init(dataDirectory: String) throws {
        key = try Ed25519KeyFile.loadOrCreate(at: (dataDirectory as NSString).appendingPathComponent(Self.keyFileName))
    }

    /// `vspinfo.pubkey`: base64 of the raw 32-byte public key.
    public var publicKeyBase64: String { Data(key.publicKey).base64EncodedString() }

    /// A signed answer with `status`; a body that cannot be signed becomes an unsigned `E(1)`, as vspd does.
    public func reply(status: Int, body: [UInt8]) -> VspReply {
        guard let signature = try? key.sign(body) else {
            return VspReply(status: 500, body: VspAPIError(.internalError).body, signature: nil)
        }
        return VspReply(status: status, body: body, signature: Data(signature).base64EncodedString())
    }

    /// The signed error answer: `{"code":n,"message":"…"}` with the code's HTTP status.
    public func reply(_ error: VspAPIError) -> VspReply { reply(status: error.httpStatus, body: error.body) }
}
