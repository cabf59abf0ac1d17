import PoolKernel

extension MySQLStoragePlugin {
    /// The plugin's options: the same names, defaults and meanings in the web app and stakepoold.
    public static let options: [OptionSpec] = [
        OptionSpec("dbhost", .string, default: "localhost", help: "MySQL host name or IP address, reached over TCP at dbport (see dbsocket for a Unix socket)"),
        OptionSpec("dbuser", .string, default: "stakepool", help: "MySQL user"),
        OptionSpec("dbpassword", .string, secret: true, help: "MySQL password (required with storage=mysql)"),
        OptionSpec("dbport", .string, default: "3306", help: "MySQL port"),
        OptionSpec("dbname", .string, default: "stakepool", help: "MySQL database name"),
        OptionSpec("dbpoolsize", .int, default: "4", help: "MySQL connections kept open"),
        OptionSpec("dbtls", .bool, default: "false", help: "Use TLS to the MySQL server and verify its certificate and host name"),
        OptionSpec("dbtlsca", .string, default: "", help: "CA file that signs the MySQL server's certificate (with dbtls; default: system store)"),
        OptionSpec("dbtlsskipverify", .bool, default: "false", help: "With dbtls: encrypt without verifying the MySQL server's certificate (testing only)"),
        OptionSpec("dbsocket", .string, default: "", help: "MySQL Unix socket path; when set, dbhost and dbport must not be set"),
    ]

    /// Registers `mysql` with its options, their check (at config load) and its factory.
    public static func register(into registry: inout PluginRegistry<any StorageBackend, PluginContext>) {
        registry.register(name, options: options, check: { context, isSelected in
            _ = try configuration(context, isSelected: isSelected)
        }) { context in
            MySQLStorage(configuration: try configuration(context), logger: context.logs.logger("STOR"))
        }
    }

    /// The connection the `db*` options describe; each mistake names its option and line. `isSelected` (the
    /// config chose `storage=mysql`) also demands `dbuser` and `dbpassword` and a `dbtlsca` file that exists.
    public static func configuration(_ context: PluginContext, isSelected: Bool = true) throws -> Configuration {
        let v = context.values
        let fail = { (code: ErrorCode, option: String, text: String) -> ConfigError in
            ConfigError(code, OptionChecks.prefix(v.source(option)) + text)
        }
        let user = try OptionChecks.required(v, "dbuser", when: isSelected)
        let password = try OptionChecks.required(v, "dbpassword", when: isSelected)
        guard let port = Int(v.string("dbport")), (1...65535).contains(port) else {
            throw fail(.badValue, "dbport", "dbport must be a port number 1-65535, not \"\(v.string("dbport"))\"")
        }
        let poolSize = v.int("dbpoolsize")
        if !(1...256).contains(poolSize) { throw fail(.badValue, "dbpoolsize", "dbpoolsize must be between 1 and 256") }
        let caFile = ConfigLoader.expand(v.string("dbtlsca"))
        var configuration = Configuration(host: v.string("dbhost"), port: port, user: user, password: password,
                                          database: v.string("dbname"), poolSize: poolSize, tls: v.bool("dbtls"),
                                          tlsCAFile: caFile.isEmpty ? nil : caFile, tlsSkipVerify: v.bool("dbtlsskipverify"))
        configuration.socket = try socket(v)
        // dbtls verifies the server certificate unless dbtlsskipverify says otherwise.
        if configuration.tlsSkipVerify && !configuration.tls {
            throw fail(.badValue, "dbtlsskipverify", "dbtlsskipverify only applies with dbtls=true")
        }
        if configuration.tlsSkipVerify && !caFile.isEmpty {
            throw fail(.conflict, "dbtlsskipverify", "dbtlsskipverify and dbtlsca contradict each other: set one")
        }
        if isSelected && configuration.tls && !caFile.isEmpty && !context.fileExists(caFile) {
            throw fail(.unreadableFile, "dbtlsca", "dbtlsca \(caFile) does not exist")
        }
        return configuration
    }

    /// `dbhost` is a TCP host (MariaDB's client would take `localhost` as its default socket and ignore `dbport`);
    /// a socket is asked for explicitly with `dbsocket`.
    static func socket(_ v: OptionValues) throws -> String? {
        let host = v.string("dbhost"), socket = v.string("dbsocket")
        let where_ = { (name: String) in OptionChecks.prefix(v.source(name)) }
        if host.hasPrefix("/") || host.hasPrefix(".") {
            throw ConfigError(.badValue, where_("dbhost") + "dbhost is a TCP host name or address; give a socket path as dbsocket=\(host)")
        }
        if socket.isEmpty {
            guard OptionChecks.isHostName(host) || OptionChecks.isIPAddress(host) else {
                throw ConfigError(.badValue, where_("dbhost") + "dbhost must be a host name or IP address, not \"\(host)\"")
            }
            return nil
        }
        guard socket.hasPrefix("/") else {
            throw ConfigError(.badValue, where_("dbsocket") + "dbsocket must be an absolute path to the MySQL Unix socket, not \"\(socket)\"")
        }
        if v.isSet("dbhost") || v.isSet("dbport") {
            throw ConfigError(.conflict, where_("dbsocket") + "dbsocket is set, so dbhost and dbport would be ignored; remove them or dbsocket")
        }
        return ConfigLoader.expand(socket)
    }
}
