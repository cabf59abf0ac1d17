/// One subsystem tag of the logs (`[INF] STOR: …`): one name per concept in both daemons, what it covers
/// (for `debuglevel=show`), and the older names `debuglevel` still accepts for it (dcrstakepool's
/// `DB`, `GRPC`, `RPCC`, …), so existing config files keep loading.
public struct LogSubsystem: Sendable, Equatable {
    public var name: String
    public var summary: String
    public var aliases: [String]

    public init(_ name: String, _ summary: String, aliases: [String] = []) {
        self.name = name
        self.summary = summary
        self.aliases = aliases
    }

    public static let webApp = LogSubsystem("DCRS", "web app start-up, wallet pool and operator alerts", aliases: ["POOL"])
    public static let stakepoold = LogSubsystem("STPK", "stakepoold start-up, ticket tracking and voting")
    public static let web = LogSubsystem("CNTL", "web pages, API and accounts")
    public static let http = LogSubsystem("SYTM", "HTTP server, admin access and metrics", aliases: ["HTTP"])
    public static let mail = LogSubsystem("MAIL", "mail outbox and delivery")
    public static let wallets = LogSubsystem("WLLT", "dcrwallet RPC clients", aliases: ["RPCC"])
    public static let node = LogSubsystem("DCRD", "dcrd RPC client", aliases: ["RPCC"])
    public static let storage = LogSubsystem("STOR", "storage (SQLite or MySQL) and retention purges", aliases: ["DB", "MODL"])
    public static let control = LogSubsystem("CTRL", "stakepoold control API (server in stakepoold, client in the web app)",
                                             aliases: ["GRPC"])
    public static let simulatedWallets = LogSubsystem("SIMN", "in-process simulated wallets (wallet=simnet)")

    /// The subsystems of the web app, `hxstakepool`.
    public static let webAppSet: [LogSubsystem] = [webApp, web, http, mail, wallets, storage, control, simulatedWallets]
    /// The subsystems of stakepoold.
    public static let stakepooldSet: [LogSubsystem] = [stakepoold, storage, control, wallets, node]

    /// `debuglevel=show`: one subsystem a line, with what it covers and its accepted old names.
    public static func listing(_ subsystems: [LogSubsystem]) -> String {
        var lines = ["Supported subsystems:"]
        for subsystem in subsystems.sorted(by: { $0.name < $1.name }) {
            let aliases = subsystem.aliases.isEmpty ? "" : " (also accepted: \(subsystem.aliases.joined(separator: ", ")))"
            lines.append("  \(subsystem.name)  \(subsystem.summary)\(aliases)")
        }
        return lines.joined(separator: "\n")
    }
}
