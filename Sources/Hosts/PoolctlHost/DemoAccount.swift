import Foundation
import HostKit
import PoolKernel

/// `poolctl dev demo-account [--email E] [--new-password]`: the account `make run` creates so a newcomer signs in at
/// once — verified, with an address already submitted through the real registration (every wallet imports its
/// script), voting with the wallets' current vote version.
///
/// Created once: the password is printed when the account is created (or replaced with `--new-password`), never
/// again. Running it again completes a registration that did not finish and otherwise changes nothing.
enum DemoAccount {
    static func run(_ arguments: [String], config: PoolConfig, context: PoolctlCommand.Context) async -> Int32 {
        var email = DevCommand.demoEmail
        var newPassword = false
        var index = 0
        while index < arguments.count {
            switch arguments[index] {
            case "--email" where index + 1 < arguments.count && arguments[index + 1].contains("@"):
                email = arguments[index + 1]
                index += 2
            case "--new-password":
                newPassword = true
                index += 1
            default:
                context.output.err("poolctl: usage: poolctl dev demo-account [--email E] [--new-password]")
                return ExitCode.usage
            }
        }
        return await PoolctlCommands.withStorage(context, migrate: true) { storage in
            do {
                return try await ensure(email: email, newPassword: newPassword, config: config, storage: storage, context: context)
            } catch {
                context.output.err("poolctl: demo account: \(DevCommand.describe(error))")
                return ExitCode.failure
            }
        }
    }

    private static func ensure(email: String, newPassword: Bool, config: PoolConfig, storage: any StorageBackend,
                               context: PoolctlCommand.Context) async throws -> Int32 {
        var password: String?
        var user: User
        if let existing = try await storage.user(email: email) {
            user = existing
            if newPassword {
                let fresh = makePassword()
                let hash = try BCrypt.hash(password: fresh, cost: config.bcryptCost)
                user = try await storage.updateUser(id: user.id) { $0.passwordHash = hash }
                password = fresh
            }
        } else {
            let fresh = makePassword()
            user = try await storage.insertUser(User(email: email, passwordHash: try BCrypt.hash(password: fresh, cost: config.bcryptCost),
                                                     emailVerified: .verified, voteBits: 1))
            password = fresh
        }
        if user.multiSigAddress.isEmpty { user = try await submitAddress(for: user, config: config, storage: storage, context: context) }
        let signIn = config.baseURL.isEmpty ? "/signin" : config.baseURL + "/signin"
        if let password {
            context.output.out("demo account created: sign in at \(signIn) as \(user.email) with password \(password)")
            context.output.out("  (shown once; `poolctl dev demo-account --new-password` sets a new one)")
        } else {
            context.output.out("demo account \(user.email) (user \(user.id)) exists: its password was shown when it was created "
                               + "(`poolctl dev demo-account --new-password` sets a new one)")
        }
        context.output.out("  ticket address \(user.multiSigAddress); buy tickets with `poolctl dev buy \(user.email) --count 5`")
        return ExitCode.ok
    }

    /// Submits the demo user's key through the pool's real registration (every wallet imports the script), with the
    /// wallets' vote version, and tells the configured stakepoolds.
    private static func submitAddress(for user: User, config: PoolConfig, storage: any StorageBackend,
                                      context: PoolctlCommand.Context) async throws -> User {
        let services = try PoolServices.make(config: config, plugins: context.plugins, logs: context.logs, storage: storage)
        let result: Result<User, any Error>
        do {
            try await services.walletSet.connect()
            let voteVersion = try await services.pool.backend(0).walletInfo().voteVersion
            _ = try await storage.updateUser(id: user.id) { $0.voteBitsVersion = voteVersion }
            result = .success(try await services.registration.register(userID: user.id, pubKeyAddress: try userKey(user.id, config)))
            await services.stakepooldNotifier.deliverPendingOnce()
        } catch {
            result = .failure(error)
        }
        for index in 0..<services.pool.count { await services.pool.backend(index).close() }
        return try result.get()
    }

    /// A stand-in for the user's own wallet key: child `/1/uid` of the voting wallet's extended public key (the pool's
    /// own key for the user is `/0/uid`), as a pubkey address of the pool's network.
    static func userKey(_ id: UserId, _ config: PoolConfig) throws -> String {
        let parent = try ExtendedPublicKey(parsing: config.votingWalletExtPub, network: config.netParams)
        return try parent.child(1).child(UInt32(clamping: id.rawValue)).pubKeyAddress(network: config.netParams).encoded
    }

    /// 12 random bytes as 24 hex characters: longer than any `minpasswordlength` default, never a common password.
    static func makePassword() -> String { SecureRandom.hexToken(byteCount: 12) }
}
