import COpenSSL

/// Cryptographically secure random bytes from OpenSSL (tokens, session ids, captcha answers).
public enum SecureRandom {
    /// `count` random bytes. OpenSSL's generator only fails when it cannot seed, which leaves nothing safe to do.
    public static func bytes(_ count: Int) -> [UInt8] {
        var bytes = [UInt8](repeating: 0, count: count)
        let ok = bytes.withUnsafeMutableBufferPointer { RAND_bytes($0.baseAddress, Int32(count)) }
        precondition(ok == 1, "RAND_bytes failed: the system random generator is unusable")
        return bytes
    }

    /// `byteCount` random bytes as lowercase hex (16 bytes → dcrstakepool's 32-hex email/reset tokens).
    public static func hexToken(byteCount: Int = 16) -> String { hex(bytes(byteCount)) }

    /// Lowercase hex of `bytes`.
    public static func hex(_ bytes: [UInt8]) -> String {
        let digits = Array("0123456789abcdef".utf8)
        var out = [UInt8]()
        out.reserveCapacity(bytes.count * 2)
        for byte in bytes {
            out.append(digits[Int(byte >> 4)])
            out.append(digits[Int(byte & 15)])
        }
        return String(decoding: out, as: UTF8.self)
    }

    /// A uniformly random integer in `0..<upperBound` (rejection sampling, no modulo bias).
    public static func uniform(_ upperBound: UInt32) -> UInt32 {
        precondition(upperBound > 0)
        let limit = UInt32.max - UInt32.max % upperBound
        while true {
            let raw = bytes(4).reduce(UInt32(0)) { $0 << 8 | UInt32($1) }
            if raw < limit { return raw % upperBound }
        }
    }
}
