import Foundation

/// Value rules shared by the web app's and stakepoold's configs. Each check returns the sentence that
/// follows the option's name and source ("dcrstakepool.conf:12: adminips entry …"), or throws it as a
/// `ConfigError` through `OptionChecks.fail`.
public enum OptionChecks {
    /// Shortest `cookiesecret` and `apisecret` accepted: 32 characters, the 256-bit HMAC-SHA256 key RFC 7518 §3.2
    /// asks for (a short secret lets anyone who sees one cookie or token guess it offline).
    public static let minimumSecretLength = 32
    /// Shortest bearer token accepted (`stakepooldtoken`, `controltoken`) when one is set: it is only guessed online,
    /// against a daemon that logs every refusal, so 16 characters suffice.
    public static let minimumTokenLength = 16

    /// The sentence for a token option that is set but too short, or nil.
    public static func tokenProblem(_ token: String, option: String) -> String? {
        guard !token.isEmpty, token.count < minimumTokenLength else { return nil }
        return "\(option) is \(token.count) characters long; use at least \(minimumTokenLength) random characters "
            + "(e.g. the output of `openssl rand -hex 16`)"
    }

    /// The pool fee range stakepoold accepts (dcrstakepool: between 0.01 and 100.00 percent, in hundredths).
    public static func isValidPoolFee(_ fee: Double) -> Bool {
        guard fee.isFinite else { return false }
        return (1...10_000).contains(Int((fee * 100).rounded(.down)))
    }

    /// `text` is an IPv4 or IPv6 address (no brackets, no zone).
    public static func isIPAddress(_ text: String) -> Bool {
        IPAddress(text) != nil
    }

    /// `host:port` with a port 1-65535 and a host that is a name or an address (`[v6]:port`).
    public static func isHostPort(_ text: String) -> Bool {
        guard let (host, port) = HostPort.split(text), port > 0 else { return false }
        return isHostName(host) || isIPAddress(host)
    }

    /// A DNS name (letters, digits, `-`, `.`, `_`), as a TCP host option takes.
    public static func isHostName(_ text: String) -> Bool {
        !text.isEmpty && text.count <= 253
            && text.unicodeScalars.allSatisfy { $0.isASCII && ($0.properties.isAlphabetic || ("0"..."9").contains($0) || "-._".unicodeScalars.contains($0)) }
    }

    /// An HTTP header name (RFC 9110 token characters).
    public static func isHeaderName(_ text: String) -> Bool {
        !text.isEmpty && text.unicodeScalars.allSatisfy {
            $0.isASCII && ($0.properties.isAlphabetic || ("0"..."9").contains($0) || "!#$%&'*+-.^_`|~".unicodeScalars.contains($0))
        }
    }

    /// Why `baseurl` is unusable, or nil: it must be `http(s)://host[:port][/path]` with no trailing slash,
    /// query or fragment (links are built as `baseurl + "/path"`).
    public static func baseURLProblem(_ text: String) -> String? {
        guard let url = URLComponents(string: text), let scheme = url.scheme?.lowercased(),
              ["http", "https"].contains(scheme), let host = url.host, !host.isEmpty else {
            return "must be an absolute http:// or https:// URL such as https://pool.example.com"
        }
        if text.hasSuffix("/") { return "must not end with a slash (write \(text.dropLast()))" }
        if url.query != nil || url.fragment != nil { return "must not have a query or fragment" }
        return nil
    }

    /// Decodes an extended public key of `network`; the error names the option and what is wrong.
    @discardableResult
    public static func extendedPublicKey(_ text: String, option: String, network: NetParams,
                                         source: OptionSource) throws -> ExtendedPublicKey {
        do {
            return try ExtendedPublicKey(parsing: text, network: network)
        } catch let error as ChainError {
            throw ConfigError(.badValue, prefix(source) + "\(option) is not a \(network.name) extended public key: \(error.message)")
        }
    }

    /// `file:line: ` (or `--flag: `) before a message; nothing for a default.
    public static func prefix(_ source: OptionSource) -> String {
        source == .defaultValue ? "" : "\(source): "
    }

    /// A file option's path (`walletcert`, `dbtlsca`…): as given (`~` and `$VAR` expanded) when it exists, else a
    /// relative path under the home directory (dcrstakepool §1.4.12); otherwise `unreadable-file` naming the option.
    public static func resolveFile(_ path: String, home: String, option: String, fileExists: (String) -> Bool) throws -> String {
        let expanded = ConfigLoader.expand(path)
        if fileExists(expanded) { return expanded }
        // Only a relative path is also tried under the home directory (an absolute one cannot be).
        if expanded.hasPrefix("/") { throw ConfigError(.unreadableFile, "\(option) \(expanded) does not exist") }
        let underHome = home + "/" + path
        if fileExists(underHome) { return underHome }
        throw ConfigError(.unreadableFile, "\(option) \(path) and \(underHome) don't exist")
    }

    /// The option's value, demanded when `condition` holds: "`name` is not set in config" otherwise.
    public static func required(_ values: OptionValues, _ name: String, when condition: Bool = true) throws -> String {
        let value = values.string(name)
        if condition && value.isEmpty { throw ConfigError(.missingOption, "\(name) is not set in config") }
        return value
    }
}
