import Foundation

/// Go's `base64.StdEncoding.DecodeString` for what a client sends: the standard alphabet with `=` padding to a
/// multiple of 4 (Go also skips CR and LF; those are refused here, no client sends them in a header).
enum StrictBase64 {
    static func decode(_ text: String) -> [UInt8]? {
        let utf8 = Array(text.utf8)
        guard utf8.count % 4 == 0 else { return nil }
        let allowed = utf8.allSatisfy { c in
            (c >= 65 && c <= 90) || (c >= 97 && c <= 122) || (c >= 48 && c <= 57) || c == 43 || c == 47 || c == 61
        }
        // Like Go's non-strict default, non-zero padding bits are tolerated.
        guard allowed, let data = Data(base64Encoded: text) else { return nil }
        return [UInt8](data)
    }
}
