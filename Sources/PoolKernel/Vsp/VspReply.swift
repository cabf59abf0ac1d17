/// One answer of the vspd front, ready for the wire (spec §1.4): the HTTP status, the body, and the
/// `VSP-Server-Signature` (base64 Ed25519 of exactly the body) when the body is signed JSON.
public struct VspReply: Sendable, Equatable {
    public var status: Int
    public var body: [UInt8]
    /// nil for the unsigned plain-text answers (`Cache is not initialized`).
    public var signature: String?
    /// JSON (`application/json; charset=utf-8`) or plain text.
    public var isJSON: Bool

    public init(status: Int, body: [UInt8], signature: String?, isJSON: Bool = true) {
        self.status = status
        self.body = body
        self.signature = signature
        self.isJSON = isJSON
    }
}

/// The five signed POST endpoints of API v3 (§5.2–5.6), by their path's last segment.
public enum VspEndpoint: String, Sendable, CaseIterable {
    case setAltSignAddr = "setaltsignaddr"
    case feeAddress = "feeaddress"
    case ticketStatus = "ticketstatus"
    case payFee = "payfee"
    case setVoteChoices = "setvotechoices"
}
