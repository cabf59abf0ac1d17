import Foundation
import PoolKernel

/// `poolctl simulate --blocks N --tickets M [--users U] [--clusters C] [--seed S]`: runs `VoteSimulation` and
/// prints votes, misses and latency percentiles (one summary line, then the JSON report).
public enum SimulateCommand {
    public static func run(_ arguments: [String], storage: any StorageBackend, logger: Logger,
                           output: (String) -> Void, errors: (String) -> Void) async -> Int32 {
        var configuration = VoteSimulation.Configuration(storage: storage)
        configuration.blocks = 1000
        configuration.tickets = 10_000
        var index = 0
        while index < arguments.count {
            let flag = arguments[index]
            guard index + 1 < arguments.count, let value = Int(arguments[index + 1]), value > 0 else {
                errors("usage: poolctl simulate --blocks N --tickets M [--users U] [--clusters C] [--seed S]")
                return 2
            }
            switch flag {
            case "--blocks": configuration.blocks = value
            case "--tickets": configuration.tickets = value
            case "--users": configuration.users = value
            case "--clusters": configuration.clusters = value
            case "--seed": configuration.seed = UInt64(value)
            default:
                errors("poolctl simulate: unknown option \(flag)")
                return 2
            }
            index += 2
        }
        if configuration.tickets < configuration.blocks * 5 {
            errors("poolctl simulate: need at least 5 tickets per block (--tickets ≥ \(configuration.blocks * 5))")
            return 2
        }
        do {
            let report = try await VoteSimulation.run(configuration, logger: logger)
            output("simulated \(report.blocks) blocks: \(report.poolWinners) pool winners, \(report.voted) voted, "
                   + "\(report.missed) missed, \(report.wrongBits) with wrong bits; end-to-end p50 "
                   + "\(report.endToEndP50 * 1000) ms p99 \(report.endToEndP99 * 1000) ms")
            output(report.json)
            return report.missed == 0 && report.wrongBits == 0 ? 0 : 1
        } catch {
            errors("poolctl simulate: \(error)")
            return 1
        }
    }
}
