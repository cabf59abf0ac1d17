import Foundation
import HostKit
import PoolKernel
import PoolNet

/// `poolctl dev …`: drives the simulated world of `make run` so a newcomer sees a ticket's whole life —
/// bought (`buy`), mined and matured (`mine`), voted by stakepoold, counted (`info`) — and signs in at once with the
/// demo account (`demo-account`, which `make run` calls).
///
/// Only these commands read `run/dev.conf` (what `make run` wrote) by themselves; every other command keeps the
/// usual dcrstakepool.conf, so a leftover dev file never retargets an operator's command.
public enum DevCommand {
    /// Where `make run` (scripts/dev-run.sh) writes the configuration of the stack it started, from the repo root.
    public static let configFile = "run/dev.conf"
    public static let usage = "dev buy <email|id> [--count N] | dev mine [N] | dev info | dev demo-account [--email E] [--new-password]"
    /// The demo account `make run` creates.
    public static let demoEmail = "demo@example.com"
    /// How long `dev mine` waits for the pool's votes on one block before it stops waiting.
    static let voteWait: Duration = .seconds(10)

    public static let poolctlCommand = PoolctlCommand(
        name: "dev", summary: "drive make run's simulated chain: buy tickets, mine, show counts, demo account",
        usage: usage
    ) { arguments, context in
        let config: PoolConfig
        do { config = try context.config() } catch {
            context.output.err("poolctl: \(ConfigLoader.describe(error))")
            return ExitCode.usage
        }
        let rest = Array(arguments.dropFirst())
        switch arguments.first {
        case "buy": return await buy(rest, config: config, context: context)
        case "mine": return await mine(rest, config: config, output: context.output)
        case "info" where rest.isEmpty: return await info(config: config, output: context.output)
        case "demo-account": return await DemoAccount.run(rest, config: config, context: context)
        default:
            context.output.err("poolctl: usage: poolctl \(usage)")
            return ExitCode.usage
        }
    }

    /// `run/dev.conf` when `arguments` run `poolctl dev` without `-C`; nil for every other command.
    static func defaultConfigFile(for arguments: [String], specs: [OptionSpec]) -> String? {
        var probe = ConfigLoader(specs: specs, appName: "poolctl", defaultConfigFile: "")
        probe.allowsArguments = true
        probe.readFile = { _ in nil }  // only the command line: which command, and whether -C names a file
        guard let parsed = try? probe.load(arguments), parsed.arguments.first == "dev",
              !parsed.values.isSet("configfile") else { return nil }
        return configFile
    }

    // MARK: - buy

    static func buy(_ arguments: [String], config: PoolConfig, context: PoolctlCommand.Context) async -> Int32 {
        var count = 1
        switch arguments.count {
        case 1: break
        case 3 where arguments[1] == "--count":
            guard let value = Int(arguments[2]), (1...1_000).contains(value) else {
                context.output.err("poolctl: --count must be a number from 1 to 1000")
                return ExitCode.usage
            }
            count = value
        default:
            context.output.err("poolctl: usage: poolctl dev buy <email|id> [--count N]")
            return ExitCode.usage
        }
        return await PoolctlCommands.withStorage(context, migrate: true) { storage in
            let user: User?
            do { user = try await lookUp(arguments[0], storage: storage) } catch {
                context.output.err("poolctl: storage: \(ConfigLoader.describe(error))")
                return ExitCode.database
            }
            guard let user else {
                context.output.err("poolctl: no user \(arguments[0])")
                return ExitCode.failure
            }
            guard !user.multiSigAddress.isEmpty, !user.userFeeAddr.isEmpty else {
                context.output.err("poolctl: user \(user.id) <\(user.email)> has not submitted an address yet: "
                                   + "sign in and submit one on the Address page first")
                return ExitCode.failure
            }
            return await withControl(config, context.output) { control in
                let bought = try await control.call("simbuytickets", [.string(user.multiSigAddress), .string(user.userFeeAddr),
                                                                      .int(Int64(count))])
                let hashes = bought["tickets"]?.arrayValue?.compactMap(\.stringValue) ?? []
                context.output.out("bought \(hashes.count) ticket(s) for user \(user.id) <\(user.email)>: ticket address "
                                   + "\(user.multiSigAddress), pool fee to \(user.userFeeAddr)")
                for hash in hashes { context.output.out("  \(hash)") }
                let maturity = config.netParams.tickets.maturity
                context.output.out("they are mined in the next block and go live \(maturity) blocks later; "
                                   + "`poolctl dev mine \(maturity + 1)` gets them there now")
                return ExitCode.ok
            }
        }
    }

    static func lookUp(_ key: String, storage: any StorageBackend) async throws -> User? {
        if let id = Int64(key), id > 0 { return try await storage.user(id: UserId(id)) }
        return try await storage.user(email: key)
    }

    // MARK: - mine

    /// Mines one block at a time; after each, waits (bounded) until the pool's wallets voted the winners they
    /// can vote — mining back to back would otherwise make stakepoold miss them.
    static func mine(_ arguments: [String], config: PoolConfig, output: HostOutput) async -> Int32 {
        var count = 1
        if let text = arguments.first {
            guard arguments.count == 1, let value = Int(text), (1...10_000).contains(value) else {
                output.err("poolctl: usage: poolctl dev mine [N] (N from 1 to 10000)")
                return ExitCode.usage
            }
            count = value
        }
        return await withControl(config, output) { control in
            var waitForVotes = true
            var height: Int64 = 0
            for _ in 0..<count {
                height = try await control.call("simmine", [.int(1)])["height"]?.intValue ?? height
                guard waitForVotes else { continue }
                let deadline = ContinuousClock.now + voteWait
                while try await control.call("siminfo")["awaitingvotes"]?.intValue ?? 0 > 0 {
                    guard ContinuousClock.now < deadline else {
                        output.err("poolctl: the winners of block \(height) were not voted within \(voteWait) "
                                   + "(is stakepoold running?); mining the rest without waiting")
                        waitForVotes = false
                        break
                    }
                    try await Task.sleep(for: .milliseconds(50))
                }
            }
            output.out("mined \(count) block(s): height \(height)")
            try await printCounts(control, output)
            return ExitCode.ok
        }
    }

    // MARK: - info

    static func info(config: PoolConfig, output: HostOutput) async -> Int32 {
        await withControl(config, output) { control in
            try await printCounts(control, output)
            return ExitCode.ok
        }
    }

    /// `height N (network)` and the chain-wide ticket counts, one line each.
    static func printCounts(_ control: SimwalletControl, _ output: HostOutput) async throws {
        let info = try await control.call("siminfo")
        func number(_ key: String) -> String { info[key]?.intValue.map(String.init) ?? "?" }
        output.out("simwallet \(control.address) (\(info["network"]?.stringValue ?? "?")): height \(number("height"))")
        output.out("tickets: mempool \(number("mempool")), immature \(number("immature")), live \(number("live")), "
                   + "voted \(number("voted")), missed \(number("missed")), expired \(number("expired")), revoked \(number("revoked"))")
    }

    /// Connects to simwallet, runs `body`, closes; a failure is one sentence and exit 1.
    static func withControl(_ config: PoolConfig, _ output: HostOutput,
                            _ body: (SimwalletControl) async throws -> Int32) async -> Int32 {
        let control: SimwalletControl
        do { control = try await SimwalletControl.connect(config) } catch {
            output.err("poolctl: \(describe(error))")
            return ExitCode.failure
        }
        defer { control.close() }
        do { return try await body(control) } catch {
            output.err("poolctl: \(describe(error))")
            return ExitCode.failure
        }
    }

    static func describe(_ error: any Error) -> String {
        if let failure = error as? SimwalletControl.Failure { return failure.sentence }
        return (error as? any CodedError)?.message ?? ConfigLoader.describe(error)
    }
}
