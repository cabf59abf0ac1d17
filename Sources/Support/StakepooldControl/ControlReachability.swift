import PoolKernel

extension PeerReachability {
    /// Records a stakepoold control call's outcome; a refused token (`control-unauthorized`, or a 403) is an
    /// authentication refusal (a wrong `stakepooldtoken`): reachable but refusing.
    package func record(_ index: Int, error: (any Error)?) {
        guard let error else { return record(index, error: nil as String?) }
        let message = (error as? any CodedError)?.message ?? "\(error)"
        let code = (error as? ControlError)?.code
        let refused = code == .controlUnauthorized
            || (code == .controlStatus && (message.contains("answered 401") || message.contains("answered 403")))
        record(index, error: message, authRefused: refused)
    }
}

extension ControlClient {
    /// Pings every client and records the outcome (the web app's health refresh, about once a minute).
    package static func pingAll(_ clients: [ControlClient], into reachability: PeerReachability) async {
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
