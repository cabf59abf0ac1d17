import Foundation

/// How stored emails compare: the way MySQL's default `utf8mb4_general_ci` collation compares them (the original
/// relies on `WHERE Email = ?`), so every engine agrees: case and accents are ignored and trailing spaces too.
///
/// Backends that cannot use that collation (SQLite, in-memory) store and index `EmailKey.fold(email)`.
public enum EmailKey {
    /// The comparison key of `email`: two emails are the same account iff their keys are equal.
    public static func fold(_ email: String) -> String {
        var folded = email.folding(options: [.caseInsensitive, .diacriticInsensitive], locale: nil)
        // PAD SPACE collations ignore trailing spaces.
        while folded.hasSuffix(" ") { folded.removeLast() }
        return folded
    }
}
