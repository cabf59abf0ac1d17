/// The networks a pool can run on and their dcrstakepool-level facts (webapp spec §1.5): directory
/// suffix and default RPC ports. Chain parameters proper (address prefixes, agendas) live in `NetParams`.
public struct PoolNetwork: Sendable, Equatable {
    /// Chain parameters name (`mainnet`, `testnet3`, `simnet`, `regnet`).
    public var name: String
    /// Directory suffix for datadir/logdir.
    public var dirName: String
    public var walletRPCPort: Int
    public var dcrdRPCPort: Int
    public var stakepooldPort: Int

    public static let mainnet = PoolNetwork(name: "mainnet", dirName: "mainnet", walletRPCPort: 9110, dcrdRPCPort: 9109, stakepooldPort: 9113)
    public static let testnet = PoolNetwork(name: "testnet3", dirName: "testnet3", walletRPCPort: 19110, dcrdRPCPort: 19109, stakepooldPort: 19113)
    public static let simnet = PoolNetwork(name: "simnet", dirName: "simnet", walletRPCPort: 19557, dcrdRPCPort: 19556, stakepooldPort: 19560)

    /// A network's facts from its parameters (a `chainparams` file): its name, data directory and default ports.
    public init(params: NetParams) {
        self.init(name: params.name, dirName: params.dataDirName, walletRPCPort: params.ports.walletRPC,
                  dcrdRPCPort: params.ports.nodeRPC, stakepooldPort: params.ports.stakepoold)
    }

    public init(name: String, dirName: String, walletRPCPort: Int, dcrdRPCPort: Int, stakepooldPort: Int) {
        self.name = name
        self.dirName = dirName
        self.walletRPCPort = walletRPCPort
        self.dcrdRPCPort = dcrdRPCPort
        self.stakepooldPort = stakepooldPort
    }

    /// The name shown in links (dcrstakepool replaces any `testnet…` with `testnet`).
    public var shortName: String { name.hasPrefix("testnet") ? "testnet" : name }
}

/// `host[:port]` handling shared by every host list option.
public enum HostPort {
    /// Appends `defaultPort` when `host` has none (IPv6 literals bracketed), like dcrstakepool.
    public static func normalize(_ host: String, defaultPort: Int) -> String {
        if host.hasPrefix("[") {
            return host.contains("]:") ? host : "\(host):\(defaultPort)"
        }
        let colons = host.filter { $0 == ":" }.count
        if colons == 0 { return "\(host):\(defaultPort)" }
        if colons > 1 { return "[\(host)]:\(defaultPort)" }  // bare IPv6 literal
        return host
    }

    /// Splits `host:port` (`[v6]:port`); nil when malformed or the port is out of range.
    public static func split(_ text: String) -> (host: String, port: Int)? {
        if text.hasPrefix("[") {
            guard let close = text.firstIndex(of: "]") else { return nil }
            let host = String(text[text.index(after: text.startIndex)..<close])
            let rest = text[text.index(after: close)...]
            guard rest.hasPrefix(":"), let port = Int(rest.dropFirst()), (0...65535).contains(port) else { return nil }
            return (host, port)
        }
        guard let colon = text.lastIndex(of: ":") else { return nil }
        let host = String(text[..<colon])
        guard !host.contains(":"), let port = Int(text[text.index(after: colon)...]), (0...65535).contains(port) else { return nil }
        return (host, port)
    }

    /// Removes repeats, keeping the first occurrence.
    public static func deduplicate(_ hosts: [String]) -> [String] {
        var seen = Set<String>()
        return hosts.filter { seen.insert($0).inserted }
    }
}
