import Foundation
import Synchronization

/// vspd's broadcast-ticket step (spec §4.2), run by feeaddress and setaltsignaddr before authentication: the
/// request's ticket (and, when dcrd does not know it, its parent) is checked and relayed through the node. A
/// parent rejected as an orphan is retried up to 7 times, 1 s apart, in one of 16 slots shared by all requests
/// (none free: `E(14)`), so a flood of orphans cannot hold the process; the sleep is injected so tests do not wait.
public final class VspTicketBroadcaster: Sendable {
    public typealias Sleeper = @Sendable (Duration) async -> Void

    /// vspd's concurrent orphan-retry slots.
    public static let slots = 16
    /// Retries of an orphan parent after the first send, and the pause before each.
    public static let orphanRetries = 7
    public static let retryPause = Duration.seconds(1)

    private let node: any VspNodeBackend
    private let network: NetParams
    private let sleep: Sleeper
    private let logger: Logger
    private let slotsInUse = Mutex(0)

    public init(node: any VspNodeBackend, network: NetParams, sleep: @escaping Sleeper, logger: Logger) {
        self.node = node
        self.network = network
        self.sleep = sleep
        self.logger = logger
    }

    /// Checks and relays the request's ticket; throws `VspAPIError` in vspd's order. Returns the ticket as dcrd
    /// returned it when dcrd already had it (nil when it was just sent), so authentication does not ask again.
    @discardableResult
    public func broadcast(body: [UInt8]) async throws -> VspRawTransaction? {
        let request = try VspRequest.decode(body, as: .broadcastTicket)
        guard let ticketTx = try? DecredTransaction(hex: request.ticketHex) else {
            throw VspAPIError(.badRequest, "cannot decode ticket hex")
        }
        guard (try? DecredTicket(ticketTx)) != nil else { throw VspAPIError(.invalidTicket) }
        guard ticketTx.txid == request.ticketHash else { throw VspAPIError(.badRequest, "ticket hex does not match hash") }
        guard let parentTx = try? DecredTransaction(hex: request.parentHex) else {
            throw VspAPIError(.badRequest, "cannot decode parent hex")
        }
        let parentHash = parentTx.txid
        if try await known(parentHash) == nil {
            guard ticketTx.inputs.contains(where: { $0.previousOutPoint.txid == parentHash }) else {
                throw VspAPIError(.badRequest, "invalid ticket parent")
            }
            try await sendParent(request.parentHex, hash: parentHash)
        }
        if let ticket = try await known(request.ticketHash) { return ticket }
        do {
            _ = try await node.sendRawTransaction(request.ticketHex)
        } catch {
            logger.warn("vspd: ticket \(request.ticketHash) could not be broadcast: \(error)")
            throw VspAPIError(.cannotBroadcastTicket)
        }
        return nil
    }

    /// `getrawtransaction`: the transaction when found, nil on dcrd's −5, `E(1)` on any other failure.
    private func known(_ txid: String) async throws -> VspRawTransaction? {
        do {
            return try await node.rawTransaction(txid: txid)
        } catch let error as WalletError where error.rpcCode == WalletRPCCode.noInformation {
            return nil
        } catch {
            logger.error("vspd: getrawtransaction \(txid) failed: \(error)")
            throw VspAPIError(.internalError)
        }
    }

    private func sendParent(_ hex: String, hash: String) async throws {
        do {
            _ = try await node.sendRawTransaction(hex)
            return
        } catch let error where Self.isOrphanRejection(error) {
            // The parent's own inputs are not known yet: retry below, in a slot.
        } catch {
            logger.warn("vspd: parent \(hash) could not be broadcast: \(error)")
            throw VspAPIError(.cannotBroadcastTicket)
        }
        guard takeSlot() else {
            logger.warn("vspd: parent \(hash) is an orphan and all \(Self.slots) broadcast slots are busy")
            throw VspAPIError(.cannotBroadcastTicket)
        }
        defer { slotsInUse.withLock { $0 -= 1 } }
        for _ in 0..<Self.orphanRetries {
            await sleep(Self.retryPause)
            if (try? await node.sendRawTransaction(hex)) != nil { return }
        }
        logger.warn("vspd: parent \(hash) stayed an orphan after \(Self.orphanRetries) retries")
        throw VspAPIError(.cannotBroadcastTicket)
    }

    private func takeSlot() -> Bool {
        slotsInUse.withLock { used in
            guard used < Self.slots else { return false }
            used += 1
            return true
        }
    }

    /// dcrd's rejection of a transaction spending outputs it does not know (vspd's regular expression).
    static func isOrphanRejection(_ error: any Error) -> Bool {
        let text = (error as? WalletError)?.rpcMessage ?? "\(error)"
        return text.range(of: #"orphan transaction \w+ references output \w+:\d+ of unknown or fully-spent transaction"#,
                          options: .regularExpression) != nil
    }
}
