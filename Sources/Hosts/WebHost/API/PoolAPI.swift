import Foundation
import PoolKernel

/// dcrstakepool's JSON API, v1 and v2 (identical), webapp spec §4.
///
/// Routes: any method on `/api/v1/:command` and `/api/v2/:command`, and `/api/*` for the 404
/// answer. Commands: `GET getpurchaseinfo` (token), `GET stats` (no auth, served from
/// `StatsCache`), `POST address` (token), `POST voting` (token).
///
/// Deviations from v1.1.1, on purpose: a token must carry `iss == baseurl` and equal the user's
/// stored `APIToken`; `VoteBitsVersion` is the user's stored value (v1.1.1 always sent 0); other
/// methods on a known command get `405` with `Allow` (v1.1.1 answered 200 with an empty success);
/// `HEAD` works like `GET`.
public struct PoolAPI: Sendable {
    /// Decides whether vote bits are valid for the current agendas (spec §9.3).
    public typealias VoteBitsValidator = @Sendable (UInt16) -> Bool
    /// Told when a user's vote bits changed (notifies stakepoold).
    public typealias VotingPreferencesChanged = @Sendable (UserId) async -> Void

    let configuration: APIConfiguration
    let storage: any StorageBackend
    let tokens: APITokenSigner
    let registrar: any AddressRegistering
    let wallets: any WalletPoolReporting
    let stats: StatsCache
    let isValidVoteBits: VoteBitsValidator
    let votingPreferencesChanged: VotingPreferencesChanged
    let logger: Logger

    public init(configuration: APIConfiguration, storage: any StorageBackend, tokens: APITokenSigner,
                registrar: any AddressRegistering, wallets: any WalletPoolReporting, stats: StatsCache,
                isValidVoteBits: @escaping VoteBitsValidator,
                votingPreferencesChanged: @escaping VotingPreferencesChanged = { _ in },
                logger: Logger) {
        self.configuration = configuration
        self.storage = storage
        self.tokens = tokens
        self.registrar = registrar
        self.wallets = wallets
        self.stats = stats
        self.isValidVoteBits = isValidVoteBits
        self.votingPreferencesChanged = votingPreferencesChanged
        self.logger = logger
    }

    /// The API's routing table lines (put them before any catch-all route).
    public var routes: [Route] {
        let api = self
        return [
            Route(nil, "/api/v1/:command") { api.handle($0) },
            Route(nil, "/api/v2/:command") { api.handle($0) },
            Route(nil, "/api/*") { _ in .immediate(APIEnvelope.invalidCommand) },
        ]
    }

    private static let getCommands: Set<String> = ["getpurchaseinfo", "stats"]
    private static let postCommands: Set<String> = ["address", "voting"]

    func handle(_ request: HTTPRequest) -> HTTPResult {
        let command = request.parameters["command"] ?? ""
        let method = request.method == .head ? HTTPMethod.get : request.method
        switch (method, command) {
        case (.get, "stats"):
            return stats(request)
        case (.get, "getpurchaseinfo"):
            return .deferred { await purchaseInfo(request) }
        case (.post, "address"):
            return .deferred { await address(request) }
        case (.post, "voting"):
            return .deferred { await voting(request) }
        default:
            if method != .get && method != .post && (Self.getCommands.contains(command) || Self.postCommands.contains(command)) {
                var response = APIEnvelope.response(status: "error", code: .invalidArgument, message: "method not allowed",
                                                    data: .omitted, httpStatus: .methodNotAllowed)
                response.headers.set("Allow", Self.getCommands.contains(command) ? "GET, HEAD" : "POST")
                return .immediate(response)
            }
            return .immediate(APIEnvelope.invalidCommand)
        }
    }

    // MARK: - Authentication

    /// The user a request's `Authorization: Bearer <token>` names, or nil (logged, never fatal).
    func authenticatedUser(_ request: HTTPRequest) async -> User? {
        guard let header = request.headers["Authorization"], header.hasPrefix("Bearer ") else { return nil }
        let token = String(header.dropFirst(7))
        let claims: APITokenClaims
        do {
            claims = try tokens.verify(token)
        } catch {
            logger.warn("invalid api token from \(request.clientIP): \(error)")
            return nil
        }
        guard let user = try? await storage.user(id: claims.userID) else {
            logger.warn("api token from \(request.clientIP) names unknown user \(claims.userID)")
            return nil
        }
        guard APITokenSigner.constantTimeEqual(Array(user.apiToken.utf8), Array(token.utf8)) else {
            logger.warn("revoked api token for user \(user.id) from \(request.clientIP)")
            return nil
        }
        return user
    }

    // MARK: - Commands

    func stats(_ request: HTTPRequest) -> HTTPResult {
        if wallets.isStopped {
            return .immediate(APIEnvelope.error(.unavailable, "stats error - RPC server stopped", data: .null))
        }
        if let snapshot = stats.current { return .immediate(.json(snapshot.apiBody)) }
        let cache = stats
        return .deferred {
            guard let snapshot = await cache.refresh() else {
                return APIEnvelope.error(.unavailable, "stats error - RPC server error", data: .null)
            }
            return .json(snapshot.apiBody)
        }
    }

    func purchaseInfo(_ request: HTTPRequest) async -> HTTPResponse {
        guard let user = await authenticatedUser(request) else {
            return APIEnvelope.error(.unauthenticated, "purchaseinfo error - invalid api token", data: .null)
        }
        guard !user.userPubKeyAddr.isEmpty else {
            return APIEnvelope.error(.failedPrecondition, "purchaseinfo error - no address submitted", data: .null)
        }
        let data = GoJSONValue.object([
            ("PoolAddress", .string(user.userFeeAddr)),
            ("PoolFees", .number(configuration.poolFees)),
            ("Script", .string(user.multiSigScript)),
            ("TicketAddress", .string(user.multiSigAddress)),
            ("VoteBits", .int(Int64(user.voteBits))),
            ("VoteBitsVersion", .int(Int64(user.voteBitsVersion))),
        ])
        return APIEnvelope.success("purchaseinfo successfully retrieved", data: .value(data))
    }

    func address(_ request: HTTPRequest) async -> HTTPResponse {
        guard let user = await authenticatedUser(request) else { return APIEnvelope.refusal(.unknownUser) }
        guard user.userPubKeyAddr.isEmpty else { return APIEnvelope.refusal(.alreadySubmitted) }
        let submitted = request.formValues["UserPubKeyAddr"] ?? ""
        logger.info("Address POST from \(request.clientIP), pubkeyaddr \(submitted.prefix(80))")
        // dcrstakepool's order: the length is checked before the registrar decodes anything.
        if submitted.utf8.count < UserPubKeyAddress.minimumLength { return APIEnvelope.refusal(.addressTooShort) }
        if submitted.utf8.count > UserPubKeyAddress.maximumLength { return APIEnvelope.refusal(.addressTooLong) }
        do {
            _ = try await registrar.register(userID: user.id, pubKeyAddress: submitted)
            return APIEnvelope.success("address successfully imported")
        } catch {
            let refusal = RegistrationError.refusal(for: error)
            logger.warn("address registration for user \(user.id) refused: \(refusal.codeName) \(refusal.detail)")
            return APIEnvelope.refusal(refusal)
        }
    }

    func voting(_ request: HTTPRequest) async -> HTTPResponse {
        guard let user = await authenticatedUser(request) else {
            return APIEnvelope.error(.unauthenticated, "voting error - invalid api token")
        }
        guard let value = Int64(request.formValues["VoteBits"] ?? "") else {
            return APIEnvelope.error(.invalidArgument, "voting error - unable to convert votebits to uint16")
        }
        let bits = UInt16(truncatingIfNeeded: value)
        guard isValidVoteBits(bits) else {
            return APIEnvelope.error(.invalidArgument, "voting error - votebits invalid for current agendas")
        }
        let old = user.voteBits
        do {
            try await storage.updateUser(id: user.id) { $0.voteBits = bits }
        } catch {
            logger.error("updating vote bits of user \(user.id) failed: \(error)")
            return APIEnvelope.error(.internal, "voting error - failed to update voting prefs in database")
        }
        if old != bits {
            logger.info("updated voteBits for user \(user.id) from \(old) to \(bits)")
            await votingPreferencesChanged(user.id)
        }
        return APIEnvelope.success("sucessfully updated voting preferences")
    }
}
