import Foundation

/// `POST /api/v3/setaltsignaddr` (spec §5.2): a second address whose signatures count like the commitment's, for
/// wallets that cannot sign with the commitment key (Trezor). One per ticket, ever; the ticket need not be
/// registered yet.
extension VspService {
    func setAltSignAddr(_ auth: VspAuthenticatedRequest) async throws -> VspReply {
        let request = try VspRequest.decode(auth.body, as: .setAltSignAddr)
        let hash = auth.ticketHash
        let existing = try await authenticator.alternateAddress(of: hash, failure: .internalError)
        if existing != nil { throw VspAPIError(.badRequest, "alternate sign address data already exists") }
        let address: Address
        do {
            address = try Address.decode(request.altSignAddress, network: configuration.network)
        } catch {
            throw VspAPIError(.badRequest, "\(error)")
        }
        guard address.kind == .pubKeyHash else { throw VspAPIError(.badRequest, "wrong type for alternate signing address") }
        let raw = try await rawTransaction(hash)
        try await requireCanVote(raw, hash: hash)

        let reply = success([], echo: auth.body)
        let record = VspAltSignAddress(ticketHash: hash, address: address.encoded, request: Data(auth.body),
                                       requestSignature: auth.signature, response: Data(reply.body),
                                       responseSignature: reply.signature ?? "")
        // vspd stores it after answering and only logs a failure (a parallel duplicate).
        do {
            try await storage.write { try $0.insertVspAltSignAddress(record) }
        } catch {
            logger.warn("vspd: storing the alternate signing address of \(hash) failed: \(error)")
        }
        return reply
    }
}
