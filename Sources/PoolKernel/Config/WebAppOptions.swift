/// The engine's options of the web app (`hxstakepool`, reading `dcrstakepool.conf`): dcrstakepool v1.1.1's
/// options with their names, defaults and meanings, then this engine's additions. The web host adds its own
/// (reCAPTCHA, sender address) and each plugin its own (`PoolPlugins.webApp`): `PoolConfig.load` takes them all.
public enum WebAppOptions {
    public static let defaultCloseMessage = "The stake pool is temporarily closed to new signups."
    public static let defaultPoolLink = "https://forum.decred.org/threads/rfp-6-setup-and-operate-10-stake-pools.1361/"

    public static let all: [OptionSpec] = dcrstakepool + engine + vspd

    /// dcrstakepool v1.1.1 (webapp spec §1.3).
    public static let dcrstakepool: [OptionSpec] = [
        OptionSpec("version", short: "V", .bool, commandLineOnly: true, help: "Display version information and exit"),
        OptionSpec("configfile", short: "C", .string, commandLineOnly: true, help: "Path to configuration file (default: ~/.dcrstakepool/dcrstakepool.conf)"),
        OptionSpec("datadir", short: "b", .string, help: "Directory to store data (default: ~/.dcrstakepool/data)"),
        OptionSpec("logdir", .string, help: "Directory to log output (default: ~/.dcrstakepool/logs)"),
        OptionSpec("listen", .string, default: ":8000", help: "Listen for connections on host:port, or on a Unix socket path starting with . or /"),
        OptionSpec("testnet", .bool, default: "false", help: "Use the test network"),
        OptionSpec("simnet", .bool, default: "false", help: "Use the simulation test network"),
        OptionSpec("profile", .string, default: "", help: "Accepted for compatibility (must be a port 1024-65535 when set); no profiler is started"),
        OptionSpec("cpuprofile", .string, default: "", help: "Accepted for compatibility; unused"),
        OptionSpec("memprofile", .string, default: "", help: "Accepted for compatibility; unused"),
        OptionSpec("debuglevel", short: "d", .string, default: "info", help: "Logging level for all subsystems {trace, debug, info, warn, error, critical} -- or SUBSYS=level,SUBSYS2=level; 'show' lists subsystems"),
        OptionSpec("apisecret", .string, secret: true, help: "Secret string used to sign API tokens (required unless apifronts=vspd; at least 32 characters)"),
        OptionSpec("baseurl", .string, default: "http://127.0.0.1:8000", help: "Base URL for emails and the API token issuer: http(s)://host[:port][/path], no trailing slash"),
        OptionSpec("coldwalletextpub", .string, help: "Extended public key of the cold wallet receiving pool fees (required unless apifronts=vspd)"),
        OptionSpec("closepool", .bool, default: "false", help: "Disable user registration actions (sign-ups)"),
        OptionSpec("closepoolmsg", .string, default: defaultCloseMessage, help: "Message shown to users when the pool is closed"),
        OptionSpec("cookiesecret", .string, secret: true, help: "Secret string used to sign session cookies (required; at least 32 characters)"),
        OptionSpec("cookiesecure", .bool, default: "false", help: "Set the Secure flag on cookies (serve over HTTPS); when not set, it is on exactly when baseurl starts with https://"),
        OptionSpec("publicpath", .string, default: "public", help: "Directory of static assets served under /assets/"),
        OptionSpec("templatepath", .string, default: "templates", help: "Directory of page templates (dcrstakepool used views)"),
        OptionSpec("poolemail", .string, default: "admin@example.com", help: "Support email shown to users"),
        OptionSpec("poolfees", .float, default: "7.5", help: "Pool fee percent shown to users, 0.01-100.00 (stakepoold's range)"),
        OptionSpec("poollink", .string, default: defaultPoolLink, help: "Support link shown on the home page"),
        OptionSpec("realipheader", .string, default: "", help: "Request header carrying the client IP (e.g. X-Real-IP); honoured only from trustedproxies"),
        OptionSpec("stakepooldhosts", .list, help: "Comma-separated stakepoold control API hosts (with enablestakepoold)"),
        OptionSpec("stakepooldcerts", .list, help: "Comma-separated stakepoold TLS certificate paths, same order"),
        OptionSpec("votingwalletextpub", .string, help: "Extended public key of the voting wallets' default account (required unless apifronts=vspd)"),
        OptionSpec("adminips", .list, help: "Comma-separated IPs or CIDR ranges (10.0.0.0/8) allowed to see /status and /metrics (required)"),
        OptionSpec("minservers", .int, default: "2", help: "Minimum number of wallets that must answer for a wallet operation"),
        OptionSpec("enablestakepoold", .bool, default: "false", help: "Notify stakepoold of voting preference changes"),
        OptionSpec("maxvotedage", .int, default: "8640", help: "Voted tickets older than this many blocks are not listed"),
    ]

    /// This engine's additions. Each keeps dcrstakepool's behaviour when left at its default.
    public static let engine: [OptionSpec] = [
        OptionSpec("emailtemplates", .string, default: "templates/email", help: "Directory of operator-editable email templates (built-in text when a file is missing)"),
        OptionSpec("stakepooldtoken", .string, default: "", secret: true, help: "Bearer token for the stakepoold control API (must equal stakepoold's controltoken; at least 16 characters)"),
        OptionSpec("chainparams", .string, default: "", help: "JSON file of network parameters for a fork's network (default: built-in)"),
        OptionSpec("trustedproxies", .list, default: "127.0.0.1,::1", help: "Proxy addresses or CIDR ranges whose realipheader is trusted (the client is the rightmost untrusted address)"),
        OptionSpec("adminuserids", .list, default: "", help: "User ids that, with adminips, may see admin pages (empty: IP only)"),
        OptionSpec("metricslisten", .string, default: "", help: "Separate host:port (or Unix socket path) serving /metrics (default: served on listen, to adminips only)"),
        OptionSpec("alertemail", .string, default: "", help: "Where operator alerts go: one message per incident (wallets, pool, database, mail, stakepoold) and its recovery"),
        OptionSpec("walletautorecover", .bool, default: "false", help: "Resume wallet operations automatically once all wallets agree again"),
        OptionSpec("bcryptcost", .int, default: "10", help: "bcrypt cost for new password hashes"),
        OptionSpec("maxbodybytes", .int, default: "1048576", help: "Largest HTTP request body accepted"),
        OptionSpec("maxconnections", .int, default: "4096", help: "Most HTTP connections served at once (503 beyond)"),
        OptionSpec("maintenance", .bool, default: "false", help: "Answer every page with the maintenance page (503); the API and /health keep working"),
        OptionSpec("captchatesthook", .bool, default: "false", help: "Tests only: with POOL_TEST_CAPTCHA=1 in the environment, expose /captcha/answer"),
        OptionSpec("mailretentiondays", .int, default: "30", help: "Days delivered and failed emails stay in the outbox before they are purged (0: keep for ever)"),
        OptionSpec("voteauditretentiondays", .int, default: "365", help: "Days vote audit records are kept; stakepoold purges them with its own option of this name, poolctl db purge with this one (0: keep for ever)"),
        OptionSpec("historyretentiondays", .int, default: "400", help: "Days of the hourly pool history (the charts of /admin and /stats) kept before they are purged (0: keep for ever)"),
        OptionSpec("minpasswordlength", .int, default: "12", help: "Shortest new password accepted at sign-up, settings and reset (characters; at least 1)"),
        OptionSpec("skipvotebitssync", .bool, default: "false", help: "Accepted for compatibility with older configs; has no effect"),
        OptionSpec("maxconnectionsperip", .int, default: "64", help: "Most HTTP connections one client address (IPv6: one /64) may hold (503 beyond; trustedproxies exempt; 0: no cap)"),
        OptionSpec("ratelimit", .float, default: "20", help: "Requests per second allowed per client address (IPv6: per /64); 0 turns the limit off"),
        OptionSpec("ratelimitburst", .int, default: "60", help: "Requests a client may make at once before ratelimit applies; 0 turns the limit off"),
        OptionSpec("explorerurl", .string, default: "", help: "Block explorer URL that ticket hashes are appended to on the tickets page, http(s) (default per network: https://mainnet.decred.org/tx/, https://testnet.decred.org/tx/; simnet none); set it empty for plain hashes without links"),
    ]

    // vspfront: the vspd API v3 front (issue 24, docs/vspd.md); vspnode/vspwallet come from the plugin registries.
    public static let vspd: [OptionSpec] = [
        OptionSpec("apifronts", .string, default: "legacy", help: "Which APIs the web app serves: legacy (dcrstakepool's /api/v1, /api/v2 and user pages), vspd (vspd's /api/v3 for today's dcrwallet and Decrediton; alone it needs none of the legacy wallet options), or both"),
        OptionSpec("vspfee", .float, default: "3.0", help: "vspd API: the fee each ticket pays, in percent of its vote reward (⌊vspfee × 100⌋ must be 1-10000)"),
        OptionSpec("vspclosed", .bool, default: "false", help: "vspd API: refuse new tickets (feeaddress, payfee, setaltsignaddr answer error 2); ticketstatus and setvotechoices keep working"),
        OptionSpec("vspclosedmsg", .string, default: "", help: "vspd API: message vspinfo reports while vspclosed is set"),
        OptionSpec("vspfeexpub", .string, default: "", help: "vspd API: extended public key the per-ticket fee addresses are derived from (required with the vspd API; a key used before cannot be given again)"),
    ]
}
