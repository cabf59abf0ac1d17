/// Named plugins for one port (storage, mail, wallet, node, vote policy): each entry carries the plugin's
/// options, the check of those options run when the config is loaded, and its factory.
///
/// ```swift
/// var storage = PluginRegistry<any StorageBackend, PluginContext>(kind: "storage", option: "storage",
///                                                                 defaultName: "mystore", help: "Storage plugin")
/// storage.register("mystore", options: [OptionSpec("mystorepath", .string, default: "", help: "Database file")],
///                  check: { context, isSelected in … }) { context in MyStorage(…) }
/// let backend = try storage.make(storage.selectedName(values), context)
/// ```
/// An unknown name is a `ConfigError(.unknownPlugin)` that lists the known names.
public struct PluginRegistry<Product, Context>: PluginSelection {
    public typealias Factory = @Sendable (Context) throws -> Product
    /// Validates a plugin's options when the config is loaded; throws `ConfigError` naming the option and its
    /// `file:line` (`OptionChecks.prefix`). Runs for every registered plugin: `isSelected` is false for one the
    /// config does not choose, which should then only check values that are set (and demand nothing).
    public typealias OptionCheck = @Sendable (_ context: PluginContext, _ isSelected: Bool) throws -> Void
    /// Whether a plugin wants to be chosen when the selection option is left empty (`mail`: smtp when `smtphost`
    /// is set).
    public typealias DefaultClaim = @Sendable (OptionValues) -> Bool

    public struct Entry: Sendable {
        public let name: String
        public let options: [OptionSpec]
        public let check: OptionCheck?
        public let claimsDefault: DefaultClaim?
        public let make: Factory
    }

    /// What the plugins are (`storage`), for messages.
    public let kind: String
    /// The config option that selects one (`storage`, `mail`, `wallet`, `node`, `votepolicy`).
    public let option: String
    /// The selection option's default (set by whoever assembles the set, e.g. `PoolPlugins.builtIn()`).
    public var defaultName: String
    /// The selection option's help, before the list of registered names.
    public let help: String
    /// Chosen when the option is empty and no plugin claims the default (`mail`: log).
    public var fallbackName: String?
    private var entries: [String: Entry] = [:]
    private var order: [String] = []

    public init(kind: String, option: String, defaultName: String = "", help: String = "") {
        self.kind = kind
        self.option = option
        self.defaultName = defaultName
        self.help = help.isEmpty ? "\(kind.prefix(1).uppercased() + kind.dropFirst()) plugin" : help
    }

    /// Adds (or replaces) the plugin `name` (matched case-insensitively) with its options, their check and its factory.
    public mutating func register(_ name: String, options: [OptionSpec] = [], check: OptionCheck? = nil,
                                  claimsDefault: DefaultClaim? = nil, _ factory: @escaping Factory) {
        let key = name.lowercased()
        if entries[key] == nil { order.append(key) }
        entries[key] = Entry(name: key, options: options, check: check, claimsDefault: claimsDefault, make: factory)
    }

    /// Registered names, sorted.
    public var names: [String] { order.sorted() }

    public func contains(_ name: String) -> Bool { entries[name.lowercased()] != nil }

    /// Throws `unknown-plugin`, naming the known plugins, unless `name` is registered.
    public func check(_ name: String) throws {
        guard entries[name.lowercased()] != nil else {
            throw ConfigError(.unknownPlugin,
                              "unknown \(kind) plugin \"\(name)\" in option \(option) (known: \(names.joined(separator: ", ")))")
        }
    }

    /// Builds the plugin called `name`, or throws `unknown-plugin` naming the known ones.
    public func make(_ name: String, _ context: Context) throws -> Product {
        try check(name)
        return try entries[name.lowercased()]!.make(context)
    }

    // MARK: - PluginSelection

    /// The selection option, then every plugin's options in registration order (a name registered twice once).
    public var optionSpecs: [OptionSpec] {
        let empty = fallbackName.map { " (empty: the one whose options are set, else \($0))" } ?? ""
        let selection = OptionSpec(option, .string, default: defaultName,
                                   help: "\(help): \(names.joined(separator: ", "))\(empty)")
        return OptionSpec.merged([selection] + order.flatMap { entries[$0]?.options ?? [] })
    }

    /// The plugin the values choose: the option's value, else the first plugin claiming the default, else
    /// `fallbackName`, else the option's default.
    public func selectedName(_ values: OptionValues) -> String {
        let chosen = values.string(option).lowercased()
        if !chosen.isEmpty { return chosen }
        if let claimer = order.first(where: { entries[$0]?.claimsDefault?(values) ?? false }) { return claimer }
        return fallbackName ?? defaultName.lowercased()
    }

    /// The selected name must be registered; then every plugin checks its options.
    public func checkOptions(_ context: PluginContext, selected: String?) throws {
        if let selected {
            do { try check(selected) } catch let error as ConfigError {
                throw ConfigError(error.code, OptionChecks.prefix(context.values.source(option)) + error.message)
            }
        }
        for key in order { try entries[key]?.check?(context, key == selected) }
    }
}

/// A registry seen without its product type: what a host needs to list options and check a config.
public protocol PluginSelection: Sendable {
    var kind: String { get }
    var option: String { get }
    var names: [String] { get }
    /// The selection option and every registered plugin's options (for `--help`, the sample file and the loader).
    var optionSpecs: [OptionSpec] { get }
    func selectedName(_ values: OptionValues) -> String
    /// Checks that `selected` is registered (nil: skip) and runs every plugin's option check.
    func checkOptions(_ context: PluginContext, selected: String?) throws
}
