import PoolKernel

/// The vote policies this package ships, for the host's `votepolicy` registry.
public enum VotePolicyPlugins {
    /// The policy used when `votepolicy` is not set.
    public static let defaultName = UserPrefsPolicy.pluginName

    /// Registers `userprefs` and `pooldefault`.
    public static func register(into registry: inout VotePolicyRegistry) {
        registry.register(UserPrefsPolicy.pluginName) { _ in UserPrefsPolicy() }
        registry.register(PoolDefaultPolicy.pluginName) { context in
            guard !context.options.isEmpty else {
                throw ConfigError(.missingOption,
                                  "votepolicy=pooldefault needs votepolicyoptions=<agenda>=<choice>,…")
            }
            return PoolDefaultPolicy(choices: context.options)
        }
    }

    /// A registry holding this package's policies.
    public static func registry() -> VotePolicyRegistry {
        var registry = PoolPlugins().votePolicies
        registry.defaultName = defaultName
        register(into: &registry)
        return registry
    }
}
