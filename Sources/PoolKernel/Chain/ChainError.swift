/// A chain-primitive failure: bad encoding, bad checksum, wrong network, unsupported key or script.
///
/// Messages name what was wrong with the input but never echo private key material.
public struct ChainError: CodedError, Equatable {
    public typealias Code = ErrorCode
    public let code: Code
    public let message: String
    public let file: String
    public let line: Int

    public init(_ code: Code, _ message: String, file: String = #fileID, line: Int = #line) {
        self.code = code
        self.message = message
        self.file = file
        self.line = line
    }

    public var codeName: String { code.rawValue }
    public static func == (lhs: ChainError, rhs: ChainError) -> Bool { lhs.code == rhs.code }
}

extension ErrorCode {
    /// Text is not valid hexadecimal.
    public static let badHex: ErrorCode = "bad-hex"
    /// A character outside the base58 alphabet.
    public static let badBase58Character: ErrorCode = "bad-base58-character"
    /// A base58check checksum does not match.
    public static let badChecksum: ErrorCode = "bad-checksum"
    /// Decoded data has the wrong length for what it claims to be.
    public static let badLength: ErrorCode = "bad-length"
    /// Valid encoding, but for a different network than the one asked for.
    public static let wrongNetwork: ErrorCode = "wrong-network"
    /// The address or key kind is valid Decred but not supported here (or unknown).
    public static let unsupportedAddress: ErrorCode = "unsupported-address"
    /// A public key is not a valid secp256k1 point in an accepted encoding.
    public static let badPublicKey: ErrorCode = "bad-public-key"
    /// A private key is zero or not below the curve order.
    public static let badPrivateKey: ErrorCode = "bad-private-key"
    /// An extended key string is malformed.
    public static let badExtendedKey: ErrorCode = "bad-extended-key"
    /// Child derivation is impossible (hardened from public, invalid child, depth overflow, bad seed).
    public static let badDerivation: ErrorCode = "bad-derivation"
    /// A script is malformed or not of the expected kind.
    public static let badScript: ErrorCode = "bad-script"
    /// No network parameters by that name, or a params file is malformed.
    public static let badNetParams: ErrorCode = "bad-net-params"
    /// A BLAKE-256 salt that is not 16 bytes.
    public static let badSalt: ErrorCode = "bad-salt"
    /// An OpenSSL call failed for a reason that is not the input's fault.
    public static let cryptoFailure: ErrorCode = "crypto-failure"
}

// Signatures, WIF keys, transactions.
extension ErrorCode {
    /// A signature is malformed (encoding, length, ranges) or recovers no public key.
    public static let badSignature: ErrorCode = "bad-signature"
    /// A well-formed signature made by another key than the one expected.
    public static let signatureMismatch: ErrorCode = "signature-mismatch"
    /// A WIF private key string is malformed.
    public static let badWIF: ErrorCode = "bad-wif"
    /// Bytes that are not a Decred transaction in dcrd's wire format.
    public static let badTransaction: ErrorCode = "bad-transaction"
    /// A well-formed transaction that is not a ticket vspd accepts (one input, one commitment).
    public static let notATicket: ErrorCode = "not-a-ticket"
    /// A key file that exists but cannot be used (unreadable, wrong size, permissions open to others).
    public static let badKeyFile: ErrorCode = "bad-key-file"
}
