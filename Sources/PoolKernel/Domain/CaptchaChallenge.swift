/// A built-in captcha challenge, kept in storage under a random id that the form carries, so every open form
/// has its own and a web host sharing the database can check it. Consumed at most once (`consumeCaptcha`).
///
/// The answer is stored as is (not hashed): the image is drawn from it when the browser asks for it.
public struct CaptchaChallenge: Hashable, Sendable {
    /// 32 lowercase hex characters.
    public var id: String
    /// The digits shown in the image.
    public var answer: String
    /// Unix seconds.
    public var expiresAt: Int64

    public init(id: String, answer: String, expiresAt: Int64) {
        self.id = id
        self.answer = answer
        self.expiresAt = expiresAt
    }

    public func isExpired(now: Int64) -> Bool { expiresAt <= now }
}
