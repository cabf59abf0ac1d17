import PoolKernel

/// Mines one simulated block every `interval` until cancelled (the "blocks on a timer" mode).
public struct SimnetMiner: EngineService {
    public let name = "simnet-miner"
    let simnet: Simnet
    let interval: Duration
    let logger: Logger

    public init(simnet: Simnet, interval: Duration, logger: Logger) {
        self.simnet = simnet
        self.interval = interval
        self.logger = logger
    }

    public func run() async throws {
        logger.info("simnet: mining a block every \(interval)")
        while !Task.isCancelled {
            do {
                try await Task.sleep(for: interval)
            } catch {
                return  // cancelled
            }
            let tip = simnet.mine(1)
            logger.debug("simnet: mined block \(tip.height) \(tip.hash)")
        }
    }
}
