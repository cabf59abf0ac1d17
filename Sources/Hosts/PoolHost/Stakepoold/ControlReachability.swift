import PoolKernel

extension PeerReachability {
    /// Records a stakepoold control call's outcome; a 401/403 answer is an authentication refusal (a wrong
    /// `stakepooldtoken`), reachable but refusing.
    func record(_ index: Int, error: (any Error)?) {
        guard let error else { return record(index, error: nil as String?) }
        let message = (error as? any CodedError)?.message ?? "\(error)"
        let refused = (error as? ControlError)?.code == .controlStatus
            && (message.contains("answered 401") || message.contains("answered 403"))
        record(index, error: message, authRefused: refused)
    }
}

extension ControlClient {
    /// Pings every client and records the outcome (the web app's health refresh, about once a minute).
    static func pingAll(_ clients: [ControlClient], into reachability: PeerReachability) async {
        for (index, client) in clients.enumerated() {
            do {
                try await client.ping()
                reachability.record(index, error: nil as (any Error)?)
            } catch {
                reachability.record(index, error: error)
            }
        }
    }
}
