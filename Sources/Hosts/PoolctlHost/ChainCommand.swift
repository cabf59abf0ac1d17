import Foundation
import HostKit
import PoolKernel

/// `poolctl chain …`: operator tools over the chain primitives.
///
///     chain blake256 <hex | ->                 BLAKE-256 of hex bytes, or of standard input with "-"
///     chain addr decode <address> [--net N]    address kind, network, payload and payment script
///     chain hd derive <xpub> <i[/j…]> [--net N] child extended key and its addresses
///     chain multisig <pool Dk…> <user Dk…> --net N   dcrstakepool's 1-of-2 redeem script and P2SH address
///     chain params --net N                     the network parameters (N: name or params .json path)
///
/// Results go to `out`; bad input prints one sentence to `err` and returns 2.
public enum ChainCommand {
    public static let usage = "chain blake256 <hex|-> | chain addr decode <address> [--net N] | "
        + "chain hd derive <xpub> <index[/index...]> [--net N] | chain multisig <pooladdr> <useraddr> --net N | "
        + "chain params --net N"

    /// Runs one chain subcommand; `stdin` supplies the bytes for `blake256 -`.
    public static func run(_ arguments: [String], output: HostOutput,
                           stdin: () -> Data = { FileHandle.standardInput.readDataToEndOfFile() }) -> Int32 {
        do {
            var args = arguments
            let network = try takeOption("--net", from: &args)
            let lines = try dispatch(args, network: network, stdin: stdin)
            output.out(lines.joined(separator: "\n"))
            return ExitCode.ok
        } catch let error as UsageError {
            output.err("poolctl: \(error.message)")
        } catch {
            output.err("poolctl: \(error)")
        }
        return ExitCode.usage
    }

    /// The command as a poolctl subcommand (needs neither config nor storage).
    public static let poolctlCommand = PoolctlCommand(
        name: "chain", summary: "BLAKE-256, addresses, HD keys, multisig scripts and network parameters",
        usage: usage
    ) { arguments, context in
        run(arguments, output: context.output)
    }

    struct UsageError: Error {
        let message: String
    }

    private static func dispatch(_ args: [String], network: String?, stdin: () -> Data) throws -> [String] {
        switch args.first {
        case "blake256":
            guard args.count == 2 else { throw UsageError(message: "usage: poolctl chain blake256 <hex|->") }
            let bytes = args[1] == "-" ? [UInt8](stdin()) : try Hex.decode(args[1])
            return [Hex.encode(BLAKE256.hash(bytes))]
        case "addr":
            guard args.count == 3, args[1] == "decode" else {
                throw UsageError(message: "usage: poolctl chain addr decode <address> [--net N]")
            }
            return try decodeAddress(args[2], network: network)
        case "hd":
            guard args.count == 4, args[1] == "derive" else {
                throw UsageError(message: "usage: poolctl chain hd derive <xpub> <index[/index...]> [--net N]")
            }
            return try derive(args[2], path: args[3], network: network)
        case "multisig":
            guard args.count == 3, let network else {
                throw UsageError(message: "usage: poolctl chain multisig <pool pubkey address> <user pubkey address> --net N")
            }
            let net = try NetParams.resolve(network)
            let script = try MultisigRedeemScript.poolUser(poolAddress: args[1], userAddress: args[2], network: net)
            return ["script: \(Hex.encode(script.bytes))", "p2sh: \(try script.p2shAddress(network: net))"]
        case "params":
            guard args.count == 1, let network else { throw UsageError(message: "usage: poolctl chain params --net N") }
            return describe(try NetParams.resolve(network))
        default:
            throw UsageError(message: "usage: poolctl \(usage)")
        }
    }

    private static func decodeAddress(_ text: String, network: String?) throws -> [String] {
        let address = try network.map { try Address.decode(text, network: NetParams.resolve($0)) }
            ?? Address.decode(text, anyOf: NetParams.allBuiltIn)
        return ["network: \(address.networkName)", "type: \(address.kind.rawValue)",
                "payload: \(Hex.encode(address.payload))", "script: \(Hex.encode(address.paymentScript))"]
    }

    private static func derive(_ text: String, path: String, network: String?) throws -> [String] {
        let indices = try path.split(separator: "/", omittingEmptySubsequences: false).map { part -> UInt32 in
            guard let index = UInt32(part), index < ExtendedPublicKey.hardenedOffset else {
                throw UsageError(message: "\"\(path)\" is not a path of non-hardened indices like 0/5.")
            }
            return index
        }
        let candidates = try network.map { [try NetParams.resolve($0)] } ?? NetParams.allBuiltIn
        var lastError: (any Error)?
        for net in candidates {
            do {
                let key = try ExtendedPublicKey(parsing: text, network: net).derive(indices)
                return ["network: \(net.name)", "xpub: \(key)", "pubkey: \(Hex.encode(key.publicKey))",
                        "p2pkh: \(try key.p2pkhAddress(network: net))", "pubkeyaddr: \(try key.pubKeyAddress(network: net))"]
            } catch let error as ChainError where error.code == .wrongNetwork && candidates.count > 1 {
                lastError = error
            }
        }
        throw lastError ?? UsageError(message: "The extended key is not for any known network.")
    }

    private static func describe(_ net: NetParams) -> [String] {
        func hex16(_ v: UInt16) -> String { String(format: "%04x", v) }
        var lines = [
            "name: \(net.name)", "display name: \(net.displayName)", "short name: \(net.shortName)",
            String(format: "net magic: %08x", net.netMagic),
            "ports: peer \(net.ports.peer), node rpc \(net.ports.nodeRPC), wallet rpc \(net.ports.walletRPC), stakepoold \(net.ports.stakepoold)",
            "address ids: pubkey \(hex16(net.addressIDs.pubKey)), p2pkh \(hex16(net.addressIDs.pubKeyHash)), "
                + "p2sh \(hex16(net.addressIDs.scriptHash)) (prefix \(net.addressPrefix))",
            String(format: "hd ids: private %08x, public %08x", net.hdKeyIDs.private, net.hdKeyIDs.public),
            "tickets: maturity \(net.tickets.maturity), expiry \(net.tickets.expiry), per block \(net.tickets.perBlock), "
                + "pool size \(net.tickets.poolSize)",
            "block time: \(net.targetTimePerBlockSeconds)s", "genesis: \(net.genesisHash)",
        ]
        for version in net.voteVersions.keys.sorted() {
            for agenda in net.agendas(forVoteVersion: version) {
                let choices = agenda.choices.map { String(format: "%@=0x%04x", $0.id, $0.bits) }.joined(separator: " ")
                lines.append(String(format: "vote v%u: %@ mask 0x%04x: %@", version, agenda.id, agenda.mask, choices))
            }
        }
        return lines
    }

    /// Removes `--name value` or `--name=value` from `args`.
    private static func takeOption(_ name: String, from args: inout [String]) throws -> String? {
        guard let index = args.firstIndex(where: { $0 == name || $0.hasPrefix(name + "=") }) else { return nil }
        let argument = args.remove(at: index)
        if argument.hasPrefix(name + "=") { return String(argument.dropFirst(name.count + 1)) }
        guard index < args.count else { throw UsageError(message: "\(name) needs a value.") }
        return args.remove(at: index)
    }
}
