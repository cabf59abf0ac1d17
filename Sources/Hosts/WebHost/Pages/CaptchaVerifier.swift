import Foundation
import PoolKernel

/// How the sign-up, password-reset and email-change forms prove a human: the built-in image captcha (default)
/// or Google reCAPTCHA when `recaptchasitekey` and `recaptchasecret` are set.
public enum CaptchaMode: Sendable {
    case builtIn
    /// `verify` posts `secret` + the `g-recaptcha-response` value to Google's siteverify and answers whether
    /// the reply had `"success": true` (network and JSON errors are failures).
    case recaptcha(siteKey: String, verify: @Sendable (_ response: String) async -> Bool)
}

/// The built-in captcha's rules: five digits, valid ten minutes, one use (consumed by every check).
enum BuiltInCaptcha {
    static let digits = 5
    static let lifetime: Int64 = 600
    static let fieldName = "captcha"

    static func newChallenge(now: Int64) -> CaptchaChallenge {
        let answer = (0..<digits).map { _ in String(SecureRandom.uniform(10)) }.joined()
        return CaptchaChallenge(answer: answer, expiresAt: now + lifetime)
    }

    /// Checks `presented` against the session's challenge and removes the challenge either way.
    static func check(_ presented: String?, session: inout WebSession, now: Int64) -> Bool {
        guard let challenge = session.data.captcha else { return false }
        session.data.captcha = nil
        session.isDirty = true
        guard let presented, challenge.expiresAt > now else { return false }
        let trimmed = presented.trimmingCharacters(in: .whitespaces)
        return APITokenSigner.constantTimeEqual(Array(trimmed.utf8), Array(challenge.answer.utf8))
    }
}
