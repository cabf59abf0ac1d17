/// A request that passed vspd's auth step: its body, its client signature, the ticket (when registered) and the
/// commitment address that signed for it.
struct VspAuthenticatedRequest: Sendable {
    let ticketHash: String
    /// The stored ticket, nil when feeaddress has not registered it yet.
    let ticket: VspTicket?
    let commitmentAddress: String
    let body: [UInt8]
    let signature: String
    /// The ticket as dcrd returned it while authenticating an unregistered ticket (nil for a registered one), so
    /// feeaddress does not ask dcrd for it a second time.
    var nodeTicket: VspRawTransaction?
}

/// vspd's auth middleware (spec §4.3, §2): every POST names a ticket and is signed, with Decred message signing
/// over the raw body, by the ticket's commitment address (stored, or read from the ticket dcrd returns) or else by
/// the alternate signing address registered for the ticket.
struct VspRequestAuthenticator: Sendable {
    let storage: any StorageBackend
    let node: any VspNodeBackend
    let network: NetParams
    let logger: Logger

    /// - Parameter nodeTicket: the ticket as dcrd returned it moments ago (broadcast-ticket's lookup), used instead
    ///   of asking dcrd again when the ticket is not registered.
    func authenticate(body: [UInt8], signature: String?, nodeTicket known: VspRawTransaction? = nil) async throws
        -> VspAuthenticatedRequest {
        let request = try VspRequest.decode(body, as: .auth)
        let hash = request.ticketHash
        guard Self.isTicketHash(hash) else { throw VspAPIError(.badRequest, "invalid ticket hash") }
        let ticket: VspTicket?
        do {
            ticket = try await storage.read { try $0.vspTicket(hash: hash) }
        } catch {
            logger.error("vspd: loading ticket \(hash) failed: \(error)")
            throw VspAPIError(.internalError)
        }
        let commitmentAddress: String
        var nodeTicket: VspRawTransaction?
        if let ticket {
            commitmentAddress = ticket.commitmentAddress
        } else {
            let raw: VspRawTransaction
            if let known { raw = known } else { raw = try await rawTicket(hash) }
            commitmentAddress = try commitment(of: raw)
            nodeTicket = raw
        }
        guard let signature, !signature.isEmpty else { throw VspAPIError(.badRequest, "no VSP-Client-Signature header") }
        if (try? SignedMessage.verify(body, signatureBase64: signature, address: commitmentAddress, network: network)) == nil {
            let alternate = try await alternateAddress(of: hash, failure: .badSignature)
            guard let alternate,
                  (try? SignedMessage.verify(body, signatureBase64: signature, address: alternate.address, network: network)) != nil
            else { throw VspAPIError(.badSignature) }
        }
        return VspAuthenticatedRequest(ticketHash: hash, ticket: ticket, commitmentAddress: commitmentAddress, body: body,
                                       signature: signature, nodeTicket: nodeTicket)
    }

    /// The ticket's alternate signing address record; a storage failure is `failure` (vspd: `E(10)` in auth,
    /// `E(1)` in the handlers).
    func alternateAddress(of hash: String, failure: VspAPIError.Code) async throws -> VspAltSignAddress? {
        do {
            return try await storage.read { try $0.vspAltSignAddress(ticketHash: hash) }
        } catch {
            logger.error("vspd: loading the alternate signing address of \(hash) failed: \(error)")
            throw VspAPIError(failure)
        }
    }

    /// 64 characters of hex in either case (chainhash's parse); lookups then compare exactly.
    static func isTicketHash(_ text: String) -> Bool {
        text.utf8.count == 64 && text.utf8.allSatisfy { byte in
            (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(byte) || (UInt8(ascii: "a")...UInt8(ascii: "f")).contains(byte)
                || (UInt8(ascii: "A")...UInt8(ascii: "F")).contains(byte)
        }
    }

    /// An unregistered ticket from dcrd: any failure is `E(1)` (an unknown transaction too).
    private func rawTicket(_ hash: String) async throws -> VspRawTransaction {
        do {
            return try await node.rawTransaction(txid: hash)
        } catch {
            logger.info("vspd: getrawtransaction \(hash) for auth failed: \(error)")
            throw VspAPIError(.internalError)
        }
    }

    /// The commitment address of the ticket dcrd returned: a transaction that is not a ticket is `E(13)`.
    private func commitment(of raw: VspRawTransaction) throws -> String {
        guard let transaction = try? DecredTransaction(hex: raw.hex) else { throw VspAPIError(.internalError) }
        guard let ticket = try? DecredTicket(transaction) else { throw VspAPIError(.invalidTicket) }
        guard let address = try? ticket.commitmentAddress(network: network) else { throw VspAPIError(.internalError) }
        return address.encoded
    }
}
