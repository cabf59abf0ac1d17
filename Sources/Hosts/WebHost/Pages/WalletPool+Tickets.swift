import PoolKernel

/// The wallet pool answers the tickets page's wallet calls.
extension WalletPool: TicketInfoSource {
    public func bestBlockHeight() async throws -> Int64 { try await bestBlock().height }
}
