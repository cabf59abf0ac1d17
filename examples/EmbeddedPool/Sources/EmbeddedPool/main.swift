// EmbeddedPool: the stake pool engine inside another program. Plugins are chosen in code (no config file): SQLite
// storage in a directory, mail to the log, simulated simnet wallets in this process. It registers one user's
// address and prints the pool's ticket address for that user. Usage: EmbeddedPool [DIRECTORY]
import Foundation
import HostKit
import PoolKernel

let directory = CommandLine.arguments.dropFirst().first ?? NSTemporaryDirectory() + "embedded-pool-\(UUID().uuidString)"
/// A user's public key address on simnet (any valid secp256k1 key: here the first simnet child of the
/// BIP32 test vectors).
let userAddress = "SkQkfkHZeBbMW8129tZ3KspEh1XBFC1btbkgzs6cjSyPbrgxzsKqk"

do {
    // 1. The plugin set: the stock plugins (add your own here, as examples/ForkVotePolicy does).
    let plugins = PoolPlugins.builtIn()

    // 2. The options a dcrstakepool.conf would hold, set in code and checked by the engine and the plugins.
    let keys = SimnetWalletPlugin.defaultKeys  // the simulated wallets' voting and cold keys
    var values = OptionValues(specs: PoolConfig.options(plugins: plugins))
    let settings: KeyValuePairs = [
        "simnet": "1", "datadir": directory, "storage": "sqlite", "mail": "log", "wallet": "simnet",
        "votingwalletextpub": keys.voting, "coldwalletextpub": keys.cold, "adminips": "127.0.0.1",
        "apisecret": "embedded-api-secret-0123456789abcdef", "cookiesecret": "embedded-cookie-secret-0123456789abcdef",
    ]
    for (name, value) in settings {
        try values.set(name, value, source: .commandLine(flag: name))
    }
    let config = try PoolConfig(values: values, home: directory, plugins: plugins)

    // 3. Storage and the wallet-side services, each built from the plugin the config names.
    let logs = LogBackend(level: .off, sinks: [])
    try FileManager.default.createDirectory(atPath: config.dataDir, withIntermediateDirectories: true)
    let storage = try plugins.storage.make(config.storagePlugin, config.pluginContext(logs: logs))
    try await storage.migrate()
    let services = try PoolServices.make(config: config, plugins: plugins, logs: logs, storage: storage)
    try await services.walletSet.connect()
    _ = try await services.sync.run(agendas: { services.agendas($0) })

    // 4. A user and their address: the engine derives the pool's key for the user, makes the 1-of-2 multisig
    //    ticket address and imports its script into every wallet.
    let user = try await storage.insertUser(User(email: "embedded@example.com", passwordHash: ""))
    let registered = try await services.registration.register(userID: user.id, pubKeyAddress: userAddress)
    print("ticket address: \(registered.multiSigAddress)")
    print("fee address: \(registered.userFeeAddr)")
    await storage.shutdown()
} catch {
    FileHandle.standardError.write(Data("EmbeddedPool: \(ConfigLoader.describe(error))\n".utf8))
    exit(1)
}
