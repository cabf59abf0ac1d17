import PoolKernel

/// The MySQL/MariaDB storage plugin (`storage=mysql`): the dcrstakepool database itself (same tables and columns),
/// reached through MariaDB Connector/C with prepared statements and a small pool of connections.
public enum MySQLStoragePlugin {
    /// The name selected by the `storage` option.
    public static let name = "mysql"

    /// Settings from the config file (`dbhost`, `dbport`, `dbuser`, `dbpassword`, `dbname`, `dbpoolsize`,
    /// `dbtls`, `dbtlsca`, `dbtlsskipverify`). `description` never shows the password.
    public struct Configuration: Sendable, Equatable, CustomStringConvertible {
        public var host: String
        public var port: Int
        public var user: String
        public var password: String
        public var database: String
        /// Connections in the pool (each runs one transaction at a time on its own thread).
        public var poolSize: Int
        /// Require TLS to the server, verifying its certificate chain and host name (unless `tlsSkipVerify`).
        public var tls: Bool
        /// CA file to verify the server certificate with; nil: the system's trust store.
        public var tlsCAFile: String?
        /// Encrypt without verifying the server certificate (`dbtlsskipverify`, an explicit opt-out).
        public var tlsSkipVerify: Bool
        public var connectTimeoutSeconds: Int
        /// Read/write timeout of one round trip.
        public var ioTimeoutSeconds: Int
        /// `dbsocket`: a Unix socket path used instead of `host`/`port`; nil: TCP to `host:port` (also for
        /// `localhost`, which the client library would otherwise take as its default socket).
        public var socket: String? = nil

        public init(host: String = "127.0.0.1", port: Int = 3306, user: String, password: String,
                    database: String, poolSize: Int = 4, tls: Bool = false, tlsCAFile: String? = nil,
                    tlsSkipVerify: Bool = false, connectTimeoutSeconds: Int = 5, ioTimeoutSeconds: Int = 30) {
            self.host = host
            self.port = port
            self.user = user
            self.password = password
            self.database = database
            self.poolSize = poolSize
            self.tls = tls
            self.tlsCAFile = tlsCAFile
            self.tlsSkipVerify = tlsSkipVerify
            self.connectTimeoutSeconds = connectTimeoutSeconds
            self.ioTimeoutSeconds = ioTimeoutSeconds
        }

        /// Parses `mysql://user:password@host:port/database?poolsize=4&tls=true&tlsca=/path&tlsskipverify=false` (what
        /// `scripts/services/mariadb.sh` writes as `POOL_MYSQL_DSN`). Percent-escapes are decoded in the user and
        /// password. Throws `StorageError(.invalidInput)` for anything else.
        public init(dsn: String) throws {
            let bad = StorageError(.invalidInput, "a MySQL DSN looks like mysql://user:password@host:port/database")
            guard dsn.hasPrefix("mysql://") else { throw bad }
            var rest = Substring(dsn.dropFirst("mysql://".count))
            var query: Substring = ""
            if let mark = rest.firstIndex(of: "?") {
                query = rest[rest.index(after: mark)...]
                rest = rest[..<mark]
            }
            guard let at = rest.lastIndex(of: "@"), let slash = rest[at...].firstIndex(of: "/") else { throw bad }
            let credentials = rest[..<at]
            let hostPort = rest[rest.index(after: at)..<slash]
            let database = String(rest[rest.index(after: slash)...])
            let user: Substring
            let password: Substring
            if let colon = credentials.firstIndex(of: ":") {
                user = credentials[..<colon]
                password = credentials[credentials.index(after: colon)...]
            } else {
                user = credentials
                password = ""
            }
            var host = String(hostPort)
            var port = 3306
            if let colon = hostPort.lastIndex(of: ":") {
                host = String(hostPort[..<colon])
                guard let parsed = Int(hostPort[hostPort.index(after: colon)...]), (1...65535).contains(parsed) else {
                    throw bad
                }
                port = parsed
            }
            guard !host.isEmpty, !database.isEmpty, !user.isEmpty else { throw bad }
            self.init(host: host, port: port, user: String(user).removingPercentEncodingOrSelf,
                      password: String(password).removingPercentEncodingOrSelf, database: database)
            for pair in query.split(separator: "&") {
                let parts = pair.split(separator: "=", maxSplits: 1).map(String.init)
                guard parts.count == 2 else { throw bad }
                switch parts[0].lowercased() {
                case "poolsize":
                    guard let size = Int(parts[1]), (1...64).contains(size) else { throw bad }
                    poolSize = size
                case "tls": tls = ["1", "true", "yes"].contains(parts[1].lowercased())
                case "tlsca": tlsCAFile = parts[1]
                case "tlsskipverify": tlsSkipVerify = ["1", "true", "yes"].contains(parts[1].lowercased())
                default: throw StorageError(.invalidInput, "unknown MySQL DSN parameter \(parts[0])")
                }
            }
        }

        public var description: String {
            "mysql://\(user):***@\(endpoint)/\(database)?poolsize=\(poolSize)&tls=\(tls)"
                + (tls && tlsSkipVerify ? "&tlsskipverify=true" : "")
        }

        /// Where the server is reached, for messages: `host:port` or the socket path.
        public var endpoint: String { socket.map { "unix:\($0)" } ?? "\(host):\(port)" }
    }
}

extension String {
    fileprivate var removingPercentEncodingOrSelf: String {
        guard contains("%") else { return self }
        var bytes: [UInt8] = []
        var iterator = utf8.makeIterator()
        while let byte = iterator.next() {
            if byte == UInt8(ascii: "%"), let high = iterator.next(), let low = iterator.next(),
               let value = UInt8(String(decoding: [high, low], as: UTF8.self), radix: 16) {
                bytes.append(value)
            } else {
                bytes.append(byte)
            }
        }
        return String(decoding: bytes, as: UTF8.self)
    }
}
