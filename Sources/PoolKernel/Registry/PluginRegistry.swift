/// Named factories for one kind of plugin (storage, mail, wallet, vote policy).
///
/// Hosts fill a registry with the plugins they link and then build the one the config names:
/// ```swift
/// var storage = PluginRegistry<any StorageBackend, PluginContext>(kind: "storage", option: "storage")
/// SQLiteStoragePlugin.register(into: &storage)
/// let backend = try storage.make("sqlite", context)
/// ```
/// An unknown name is a `ConfigError` that lists the known names.
public struct PluginRegistry<Product, Context>: Sendable {
    public typealias Factory = @Sendable (Context) throws -> Product
    /// What the plugins are (`storage`), for messages.
    public let kind: String
    /// The config option that selects one (`storage`, `mail`, `wallet`, `votepolicy`).
    public let option: String
    private var factories: [String: Factory] = [:]

    public init(kind: String, option: String) {
        self.kind = kind
        self.option = option
    }

    /// Adds (or replaces) the factory for `name`. Names are matched case-insensitively.
    public mutating func register(_ name: String, _ factory: @escaping Factory) {
        factories[name.lowercased()] = factory
    }

    /// Registered names, sorted.
    public var names: [String] { factories.keys.sorted() }

    public func contains(_ name: String) -> Bool { factories[name.lowercased()] != nil }

    /// Throws `unknown-plugin`, naming the known plugins, unless `name` is registered.
    public func check(_ name: String) throws {
        guard factories[name.lowercased()] != nil else {
            throw ConfigError(.unknownPlugin,
                              "unknown \(kind) plugin \"\(name)\" in option \(option) (known: \(names.joined(separator: ", ")))")
        }
    }

    /// Builds the plugin called `name`, or throws `unknown-plugin` naming the known ones.
    public func make(_ name: String, _ context: Context) throws -> Product {
        try check(name)
        return try factories[name.lowercased()]!(context)
    }
}
