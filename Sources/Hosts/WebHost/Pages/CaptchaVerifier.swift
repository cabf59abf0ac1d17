import Foundation
import PoolKernel

/// How the sign-up, password-reset and email-change forms prove a human: the built-in image captcha (default)
/// or Google reCAPTCHA when `recaptchasitekey` and `recaptchasecret` are set.
public enum CaptchaMode: Sendable {
    case builtIn
    /// `verify` posts `secret` + the `g-recaptcha-response` value to Google's siteverify and answers whether
    /// the reply had `"success": true` (network and JSON errors are failures).
    case recaptcha(siteKey: String, verify: @Sendable (_ response: String) async -> Bool)

    /// What a form says when the check failed, in this captcha's own words.
    var failureMessage: String {
        switch self {
        case .builtIn: "The characters you typed did not match the image. Please try again."
        case .recaptcha: AccountService.recaptchaRefused
        }
    }
}

/// The built-in captcha's rules: five characters of `alphabet`, valid ten minutes, one use. Each form that shows one gets its own
/// challenge, stored under a random id that the form carries in a hidden field (`idFieldName`), so several open
/// forms each work and every web host on the database can check any of them. Checking consumes the challenge
/// atomically in storage (`consumeCaptcha`): of parallel submissions of one answer exactly one passes.
enum BuiltInCaptcha {
    static let digits = 5
    /// Digits that cannot be mistaken for one another in the image: 0 (for 8), 1 (for 7) and 6 (for 5) are
    /// never drawn, so a noise line through a glyph cannot turn it into another answer.
    static let alphabet: [Character] = ["2", "3", "4", "5", "7", "8", "9"]
    static let lifetime: Int64 = 600
    static let fieldName = "captcha"
    static let idFieldName = "captchaid"

    static func newChallenge(now: Int64) -> CaptchaChallenge {
        let answer = String((0..<digits).map { _ in alphabet[Int(SecureRandom.uniform(UInt32(alphabet.count)))] })
        return CaptchaChallenge(id: SecureRandom.hexToken(), answer: answer, expiresAt: now + lifetime)
    }

    /// Whether `presented` is the answer of `challenge` (already consumed, unexpired).
    static func matches(_ presented: String?, _ challenge: CaptchaChallenge?) -> Bool {
        guard let presented, let challenge else { return false }
        let trimmed = presented.trimmingCharacters(in: .whitespaces)
        return APITokenSigner.constantTimeEqual(Array(trimmed.utf8), Array(challenge.answer.utf8))
    }

    /// A form's challenge id is 32 lowercase hex characters; anything else is not looked up.
    static func isWellFormedId(_ id: String) -> Bool {
        id.utf8.count == 32 && id.utf8.allSatisfy { (0x30...0x39).contains($0) || (0x61...0x66).contains($0) }
    }
}
