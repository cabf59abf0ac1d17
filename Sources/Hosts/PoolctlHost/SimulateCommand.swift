import Foundation
import PoolKernel
import VotePolicies

/// `poolctl simulate --blocks N --tickets M [--users U] [--clusters C] [--seed S] [--rpc]
/// [--outage CLUSTER,FROM,LENGTH] [--restart CLUSTER,AT,AFTER]`: runs `VoteSimulation` and prints votes,
/// misses and latency percentiles (one summary line, then the JSON report). `--rpc` serves the simulated node
/// and wallets over TLS JSON-RPC websockets on loopback and has every daemon use the production dcrd /
/// dcrwallet clients; `--outage` takes a cluster's wallet down for a stretch of blocks; `--restart` kills a
/// daemon (no shutdown) at a block and starts it again some blocks later. `--chainparams FILE` simulates a
/// fork's network (its newest vote version and agendas), `--votepolicy NAME [--votepolicyoptions k=v,…]` has
/// the daemons vote with that policy; the summary then names the choices cast per agenda.
public enum SimulateCommand {
    static let usage = "usage: poolctl simulate --blocks N --tickets M [--users U] [--clusters C] [--seed S] [--rpc] "
        + "[--outage CLUSTER,FROM,LENGTH] [--restart CLUSTER,AT,AFTER] [--chainparams FILE] [--votepolicy NAME] "
        + "[--votepolicyoptions AGENDA=CHOICE,…]"

    public static func run(_ arguments: [String], storage: any StorageBackend, logger: Logger,
                           policies: VotePolicyRegistry = VotePolicyPlugins.registry(),
                           output: (String) -> Void, errors: (String) -> Void) async -> Int32 {
        var configuration = VoteSimulation.Configuration(storage: storage)
        configuration.blocks = 1000
        configuration.tickets = 10_000
        // Network and vote policy, resolved once every flag is read.
        var policyName = VotePolicyPlugins.defaultName
        var policyOptions: [String] = []
        var index = 0
        while index < arguments.count {
            let flag = arguments[index]
            if flag == "--rpc" {
                configuration.transport = .rpc
                index += 1
                continue
            }
            guard index + 1 < arguments.count else {
                errors(usage)
                return 2
            }
            let text = arguments[index + 1]
            switch flag {
            case "--chainparams":
                do {
                    configuration.network = try NetParams.resolve(text)
                } catch {
                    errors("poolctl simulate: --chainparams: \(ConfigLoader.describe(error))")
                    return 2
                }
                index += 2
                continue
            case "--votepolicy":
                policyName = text
                index += 2
                continue
            case "--votepolicyoptions":
                policyOptions += text.split(separator: ",").map(String.init)
                index += 2
                continue
            default: break
            }
            if flag == "--outage" || flag == "--restart" {
                let parts = text.split(separator: ",").compactMap { Int($0) }
                guard parts.count == 3, parts.allSatisfy({ $0 >= 0 }), parts[2] > 0 else {
                    errors("poolctl simulate: \(flag) needs three numbers CLUSTER,BLOCK,LENGTH (got \(text))")
                    return 2
                }
                if flag == "--outage" {
                    configuration.outage = (cluster: parts[0], from: parts[1], length: parts[2])
                } else {
                    configuration.restart = (cluster: parts[0], at: parts[1], after: parts[2])
                }
                index += 2
                continue
            }
            guard let value = Int(text), value > 0 else {
                errors(usage)
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
            configuration.policy = try policies.make(
                policyName, VotePolicyContext(options: try VotePolicyContext.parseOptions(policyOptions), logger: logger))
        } catch {
            errors("poolctl simulate: \(ConfigLoader.describe(error))")
            return 2
        }
        do {
            let report = try await VoteSimulation.run(configuration, logger: logger)
            var summary = "simulated \(report.blocks) blocks (\(report.transport.rawValue)): \(report.poolWinners) pool "
                + "winners, \(report.voted) voted, \(report.missed) missed, \(report.wrongBits) with wrong bits; "
                + "votes cast \(report.cast), duplicates \(report.duplicates), failed \(report.failed); "
                + "end-to-end p50 \(milliseconds(report.endToEndP50)) ms p99 \(milliseconds(report.endToEndP99)) ms"
            if report.transport == .rpc {
                summary += "; notification → generatevote at the wallet p50 \(milliseconds(report.notifyToRequestP50)) ms "
                    + "p99 \(milliseconds(report.notifyToRequestP99)) ms"
            }
            summary += "; policy \(report.policy) on \(report.network) vote version \(report.voteVersion): "
                + (report.agendaChoices.isEmpty ? "no agendas" : report.choicesSummary)
            output(summary)
            output(report.json)
            return report.missed == 0 && report.wrongBits == 0 ? 0 : 1
        } catch {
            errors("poolctl simulate: \(error)")
            return 1
        }
    }

    private static func milliseconds(_ seconds: Double) -> Double { (seconds * 1e6).rounded() / 1000 }
}
