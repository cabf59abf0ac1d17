import PoolKernel

/// Token buckets per client (`IPAddress.clientKey`: an IPv4 address or an IPv6 /64): `rate` tokens per
/// second, at most `burst` stored.
///
/// Thread-safe. Buckets idle long enough to be full again are dropped, so memory stays bounded by
/// the number of clients active within `burst / rate` seconds (and by `maxClients` in any case).
public final class RateLimiter: Sendable {
    struct Bucket: Sendable {
        var tokens: Double
        var updated: UInt64
    }

    public let rate: Double
    public let burst: Double
    let maxClients: Int
    private let buckets = LockedValue<[String: Bucket]>([:])
    private let lastPrune = LockedValue<UInt64>(0)

    public init(rate: Double, burst: Double, maxClients: Int = 100_000) {
        self.rate = max(rate, 0.001)
        self.burst = max(burst, 1)
        self.maxClients = maxClients
    }

    /// Takes one token for `key`; false when the bucket is empty.
    public func allow(_ key: String, now: UInt64 = MonotonicClock.now()) -> Bool {
        pruneIfDue(now)
        return buckets.withLock { all in
            var bucket = all[key] ?? Bucket(tokens: burst, updated: now)
            let elapsed = Double(now &- bucket.updated) / 1_000_000_000
            bucket.tokens = min(burst, bucket.tokens + elapsed * rate)
            bucket.updated = now
            let allowed = bucket.tokens >= 1
            if allowed { bucket.tokens -= 1 }
            if all.count < maxClients || all[key] != nil { all[key] = bucket }
            return allowed
        }
    }

    private func pruneIfDue(_ now: UInt64) {
        let due = lastPrune.withLock { last -> Bool in
            guard now &- last > 10_000_000_000 else { return false }
            last = now
            return true
        }
        guard due else { return }
        let refill = UInt64(burst / rate * 1_000_000_000)
        buckets.withLock { all in all = all.filter { now &- $0.value.updated < refill } }
    }
}

/// Answers `429` when a client IP exceeds its token bucket. Requests whose path starts with one of
/// `exemptPrefixes` (health checks, assets) are not counted.
public struct RateLimitMiddleware: HTTPMiddleware {
    let limiter: RateLimiter
    let exemptPrefixes: [String]
    let rejection: @Sendable (HTTPRequest) -> HTTPResponse

    /// - Parameter rejection: the answer when limited. The default is the API's JSON envelope
    ///   (code 8, ResourceExhausted) under `/api/` and `Too Many Requests` text elsewhere.
    public init(limiter: RateLimiter, exemptPrefixes: [String] = ["/health", "/assets/"],
                rejection: @escaping @Sendable (HTTPRequest) -> HTTPResponse = RateLimitMiddleware.defaultRejection) {
        self.limiter = limiter
        self.exemptPrefixes = exemptPrefixes
        self.rejection = rejection
    }

    public func incoming(_ request: inout HTTPRequest) -> HTTPResponse? {
        if exemptPrefixes.contains(where: { request.path.hasPrefix($0) }) { return nil }
        if limiter.allow(IPAddress.clientKey(request.clientIP)) { return nil }
        var response = rejection(request)
        response.headers.set("Retry-After", "1")
        return response
    }

    public static let defaultRejection: @Sendable (HTTPRequest) -> HTTPResponse = { request in
        if request.path.hasPrefix("/api/") {
            return .json(Array("{\"status\":\"error\",\"code\":8,\"message\":\"rate limited - too many requests\"}\n".utf8),
                         status: .tooManyRequests)
        }
        return .text("Too Many Requests\n", status: .tooManyRequests)
    }
}
