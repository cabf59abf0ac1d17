import Foundation
import HostKit

/// The web-app configuration file the host tests start from, written in one place so a new required option
/// is added once. Line numbers are part of what tests assert (the first `extra` line is line 13 of a serving
/// config with `adminips`), so the order of the standard lines below is fixed.
package enum WebAppTestConfig {
    /// The repository root, where the templates and public files live.
    package static let repoRoot = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent().path

    /// Writes `directory/fileName`: secrets of at least 32 characters, the simnet wallet's keys, `adminips`
    /// (left out when nil), simnet, a data directory under `directory`, and — when `serving` — a listener on
    /// port 0, a log directory and the repository's templates; then `extra`. Returns the file's path.
    @discardableResult
    package static func write(into directory: String, fileName: String = "dcrstakepool.conf", adminIPs: String? = "127.0.0.1",
                      serving: Bool = true, extra: String = "") throws -> String {
        var lines = [
            "apisecret=api-secret-value-0123456789abcdef",
            "cookiesecret=cookie-secret-value-0123456789abcdef",
            "coldwalletextpub=\(SimnetWalletPlugin.defaultKeys.cold)",
            "votingwalletextpub=\(SimnetWalletPlugin.defaultKeys.voting)",
        ]
        if let adminIPs { lines.append("adminips=\(adminIPs)") }
        lines += ["wallet=simnet", "simnet=1"]
        if serving { lines.append("listen=127.0.0.1:0") }
        lines.append("datadir=\(directory)/data")
        if serving {
            lines += ["logdir=\(directory)/logs", "templatepath=\(repoRoot)/templates", "publicpath=\(repoRoot)/public"]
        }
        lines.append(extra)
        let path = directory + "/" + fileName
        try lines.joined(separator: "\n").write(toFile: path, atomically: true, encoding: .utf8)
        return path
    }
}
