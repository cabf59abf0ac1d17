import Foundation

/// Address submission (webapp.md §6, wallet-rpc.md §5): validates the user's pubkey address, derives the pool's
/// ticket and fee addresses for the user id, has every wallet agree on the pool key and the 1-of-2 multisig,
/// imports the script on **every** wallet at the current height and stores the registration.
///
/// Safety rules:
/// - Refused with nothing changed while the pool is stopped, or any wallet is down, locked, not connected to
///   its node or behind the chain tip (`WalletPool.readiness()`), or fewer than `minservers` answer.
/// - Wallet disagreement or a wallet failure in validateaddress / createmultisig / importscript stops the pool
///   (fail closed, as dcrstakepool's `RPCStop`).
/// - Idempotent and crash-safe: before any wallet imports, the script is written to the user row as *pending*
///   (`MultiSigScript`, `PoolPubKeyAddr`, `UserFeeAddr`, `HeightRegistered` set; `MultiSigAddress` and
///   `UserPubKeyAddr` still empty, so the user is not yet active). Any later attempt — a retry of the user,
///   whatever address it carries, or the startup sync — completes that same script, so one user never gets two
///   scripts. A user's address can't change once set.
/// - No 10,000-user cap: any user id below 2^31 is derived; wallets are asked to watch addresses up to it.
public final class AddressRegistration: AddressRegistering {
    let pool: WalletPool
    let storage: any StorageBackend
    let keys: any RegistrationKeyDeriving
    let logger: Logger
    /// Called after a successful registration (stakepoold `UpdateVotingPrefs(uid)`); errors are its own to log.
    let onRegistered: (@Sendable (UserId) async -> Void)?
    private let inFlight = LockedValue<Set<UserId>>([])

    public init(pool: WalletPool, storage: any StorageBackend, keys: any RegistrationKeyDeriving, logger: Logger,
                onRegistered: (@Sendable (UserId) async -> Void)? = nil) {
        self.pool = pool
        self.storage = storage
        self.keys = keys
        self.logger = logger
        self.onRegistered = onRegistered
    }

    /// The largest user id an address can be derived for (BIP32 non-hardened children).
    public static let maximumUserId: Int64 = Int64(UInt32.max >> 1) - 1

    /// Wallets are asked to watch ticket addresses in steps of this many, so consecutive new users don't each cost
    /// an `accountsyncaddressindex` round on every wallet.
    static let addressWindowStep: Int64 = 100

    /// The address index (exclusive) the wallets must watch for `userId`: `userId + 1` rounded up to the step.
    static func addressWindow(for userId: UserId) -> UInt32 {
        let needed = userId.rawValue + 1
        let rounded = (needed + addressWindowStep - 1) / addressWindowStep * addressWindowStep
        return UInt32(clamping: min(rounded, maximumUserId + 1))
    }

    /// `AddressRegistering`: registers and returns the updated user row.
    public func register(userID: UserId, pubKeyAddress: String) async throws -> User {
        _ = try await registerAddress(userId: userID, pubKeyAddress: pubKeyAddress)
        guard let user = try await loadUser(userID) else { throw RegistrationError.unknownUser }
        return user
    }

    /// Registers `pubKeyAddress` for `userId` (see the type's rules) and returns what was stored.
    public func registerAddress(userId: UserId, pubKeyAddress: String) async throws -> Registration {
        let claimed = inFlight.withLock { $0.insert(userId).inserted }
        guard claimed else { throw RegistrationError.inProgress }
        defer { _ = inFlight.withLock { $0.remove(userId) } }
        return try await register(userId: userId, submitted: pubKeyAddress)
    }

    /// Completes the pending (interrupted) submission of `userId`, if it has one; returns it, or nil if the
    /// user had nothing pending. Used by the startup sync.
    public func completePending(userId: UserId) async throws -> Registration? {
        guard let user = try await loadUser(userId), user.userPubKeyAddr.isEmpty, user.multiSigAddress.isEmpty,
              !user.multiSigScript.isEmpty
        else { return nil }
        return try await registerAddress(userId: userId, pubKeyAddress: "")
    }

    private func register(userId: UserId, submitted: String) async throws -> Registration {
        guard let user = try await loadUser(userId) else { throw RegistrationError.unknownUser }
        if !user.userPubKeyAddr.isEmpty || !user.multiSigAddress.isEmpty { throw RegistrationError.alreadySubmitted }

        // An interrupted earlier submission wins: complete exactly that script.
        var userAddress = submitted
        var pending: (script: String, height: Int64)?
        if !user.multiSigScript.isEmpty {
            if let (_, userKey) = OneOfTwoMultisig.keys(inScriptHex: user.multiSigScript),
               let recovered = try? keys.pubKeyAddress(compressedKey: userKey) {
                if !submitted.isEmpty && recovered != submitted {
                    logger.warn("uid \(userId): completing the earlier submission \(recovered); the new address "
                        + "\(submitted) is ignored (an address can't change once submitted)")
                }
                userAddress = recovered
                pending = (user.multiSigScript.lowercased(), user.heightRegistered)
            } else {
                logger.warn("uid \(userId): pending script is not a 1-of-2 multisig; ignoring it")
            }
        }
        if pending == nil { try validate(userAddress) }

        guard userId.rawValue >= 0, userId.rawValue <= Self.maximumUserId,
              let ticketAddress = try? keys.ticketAddress(userId: userId)
        else {
            throw RegistrationError.ticketAddressDerivation
        }
        guard let feeAddress = try? keys.feeAddress(userId: userId) else { throw RegistrationError.feeAddressDerivation }

        // Every wallet must be usable before anything is changed anywhere.
        let readiness: WalletPool.Readiness
        do {
            readiness = try await pool.readiness()
            try await pool.ensureAddressIndex(Self.addressWindow(for: userId))
        } catch {
            throw refusal(error)
        }

        let validation: AddressValidation
        do {
            validation = try await pool.validateAddress(ticketAddress)
        } catch {
            throw await fail("validateaddress", error)
        }
        guard validation.isMine, !validation.pubKeyAddress.isEmpty else {
            throw RegistrationError.poolAddressNotMine.with(
                detail: "ticket address \(ticketAddress) is not ismine on the wallets")
        }
        let poolAddress = validation.pubKeyAddress

        let multisig: MultisigScript
        do {
            multisig = try await pool.createMultisig(nRequired: 1, keys: [poolAddress, userAddress])
            if let expected = try keys.expectedMultisig(poolPubKeyAddress: poolAddress, userPubKeyAddress: userAddress),
               expected.redeemScript != multisig.redeemScript.lowercased() || expected.address != multisig.address {
                throw WalletPoolError(.inconsistent, "wallets returned a redeem script or P2SH address that differs "
                    + "from the 1-of-2 multisig of the pool and user keys")
            }
        } catch {
            throw await fail("createmultisig", error)
        }
        let script = multisig.redeemScript.lowercased()
        if let pending, pending.script != script {
            throw await fail("createmultisig", WalletPoolError(
                .inconsistent, "the wallets' redeem script differs from the pending registration's script"))
        }
        let height = pending?.height ?? readiness.bestBlock.height

        // Intent first: the script is tied to the user before any wallet learns it.
        if pending == nil {
            try await write(userId) { row in
                guard row.userPubKeyAddr.isEmpty, row.multiSigAddress.isEmpty else { throw Conflict.alreadySubmitted }
                guard row.multiSigScript.isEmpty || row.multiSigScript.lowercased() == script else {
                    throw Conflict.otherPending
                }
                row.multiSigScript = script
                row.poolPubKeyAddr = poolAddress
                row.userFeeAddr = feeAddress
                row.heightRegistered = height
            }
        }

        do {
            try await pool.importScript(script, scanFrom: height)
        } catch let error as WalletPoolError where error.code == .walletUnavailable {
            throw RegistrationError.importInterrupted.with(detail: error.message)
        } catch {
            throw await fail("importscript", error)
        }

        let finalUserAddress = userAddress
        try await write(userId) { row in
            guard row.userPubKeyAddr.isEmpty, row.multiSigAddress.isEmpty else { throw Conflict.alreadySubmitted }
            guard row.multiSigScript.lowercased() == script else { throw Conflict.otherPending }
            row.multiSigAddress = multisig.address
            row.userPubKeyAddr = finalUserAddress
            row.poolPubKeyAddr = poolAddress
            row.userFeeAddr = feeAddress
            row.heightRegistered = height
        }
        logger.info("uid \(userId): registered multisig \(multisig.address) (pool key \(poolAddress), user key "
            + "\(userAddress), fee address \(feeAddress), height \(height))")
        await onRegistered?(userId)
        return Registration(userId: userId, multiSigAddress: multisig.address, multiSigScript: script,
                            poolPubKeyAddr: poolAddress, userPubKeyAddr: userAddress, userFeeAddr: feeAddress,
                            heightRegistered: height, completedEarlierSubmission: pending != nil)
    }

    // MARK: - Helpers

    private enum Conflict: Error {
        case alreadySubmitted
        case otherPending
    }

    /// The key deriver refuses with a `RegistrationError`; anything else it throws means the address is unusable.
    private func validate(_ address: String) throws {
        do {
            try keys.validateUserAddress(address)
        } catch let refusal as RegistrationError {
            throw refusal
        } catch {
            throw RegistrationError.undecodableAddress.with(detail: "\(error)")
        }
    }

    private func loadUser(_ id: UserId) async throws -> User? {
        do {
            return try await storage.user(id: id)
        } catch {
            throw RegistrationError.accountUnreadable.with(detail: "\(error)")
        }
    }

    private func write(_ id: UserId, _ change: @escaping @Sendable (inout User) throws -> Void) async throws {
        do {
            try await storage.updateUser(id: id, change)
        } catch Conflict.alreadySubmitted {
            throw RegistrationError.alreadySubmitted
        } catch Conflict.otherPending {
            throw RegistrationError.earlierSubmissionPending
        } catch {
            logger.error("uid \(id): storing the registration failed: \(error)")
            throw RegistrationError.addressUnsaved.with(detail: "\(error)")
        }
    }

    /// Refusals that change nothing and don't stop the pool (down, locked, lagging, below minservers).
    private func refusal(_ error: any Error) -> RegistrationError {
        let text = (error as? any CodedError)?.message ?? "\(error)"
        if let poolError = error as? WalletPoolError, poolError.code == .stopped {
            return RegistrationError.walletsStopped.with(detail: text)
        }
        return RegistrationError.walletsUnavailable.with(detail: text)
    }

    /// dcrstakepool's fatal path: unavailability refuses; a failure or disagreement stops the pool.
    private func fail(_ function: String, _ error: any Error) async -> RegistrationError {
        if let poolError = error as? WalletPoolError,
           [.walletUnavailable, .belowMinServers, .stopped].contains(poolError.code) {
            return refusal(poolError)
        }
        await pool.stop(function: function, error: error)
        return RegistrationError.walletsFailed.with(
            detail: "RPC \(function) failed: \((error as? any CodedError)?.message ?? "\(error)")")
    }
}
