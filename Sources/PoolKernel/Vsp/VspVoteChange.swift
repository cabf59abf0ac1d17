import Foundation

/// One accepted `payfee` or `setvotechoices` call of a vspd ticket, kept for accountability and the replay rule
/// (spec §9): the request body and its client signature, the response body and its server signature. At most
/// `retained` per ticket; the oldest goes first.
public struct VspVoteChange: Hashable, Sendable {
    /// Records kept per ticket.
    public static let retained = 10

    public var ticketHash: String
    /// Assigned on append: 0 for the ticket's first record, then the previous highest + 1 (vspd's uint32 key).
    public var sequence: UInt32
    /// The request's `timestamp` field (setvotechoices must send a larger one than every retained record's).
    public var timestamp: Int64
    /// The raw request body, exactly as received (it may hold the voting key: payfee's body does).
    public var request: Data
    /// The `VSP-Client-Signature` header as received.
    public var requestSignature: String
    /// The response body as sent.
    public var response: Data
    /// The `VSP-Server-Signature` header as sent (base64).
    public var responseSignature: String

    public init(ticketHash: String, sequence: UInt32 = 0, timestamp: Int64, request: Data, requestSignature: String,
                response: Data, responseSignature: String) {
        self.ticketHash = ticketHash
        self.sequence = sequence
        self.timestamp = timestamp
        self.request = request
        self.requestSignature = requestSignature
        self.response = response
        self.responseSignature = responseSignature
    }
}
