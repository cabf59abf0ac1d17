import Foundation
import HostKit
import PoolKernel

/// `poolctl user token <email|id> [--regenerate]`: prints the user's API token — the one the settings page shows
/// and the API accepts (issuer `baseurl`, signed with `apisecret`). A token is made when the user has none;
/// `--regenerate` replaces it, which revokes the old one. Verified users only.
enum UserTokenCommand {
    static func run(_ arguments: [String], storage: any StorageBackend, config: PoolConfig, output: HostOutput) async -> Int32 {
        let regenerate = arguments.contains("--regenerate")
        let rest = arguments.filter { $0 != "--regenerate" }
        guard rest.count == 1, let who = rest.first, !who.isEmpty else {
            output.err("poolctl: usage: poolctl user token <email|id> [--regenerate]")
            return ExitCode.usage
        }
        do {
            let found = try await storage.read { reader -> User? in
                if let id = Int64(who) { return try reader.user(id: UserId(id)) }
                return try reader.user(email: who)
            }
            guard let user = found else {
                output.err("poolctl: no user \(who)")
                return ExitCode.failure
            }
            guard user.emailVerified.isVerified else {
                output.err("poolctl: user \(who) has not verified their email address; API tokens are for verified users only")
                return ExitCode.failure
            }
            if !user.apiToken.isEmpty && !regenerate {
                output.out(user.apiToken)
                return ExitCode.ok
            }
            // Regenerating within the second the old token was issued must still change it (iat is in seconds).
            let token = AccountService.freshAPIToken(APITokenSigner(secret: config.apiSecret, issuer: config.baseURL),
                                                     for: user.id, replacing: user.apiToken)
            _ = try await storage.updateUser(id: user.id) { $0.apiToken = token }
            output.out(token)
            return ExitCode.ok
        } catch {
            output.err("poolctl: \(ConfigLoader.describe(error))")
            return ExitCode.failure
        }
    }
}
