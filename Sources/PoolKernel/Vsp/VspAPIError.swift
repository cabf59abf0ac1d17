/// A refusal of the vspd API v3 (spec §1.5): vspd's numeric code, its HTTP status and the message the client sees.
/// The front renders it as exactly `{"code":n,"message":"…"}` with that status; nothing restates the message.
public struct VspAPIError: CodedError, Equatable {
    /// One of vspd's error codes (`types/errors.go`) with its HTTP status and default message.
    public struct Code: Hashable, Sendable {
        public let number: Int
        public let name: String
        public let httpStatus: Int
        public let defaultMessage: String

        init(_ number: Int, _ name: String, _ httpStatus: Int, _ defaultMessage: String) {
            self.number = number
            self.name = name
            self.httpStatus = httpStatus
            self.defaultMessage = defaultMessage
        }

        public static let badRequest = Code(0, "ErrBadRequest", 400, "bad request")
        public static let internalError = Code(1, "ErrInternalError", 500, "internal error")
        public static let vspClosed = Code(2, "ErrVspClosed", 400, "vsp is closed")
        public static let feeAlreadyReceived = Code(3, "ErrFeeAlreadyReceived", 400, "fee tx already received for ticket")
        public static let invalidFeeTx = Code(4, "ErrInvalidFeeTx", 400, "invalid fee tx")
        public static let feeTooSmall = Code(5, "ErrFeeTooSmall", 400, "fee too small")
        public static let unknownTicket = Code(6, "ErrUnknownTicket", 400, "unknown ticket")
        public static let ticketCannotVote = Code(7, "ErrTicketCannotVote", 400, "ticket not eligible to vote")
        public static let feeExpired = Code(8, "ErrFeeExpired", 400, "fee has expired")
        public static let invalidVoteChoices = Code(9, "ErrInvalidVoteChoices", 400, "invalid vote choices")
        public static let badSignature = Code(10, "ErrBadSignature", 400, "bad request signature")
        public static let invalidPrivKey = Code(11, "ErrInvalidPrivKey", 400, "invalid private key")
        public static let feeNotReceived = Code(12, "ErrFeeNotReceived", 400, "no fee tx received for ticket")
        public static let invalidTicket = Code(13, "ErrInvalidTicket", 400, "not a valid ticket tx")
        public static let cannotBroadcastTicket = Code(14, "ErrCannotBroadcastTicket", 500,
                                                       "ticket transaction could not be broadcast")
        public static let cannotBroadcastFee = Code(15, "ErrCannotBroadcastFee", 500, "fee transaction could not be broadcast")
        public static let cannotBroadcastFeeUnknownOutputs = Code(16, "ErrCannotBroadcastFeeUnknownOutputs", 428,
                                                                  "fee transaction could not be broadcast due to unknown outputs")
        public static let invalidTimestamp = Code(17, "ErrInvalidTimestamp", 400, "old or reused timestamp")
    }

    public let code: Code
    public let message: String

    /// `message` nil: the code's default message (vspd's `sendError`); else the specific text (`sendErrorWithMsg`).
    public init(_ code: Code, _ message: String? = nil) {
        self.code = code
        self.message = message ?? code.defaultMessage
    }

    public var httpStatus: Int { code.httpStatus }
    public var codeName: String { code.name }

    /// The error body: `{"code":n,"message":"…"}` and no other key (the Go client refuses unknown fields).
    public var body: [UInt8] { VspJSON.object([("code", .int(Int64(code.number))), ("message", .string(message))]).encoded() }
}
