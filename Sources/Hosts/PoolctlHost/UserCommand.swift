import Foundation
import HostKit
import PoolKernel

/// `poolctl user show <email|id>`, `poolctl user list [--limit N]`,
/// `poolctl user add --email E --password-file F|- [--verified] [--vote-version N]`.
///
/// Never prints secrets (password hashes, email or API tokens). The password is read from a file or standard
/// input (`-`), never from the command line. The backend is the caller's: it is neither migrated nor shut down.
public enum UserCommand {
    public static let usage = "user show <email|id> | user list [--limit N] | "
        + "user add --email E --password-file F|- [--verified] [--vote-version N]"

    /// The voting wallets' agreed vote version (`walletinfo`'s `voteversion` on every wallet), as the web app stores
    /// it on a sign-up: asked only by `user add` without `--vote-version`.
    public typealias VoteVersionSource = @Sendable () async throws -> UInt32

    /// For callers without wallets: `user add` then needs `--vote-version N`.
    public static let noWallets: VoteVersionSource = { throw NoWallets() }

    struct NoWallets: Error, CustomStringConvertible {
        var description: String { "no voting wallets to ask" }
    }

    /// Runs the subcommand and returns the process exit code (0 ok, 1 failure, 2 usage, 7 database).
    /// - Parameters:
    ///   - bcryptCost: cost for new password hashes (`bcryptcost`).
    ///   - passwordPolicy: what a new password must be (`minpasswordlength`, the common-password list), as on sign-up.
    ///   - voteVersion: the wallets' vote version, stored on a new account so its vote choices count at once (stakepoold
    ///     ignores choices of another version); `--vote-version N` overrides it.
    ///   - standardInput: reads standard input when the password file is `-`.
    public static func run(_ arguments: [String], storage: any StorageBackend, output: HostOutput,
                           bcryptCost: Int = BCrypt.defaultCost, passwordPolicy: PasswordPolicy = PasswordPolicy(),
                           voteVersion: @escaping VoteVersionSource = UserCommand.noWallets,
                           standardInput: @Sendable () -> Data = { FileHandle.standardInput.readDataToEndOfFile() })
        async -> Int32
    {
        do {
            switch arguments.first {
            case "show":
                guard arguments.count == 2 else { return usageError(output) }
                return try await show(arguments[1], storage: storage, output: output)
            case "list":
                var limit = 1_000
                if arguments.count == 3, arguments[1] == "--limit", let value = Int(arguments[2]), value > 0 {
                    limit = value
                } else if arguments.count != 1 {
                    return usageError(output)
                }
                return try await list(limit: limit, storage: storage, output: output)
            case "add":
                return try await add(Array(arguments.dropFirst()), storage: storage, output: output,
                                     bcryptCost: bcryptCost, passwordPolicy: passwordPolicy,
                                     voteVersion: voteVersion, standardInput: standardInput)
            default:
                return usageError(output)
            }
        } catch let error as StorageError {
            output.err("poolctl: storage: \(error.message)")
            return error.code == .duplicate || error.code == .invalidInput ? ExitCode.failure : ExitCode.database
        } catch {
            output.err("poolctl: \(error)")
            return ExitCode.failure
        }
    }

    private static func usageError(_ output: HostOutput) -> Int32 {
        output.err("poolctl: usage: poolctl \(usage)")
        return ExitCode.usage
    }

    /// The lines `user show` prints for a user (no secrets).
    public static func describe(_ user: User) -> [String] {
        [
            "UserId:           \(user.id)",
            "Email:            \(user.email)",
            "EmailVerified:    \(user.emailVerified) (\(user.emailVerified.isVerified ? "verified" : "not verified"))",
            "Active:           \(user.isActive ? "yes" : "no (no address submitted)")",
            "MultiSigAddress:  \(user.multiSigAddress)",
            "UserPubKeyAddr:   \(user.userPubKeyAddr)",
            "PoolPubKeyAddr:   \(user.poolPubKeyAddr)",
            "UserFeeAddr:      \(user.userFeeAddr)",
            "HeightRegistered: \(user.heightRegistered)",
            "VoteBits:         \(user.voteBits) (version \(user.voteBitsVersion))",
            "APIToken:         \(user.apiToken.isEmpty ? "not issued" : "issued")",
        ]
    }

    private static func show(_ key: String, storage: any StorageBackend, output: HostOutput) async throws -> Int32 {
        let user: User?
        if let id = Int64(key), id > 0 {
            user = try await storage.user(id: UserId(id))
        } else {
            user = try await storage.user(email: key)
        }
        guard let user else {
            output.err("poolctl: no user \(key)")
            return ExitCode.failure
        }
        output.out(describe(user).joined(separator: "\n"))
        return ExitCode.ok
    }

    private static func list(limit: Int, storage: any StorageBackend, output: HostOutput) async throws -> Int32 {
        var after: UserId = 0
        var printed = 0
        output.out("UserId\tEmail\tVerified\tActive\tVoteBits")
        while printed < limit {
            let cursor = after
            let pageSize = min(500, limit - printed)
            let page = try await storage.read { try $0.users(afterId: cursor, limit: pageSize) }
            if page.isEmpty { break }
            for user in page {
                output.out("\(user.id)\t\(user.email)\t\(user.emailVerified.isVerified ? "yes" : "no")\t"
                           + "\(user.isActive ? "yes" : "no")\t\(user.voteBits)")
            }
            printed += page.count
            after = page[page.count - 1].id
        }
        let total = try await storage.read { try $0.userCount() }
        output.out("\(printed) of \(total) users")
        return ExitCode.ok
    }

    private static func add(_ arguments: [String], storage: any StorageBackend, output: HostOutput, bcryptCost: Int,
                            passwordPolicy: PasswordPolicy, voteVersion: VoteVersionSource,
                            standardInput: @Sendable () -> Data) async throws -> Int32 {
        var email: String?
        var givenVoteVersion: UInt32?
        var passwordFile: String?
        var verified = false
        var index = 0
        while index < arguments.count {
            switch arguments[index] {
            case "--email" where index + 1 < arguments.count:
                email = arguments[index + 1]
                index += 2
            case "--password-file" where index + 1 < arguments.count:
                passwordFile = arguments[index + 1]
                index += 2
            case "--verified":
                verified = true
                index += 1
            case "--vote-version" where index + 1 < arguments.count:
                guard let version = UInt32(arguments[index + 1]), version > 0 else {
                    output.err("poolctl: --vote-version takes the wallets' vote version, a whole number above 0")
                    return ExitCode.usage
                }
                givenVoteVersion = version
                index += 2
            case "--password":
                output.err("poolctl: passwords are never taken from the command line: use --password-file F (or - for stdin)")
                return ExitCode.usage
            default:
                return usageError(output)
            }
        }
        guard let email, let passwordFile else { return usageError(output) }
        let data: Data
        if passwordFile == "-" {
            data = standardInput()
        } else {
            guard let contents = FileManager.default.contents(atPath: passwordFile) else {
                output.err("poolctl: cannot read the password file \(passwordFile)")
                return ExitCode.failure
            }
            data = contents
        }
        guard data.count <= 4096, let text = String(data: data, encoding: .utf8) else {
            output.err("poolctl: the password file must hold one line of UTF-8 text")
            return ExitCode.failure
        }
        var password = text
        // One trailing line break is not part of the password ("\r\n" is a single Character).
        if password.hasSuffix("\r\n") || password.hasSuffix("\n") { password.removeLast() }
        // The sign-up form's rules: an `@` in the email (spec §3.9) and the password policy (ASVS V2.1).
        guard email.contains("@") else {
            output.err("poolctl: \(AccountService.invalidEmail)")
            return ExitCode.failure
        }
        if let problem = passwordPolicy.problem(with: password) {
            output.err("poolctl: \(problem)")
            return ExitCode.failure
        }
        let voteBitsVersion: UInt32
        if let givenVoteVersion {
            voteBitsVersion = givenVoteVersion
        } else {
            do {
                voteBitsVersion = try await voteVersion()
            } catch {
                output.err("poolctl: cannot learn the voting wallets' vote version (\((error as? any CodedError)?.message ?? "\(error)")); "
                    + "nothing was stored: start the wallets, or pass --vote-version N (`poolctl wallets check` shows it)")
                return ExitCode.failure
            }
        }
        let hash = try BCrypt.hash(password: password, cost: bcryptCost)
        let draft = User(email: email, passwordHash: hash, emailVerified: verified ? .verified : .unverified,
                         emailToken: verified ? "" : randomToken(), voteBits: 1, voteBitsVersion: voteBitsVersion)
        do {
            let stored = try await storage.insertUser(draft)
            output.out("created user \(stored.id) <\(stored.email)>\(verified ? " (verified)" : " (not verified)"), vote version \(voteBitsVersion)")
            return ExitCode.ok
        } catch let error as StorageError where error.code == .duplicate {
            output.err("poolctl: a user with the email \(email) already exists")
            return ExitCode.failure
        }
    }

    /// 16 random bytes as 32 lowercase hex characters, like dcrstakepool's tokens.
    static func randomToken() -> String {
        var generator = SystemRandomNumberGenerator()
        return (0..<16).map { _ in String(format: "%02x", UInt8.random(in: 0...255, using: &generator)) }.joined()
    }
}
