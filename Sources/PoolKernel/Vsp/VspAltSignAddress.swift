import Foundation

/// A vspd ticket's alternate signing address (spec §5.2) with the exchange that set it: the request and its client
/// signature, the response and its server signature. One per ticket, ever; the ticket need not be registered yet.
public struct VspAltSignAddress: Hashable, Sendable {
    public var ticketHash: String
    /// A P2PKH (secp256k1) address of this network whose signature is accepted like the commitment address's.
    public var address: String
    public var request: Data
    public var requestSignature: String
    public var response: Data
    public var responseSignature: String

    public init(ticketHash: String, address: String, request: Data, requestSignature: String, response: Data,
                responseSignature: String) {
        self.ticketHash = ticketHash
        self.address = address
        self.request = request
        self.requestSignature = requestSignature
        self.response = response
        self.responseSignature = responseSignature
    }
}
