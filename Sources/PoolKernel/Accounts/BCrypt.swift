import COpenSSL

/// bcrypt password hashing, compatible with Go's `golang.org/x/crypto/bcrypt` (what dcrstakepool stored):
/// `$2a$10$` + 22 characters of salt + 31 characters of hash, 60 bytes in all.
///
/// Like the original, passwords longer than 72 bytes are cut to 72 (bcrypt's key limit), so old hashes verify.
/// `$2a$`, `$2b$` and `$2y$` hashes verify (identical for passwords under 256 bytes); new hashes use `$2a$`.
public enum BCrypt {
    /// The default cost (dcrstakepool's).
    public static let defaultCost = 10
    /// Valid costs.
    public static let costRange = 4...31

    /// Hashes `password` with a fresh random salt (or `salt`, 16 bytes, for tests).
    /// Throws `BCryptError` for a cost outside `costRange`, a salt that is not 16 bytes, or an RNG failure.
    public static func hash(password: String, cost: Int = defaultCost, salt: [UInt8]? = nil) throws -> String {
        guard costRange.contains(cost) else {
            throw BCryptError(.invalidCost, "bcrypt cost \(cost) is outside \(costRange.lowerBound)…\(costRange.upperBound)")
        }
        let saltBytes = try salt ?? randomSalt()
        guard saltBytes.count == 16 else { throw BCryptError(.invalidSalt, "a bcrypt salt is 16 bytes") }
        let digest = rawHash(key: key(for: password), salt: saltBytes, cost: cost)
        let costText = cost < 10 ? "0\(cost)" : "\(cost)"
        return "$2a$\(costText)$" + BCryptBase64.encode(saltBytes) + BCryptBase64.encode(digest)
    }

    /// Whether `password` matches `hash` (constant-time comparison). A malformed hash never matches.
    public static func verify(password: String, hash: String) -> Bool {
        guard let parsed = ParsedHash(hash) else { return false }
        let digest = rawHash(key: key(for: password), salt: parsed.salt, cost: parsed.cost)
        let expected = BCryptBase64.encode(digest)
        guard expected.utf8.count == parsed.digestText.utf8.count else { return false }
        var difference: UInt8 = 0
        for (a, b) in zip(expected.utf8, parsed.digestText.utf8) { difference |= a ^ b }
        return difference == 0
    }

    /// The cost a hash was made with, or nil if `hash` is not a bcrypt hash (e.g. to re-hash at a new cost).
    public static func cost(of hash: String) -> Int? { ParsedHash(hash)?.cost }

    /// Password bytes plus the terminating NUL, at most 72 bytes.
    static func key(for password: String) -> [UInt8] {
        Array((Array(password.utf8) + [0]).prefix(72))
    }

    /// The 23 hash bytes bcrypt encodes: "OrpheanBeholderScryDoubt" encrypted 64 times with the eks state.
    static func rawHash(key: [UInt8], salt: [UInt8], cost: Int) -> [UInt8] {
        var cipher = Blowfish()
        cipher.eksSetup(cost: cost, salt: salt, key: key)
        let magic = Array("OrpheanBeholderScryDoubt".utf8)
        var words = stride(from: 0, to: magic.count, by: 4).map { index in
            magic[index..<index + 4].reduce(UInt32(0)) { ($0 << 8) | UInt32($1) }
        }
        for _ in 0..<64 { cipher.encrypt(&words) }
        var bytes: [UInt8] = []
        bytes.reserveCapacity(24)
        for word in words {
            bytes.append(contentsOf: [UInt8(word >> 24), UInt8((word >> 16) & 0xff), UInt8((word >> 8) & 0xff),
                                      UInt8(word & 0xff)])
        }
        return Array(bytes.prefix(23))
    }

    private static func randomSalt() throws -> [UInt8] {
        var salt = [UInt8](repeating: 0, count: 16)
        let ok = salt.withUnsafeMutableBufferPointer { RAND_bytes($0.baseAddress, 16) }
        guard ok == 1 else { throw BCryptError(.randomFailure, "the system random generator failed") }
        return salt
    }

    /// `$2a$10$` + salt + digest, split.
    private struct ParsedHash {
        let cost: Int
        let salt: [UInt8]
        let digestText: String

        init?(_ text: String) {
            let bytes = Array(text.utf8)
            guard bytes.count == 60, bytes[0] == UInt8(ascii: "$"), bytes[1] == UInt8(ascii: "2"),
                  [UInt8(ascii: "a"), UInt8(ascii: "b"), UInt8(ascii: "y")].contains(bytes[2]),
                  bytes[3] == UInt8(ascii: "$"), bytes[6] == UInt8(ascii: "$") else { return nil }
            let digits = bytes[4...5]
            guard digits.allSatisfy({ $0 >= UInt8(ascii: "0") && $0 <= UInt8(ascii: "9") }) else { return nil }
            let cost = Int(digits[4] - UInt8(ascii: "0")) * 10 + Int(digits[5] - UInt8(ascii: "0"))
            guard BCrypt.costRange.contains(cost),
                  let salt = BCryptBase64.decode(Array(bytes[7..<29]), count: 16),
                  BCryptBase64.decode(Array(bytes[29..<60]), count: 23) != nil else { return nil }
            self.cost = cost
            self.salt = salt
            digestText = String(decoding: bytes[29..<60], as: UTF8.self)
        }
    }
}

/// A bcrypt failure (bad cost or salt given by the caller, or no randomness).
public struct BCryptError: CodedError, Equatable {
    public struct Code: RawRepresentable, Hashable, Sendable {
        public let rawValue: String
        public init(rawValue: String) { self.rawValue = rawValue }
        public static let invalidCost = Code(rawValue: "invalid-cost")
        public static let invalidSalt = Code(rawValue: "invalid-salt")
        public static let randomFailure = Code(rawValue: "random-failure")
    }

    public let code: Code
    public let message: String
    public init(_ code: Code, _ message: String) {
        self.code = code
        self.message = message
    }

    public var codeName: String { code.rawValue }
    public static func == (lhs: BCryptError, rhs: BCryptError) -> Bool { lhs.code == rhs.code }
}

/// bcrypt's own base64: alphabet `./A–Za–z0–9`, no padding.
enum BCryptBase64 {
    static let alphabet = Array("./ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789".utf8)
    static let decodeTable: [Int8] = {
        var table = [Int8](repeating: -1, count: 256)
        for (index, character) in alphabet.enumerated() { table[Int(character)] = Int8(index) }
        return table
    }()

    static func encode(_ bytes: [UInt8]) -> String {
        var output: [UInt8] = []
        var index = 0
        while index < bytes.count {
            let b0 = bytes[index]
            output.append(alphabet[Int(b0 >> 2)])
            var bits = (b0 & 0x03) << 4
            guard index + 1 < bytes.count else {
                output.append(alphabet[Int(bits)])
                break
            }
            let b1 = bytes[index + 1]
            output.append(alphabet[Int(bits | (b1 >> 4))])
            bits = (b1 & 0x0f) << 2
            guard index + 2 < bytes.count else {
                output.append(alphabet[Int(bits)])
                break
            }
            let b2 = bytes[index + 2]
            output.append(alphabet[Int(bits | (b2 >> 6))])
            output.append(alphabet[Int(b2 & 0x3f)])
            index += 3
        }
        return String(decoding: output, as: UTF8.self)
    }

    /// Decodes characters into exactly `count` bytes, or nil on a character outside the alphabet.
    static func decode(_ characters: [UInt8], count: Int) -> [UInt8]? {
        var values: [UInt8] = []
        for character in characters {
            let value = decodeTable[Int(character)]
            guard value >= 0 else { return nil }
            values.append(UInt8(value))
        }
        var bytes: [UInt8] = []
        var index = 0
        while bytes.count < count && index + 1 < values.count {
            bytes.append((values[index] << 2) | (values[index + 1] >> 4))
            if bytes.count == count || index + 2 >= values.count { break }
            bytes.append((values[index + 1] << 4) | (values[index + 2] >> 2))
            if bytes.count == count || index + 3 >= values.count { break }
            bytes.append((values[index + 2] << 6) | values[index + 3])
            index += 4
        }
        return bytes.count == count ? bytes : nil
    }
}
