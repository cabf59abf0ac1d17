import Synchronization

/// A fee address handed to one vspd ticket: which xpub, which index, and the address (spec §6.2).
public struct VspFeeAddress: Hashable, Sendable {
    public var xpubID: Int64
    public var index: UInt32
    public var address: String

    public init(xpubID: Int64, index: UInt32, address: String) {
        self.xpubID = xpubID
        self.index = index
        self.address = address
    }
}

/// Derives vspd fee addresses as vspd's `addressgenerator.go` does (spec §6.2): from the active fee xpub, child 0
/// (the external branch), then child `i` for the next index, as the P2PKH address of the compressed child key.
/// The index is taken in storage first, in a transaction of its own, so it is never handed out twice — not after
/// a crash, not across several web hosts on one database. An index whose child is invalid is skipped (taken and
/// left); a third skip in one call is an error.
public final class VspFeeAddressAllocator: Sendable {
    /// Derives the address of child `index` of an external branch key; the default is the real derivation.
    public typealias Derive = @Sendable (_ branch: ExtendedPublicKey, _ index: UInt32, _ network: NetParams) throws -> String

    private let storage: any StorageBackend
    private let network: NetParams
    private let derive: Derive
    /// External branch keys by xpub id, so each call derives one child, not two.
    private let branches = Mutex<[Int64: ExtendedPublicKey]>([:])

    public init(storage: any StorageBackend, network: NetParams, derive: @escaping Derive = VspFeeAddressAllocator.p2pkh) {
        self.storage = storage
        self.network = network
        self.derive = derive
    }

    /// The P2PKH address of `branch`'s child `index`.
    public static let p2pkh: Derive = { branch, index, network in
        try branch.child(index).p2pkhAddress(network: network).encoded
    }

    /// The next fee address. Errors: `no-vsp-fee-xpub`, `bad-vsp-fee-xpub`, `vsp-fee-address-derivation`, and
    /// storage errors as they come.
    public func next() async throws -> VspFeeAddress {
        var skipped = 0
        while true {
            let xpub: VspFeeXPub
            do {
                xpub = try await storage.write { try $0.takeNextVspFeeAddressIndex() }
            } catch let error as StorageError where error.code == .notFound {
                throw VspError(.noVspFeeXPub, "No fee xpub is stored: give the VSP an extended public key for its fee addresses.")
            } catch let error as StorageError where error.code == .invalidInput {
                throw VspError(.vspFeeAddressDerivation, "The fee xpub has used every address index: \(error.message)")
            }
            let index = xpub.lastUsedIndex
            do {
                let address = try derive(try branch(of: xpub), index, network)
                return VspFeeAddress(xpubID: xpub.id, index: index, address: address)
            } catch let error as ChainError where error.code == .badDerivation {
                skipped += 1
                if skipped >= 3 {
                    throw VspError(.vspFeeAddressDerivation,
                                   "Three fee address indexes in a row gave no valid child key (last \(index)).")
                }
            }
        }
    }

    /// Makes `key` the active fee xpub (vspadmin `createdatabase` for the first, `retirexpub` later): it must parse
    /// as an extended public key of `network` (a private key is refused); the current one is retired at `now`.
    /// Errors: `bad-vsp-fee-xpub`; storage `duplicate` when the key was ever used.
    public static func addFeeXPub(_ key: String, storage: any StorageBackend, network: NetParams,
                                  now: Int64) async throws -> VspFeeXPub {
        let canonical: String
        do {
            canonical = try ExtendedPublicKey(parsing: key.trimmingWhitespace(), network: network).serialized()
        } catch let error as ChainError {
            throw VspError(.badVspFeeXPub, "The fee xpub is not an extended public key of \(network.name): \(error.message)")
        }
        return try await storage.write { try $0.addVspFeeXPub(key: canonical, now: now) }
    }

    private func branch(of xpub: VspFeeXPub) throws -> ExtendedPublicKey {
        if let known = branches.withLock({ $0[xpub.id] }) { return known }
        let parsed: ExtendedPublicKey
        do {
            parsed = try ExtendedPublicKey(parsing: xpub.key, network: network).child(0)
        } catch let error as ChainError {
            throw VspError(.badVspFeeXPub, "The fee xpub \(xpub.id) is not usable on \(network.name): \(error.message)")
        }
        branches.withLock { $0[xpub.id] = parsed }
        return parsed
    }
}
