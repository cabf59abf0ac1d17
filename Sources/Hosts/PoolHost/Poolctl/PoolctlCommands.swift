import PoolKernel

/// The built-in poolctl commands.
public enum PoolctlCommands {
    public static var all: [PoolctlCommand] { [config] }

    /// `poolctl config sample|check`: print a commented sample dcrstakepool.conf, or validate the config.
    public static let config = PoolctlCommand(
        name: "config", summary: "print a sample dcrstakepool.conf, or check the configuration",
        usage: "config sample | config check"
    ) { arguments, context in
        switch arguments.first {
        case "sample":
            context.output.out(SampleConfig.render(WebAppOptions.all, title: "dcrstakepool.conf for hxstakepool (every option)"))
            return ExitCode.ok
        case "check":
            do {
                let config = try context.config()
                try context.plugins.validate(config)
                context.output.out("configuration is valid (network \(config.network.name), storage \(config.storagePlugin), "
                                   + "mail \(config.mailPlugin), wallet \(config.walletPlugin))")
                return ExitCode.ok
            } catch {
                context.output.err("poolctl: \(ConfigLoader.describe(error))")
                return ExitCode.usage
            }
        default:
            context.output.err("poolctl: usage: poolctl config sample | config check")
            return ExitCode.usage
        }
    }
}
