import Foundation
import PoolKernel
import PoolNet
import PoolSystem
import WalletSimnet

/// `simwallet`: serves the simulated simnet node and wallets over the real JSON-RPC + websocket protocol
/// on loopback, with a self-signed `rpc.cert` written to `--appdata`, mining a block every `--blockms`.
///
/// Flags (all optional): `--seed N` (1), `--wallets N` (3), `--blockms N` (1000; 0 = only `simmine`),
/// `--appdata DIR` (`./run/simwallet`), `--rpcuser U` (`simnet`), `--rpcpass P` (`simwallet-dev-pass`),
/// `--nodeport N` (19556), `--walletports a,b,c` (19557,19567,19577), `--notls`, `--printkeys` (print the
/// seed's extended public keys and exit), `--chainparams FILE` (run on a fork's network: its magic, address and
/// key IDs, tickets, subsidy and newest vote version; its RPC ports become the default ports); `--vspnodeport N`
/// (node port + 44) and `--vspwalletports a,b,c` (wallet port + 44 + 10·i): today's dcrd / dcrwallet endpoints the vspd
/// front drives.
public enum SimwalletMain {
    /// `simwallet --help`.
    static let usage = """
        Usage: simwallet [flags]
        A simulated Decred simnet (one node, N voting wallets) over the real JSON-RPC/websocket/TLS protocol, on
        loopback. A development and test tool: never point a real pool at it. Control methods: docs/simwallet.md.

        Flags:
          --seed N              seed of the simulated wallets' keys (default 1)
          --wallets N           number of voting wallets, 1-64 (default 3)
          --blockms N           mine a block every N ms; 0: only on simmine (default 1000)
          --appdata DIR         where rpc.cert/rpc.key are written (default ./run/simwallet)
          --rpcuser U           RPC user of the node and every wallet (default simnet)
          --rpcpass P           RPC password (default simwallet-dev-pass)
          --nodeport N          node port; 0: any free port, printed at start (default 19556)
          --walletports a,b,c   one port per wallet (default 19557,19567,19577)
          --notls               plain websockets (tests only)
          --printkeys           print votingwalletextpub= and coldwalletextpub= of the seed and exit
          --chainparams FILE    run the simulated chain on a fork's network (JSON network parameters)
          --vspnodeport N       port of the node as today's dcrd (API 8.x) for the vspd front (default node port + 44; 0 when that is 0)
          --vspwalletports a,b  one port per wallet as today's dcrwallet (API 11.x) (default wallet ports + 44)
          -h, --help            show this help and exit
          -V, --version         print the version and exit
        """

    /// Runs until SIGINT/SIGTERM; returns the exit status (0 — also for `--help` —, 2 for bad flags, 1 for start failures).
    public static func run(arguments: [String]) async -> Int32 {
        var options: [String: String] = [:]
        var index = 0
        let switches: Set<String> = ["--notls", "--printkeys"]
        while index < arguments.count {
            let flag = arguments[index]
            if flag == "--help" || flag == "-h" {
                print(usage)
                return 0
            }
            if flag == "--version" || flag == "-V" {
                print("simwallet version \(PoolVersion.string)")
                return 0
            }
            if switches.contains(flag) {
                options[flag] = "1"
                index += 1
                continue
            }
            guard flag.hasPrefix("--"), index + 1 < arguments.count else {
                FileHandle.standardError.write(Data("simwallet: unknown or incomplete flag \(flag) (simwallet --help lists them)\n".utf8))
                return 2
            }
            options[flag] = arguments[index + 1]
            index += 2
        }
        func number(_ flag: String, _ fallback: Int, _ range: ClosedRange<Int>) -> Int? {
            guard let text = options[flag] else { return fallback }
            guard let value = Int(text), range.contains(value) else { return nil }
            return value
        }
        // The simulated chain runs on simnet or on the network of a `--chainparams` file.
        var parameters = SimnetParameters.simnet
        if let file = options["--chainparams"] {
            do {
                parameters = SimnetParameters(netParams: try NetParams.resolve(file))
            } catch {
                FileHandle.standardError.write(Data("simwallet: --chainparams: \(ConfigLoader.describe(error))\n".utf8))
                return 2
            }
        }
        let ports = parameters.network.ports
        guard let seed = number("--seed", 1, 0...Int.max), let walletCount = number("--wallets", 3, 1...64),
              let blockMilliseconds = number("--blockms", 1000, 0...3_600_000),
              let nodePort = number("--nodeport", ports.nodeRPC, 0...65535) else {
            FileHandle.standardError.write(Data("simwallet: bad numeric flag\n".utf8))
            return 2
        }
        /// One port per wallet from `flag` (a comma-separated list), else `fallback`; nil when the count is wrong.
        func portList(_ flag: String, _ fallback: [UInt16]) -> [UInt16]? {
            guard let list = options[flag] else { return fallback }
            let parsed = list.split(separator: ",").compactMap { UInt16($0.trimmingCharacters(in: .whitespaces)) }
            guard parsed.count == walletCount else {
                FileHandle.standardError.write(Data("simwallet: \(flag) needs \(walletCount) ports\n".utf8))
                return nil
            }
            return parsed
        }
        guard let walletPorts = portList("--walletports", (0..<walletCount).map {
            UInt16(truncatingIfNeeded: ports.walletRPC + 10 * $0)
        }) else { return 2 }

        // vspsim: today's dcrd / dcrwallet endpoints (the vspd front's), beside the v1.1-era ones, 44 ports above them
        // (+4 would be 19560, stakepoold's simnet control port).
        let vspPortOffset = 44
        guard let vspNodePort = number("--vspnodeport", nodePort == 0 ? 0 : min(65535, nodePort + vspPortOffset), 0...65535) else {
            FileHandle.standardError.write(Data("simwallet: bad numeric flag --vspnodeport\n".utf8))
            return 2
        }
        guard let vspWalletPorts = portList("--vspwalletports", walletPorts.map {
            $0 == 0 ? 0 : UInt16(truncatingIfNeeded: Int($0) + vspPortOffset)
        }) else { return 2 }

        let logs = LogBackend(level: .info)
        let logger = logs.logger("SIMW")
        let simnet = Simnet(configuration: .init(seed: UInt64(seed), walletCount: walletCount, parameters: parameters),
                            logger: logger)
        if options["--printkeys"] != nil {
            print("votingwalletextpub=\(simnet.votingExtendedPublicKey)")
            print("coldwalletextpub=\(simnet.coldExtendedPublicKey)")
            return 0
        }
        let appData = options["--appdata"] ?? "run/simwallet"
        let host: SimnetRPCHost
        do {
            var configuration = SimnetRPCHost.Configuration(
                nodePort: UInt16(nodePort), walletPorts: walletPorts, user: options["--rpcuser"] ?? "simnet",
                password: options["--rpcpass"] ?? "simwallet-dev-pass",
                certificateDirectory: options["--notls"] != nil ? nil : appData)
            configuration.vspNodePort = UInt16(vspNodePort)
            configuration.vspWalletPorts = vspWalletPorts
            host = try SimnetRPCHost(simnet: simnet, configuration: configuration, logger: logger)
            try host.start()
        } catch {
            FileHandle.standardError.write(Data("simwallet: cannot start: \(error)\n".utf8))
            return 1
        }
        logger.info("simwallet: network \(parameters.network.name), vote version \(parameters.voteVersion), seed \(seed), votingwalletextpub \(simnet.votingExtendedPublicKey), coldwalletextpub \(simnet.coldExtendedPublicKey)")
        var services: [any EngineService] = [host]
        if blockMilliseconds > 0 {
            services.append(SimnetMiner(simnet: simnet, interval: .milliseconds(blockMilliseconds), logger: logger))
        }
        let group = ServiceGroup(services: services, logger: logger)
        let signals = SignalRouter()
        signals.on(SIGINT) { group.shutdown() }
        signals.on(SIGTERM) { group.shutdown() }
        defer { signals.cancelAll() }
        do {
            try await group.run()
            return 0
        } catch {
            logger.error("simwallet: \(error)")
            return 1
        }
    }
}
