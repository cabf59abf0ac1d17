/// Why a secp256k1 signature was refused before or during verification, named after dcrd's `ecdsa.ErrorKind`s so
/// the vector tests can check that the checks run in dcrd's order. Public APIs report it as a `ChainError`
/// (`badSignature`) whose message is `message`.
enum SignatureDefect: String, Error, Sendable {
    // DER (ParseDERSignature), in dcrd's check order.
    case sigTooShort = "ErrSigTooShort"
    case sigTooLong = "ErrSigTooLong"
    case invalidSeqID = "ErrSigInvalidSeqID"
    case invalidDataLen = "ErrSigInvalidDataLen"
    case missingSTypeID = "ErrSigMissingSTypeID"
    case missingSLen = "ErrSigMissingSLen"
    case invalidSLen = "ErrSigInvalidSLen"
    case invalidRIntID = "ErrSigInvalidRIntID"
    case zeroRLen = "ErrSigZeroRLen"
    case negativeR = "ErrSigNegativeR"
    case tooMuchRPadding = "ErrSigTooMuchRPadding"
    case invalidSIntID = "ErrSigInvalidSIntID"
    case zeroSLen = "ErrSigZeroSLen"
    case negativeS = "ErrSigNegativeS"
    case tooMuchSPadding = "ErrSigTooMuchSPadding"
    case rTooBig = "ErrSigRTooBig"
    case rIsZero = "ErrSigRIsZero"
    case sTooBig = "ErrSigSTooBig"
    case sIsZero = "ErrSigSIsZero"
    // Compact signatures (RecoverCompact).
    case invalidLength = "ErrSigInvalidLen"
    case invalidRecoveryCode = "ErrSigInvalidRecoveryCode"
    case overflowsPrime = "ErrSigOverflowsPrime"
    case pointNotOnCurve = "ErrPointNotOnCurve"

    var message: String {
        switch self {
        case .sigTooShort: "The DER signature is shorter than 8 bytes."
        case .sigTooLong: "The DER signature is longer than 72 bytes."
        case .invalidSeqID: "The DER signature does not start with a sequence."
        case .invalidDataLen: "The DER signature's length byte does not match its size."
        case .missingSTypeID: "The DER signature has no S integer marker."
        case .missingSLen: "The DER signature has no S length."
        case .invalidSLen: "The DER signature's S length does not end at its last byte."
        case .invalidRIntID: "The DER signature's R is not marked as an integer."
        case .zeroRLen: "The DER signature's R is empty."
        case .negativeR: "The DER signature's R is negative."
        case .tooMuchRPadding: "The DER signature's R has superfluous padding."
        case .invalidSIntID: "The DER signature's S is not marked as an integer."
        case .zeroSLen: "The DER signature's S is empty."
        case .negativeS: "The DER signature's S is negative."
        case .tooMuchSPadding: "The DER signature's S has superfluous padding."
        case .rTooBig: "The signature's R is not below the curve order."
        case .rIsZero: "The signature's R is zero."
        case .sTooBig: "The signature's S is not below the curve order."
        case .sIsZero: "The signature's S is zero."
        case .invalidLength: "A compact signature must be exactly 65 bytes."
        case .invalidRecoveryCode: "The compact signature's recovery code is not 27 to 34."
        case .overflowsPrime: "The compact signature's R with the overflow bit is not below the field prime."
        case .pointNotOnCurve: "The compact signature does not recover a secp256k1 public key."
        }
    }

    var chainError: ChainError { ChainError(.badSignature, message) }
}
