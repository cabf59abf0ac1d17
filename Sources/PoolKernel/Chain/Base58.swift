/// Bitcoin/Decred base58 (alphabet without 0, O, I, l): big-endian base conversion where each leading
/// zero byte maps to one leading `1`.
public enum Base58 {
    static let alphabet: [UInt8] = Array("123456789ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz".utf8)

    /// Character -> digit value, 0xFF for characters outside the alphabet.
    static let digitValues: [UInt8] = {
        var table = [UInt8](repeating: 0xFF, count: 256)
        for (index, char) in alphabet.enumerated() { table[Int(char)] = UInt8(index) }
        return table
    }()

    /// Longest text `decode` accepts; callers with smaller limits check first.
    public static let maxDecodeLength = 1024

    /// base58 text of `bytes`.
    public static func encode(_ bytes: [UInt8]) -> String {
        let zeros = bytes.prefix { $0 == 0 }.count
        // log(256)/log(58) ~ 1.366: enough base-58 digits for the value.
        var digits = [UInt8](repeating: 0, count: (bytes.count - zeros) * 138 / 100 + 1)
        var length = 0
        for byte in bytes[zeros...] {
            var carry = Int(byte)
            var index = 0
            while index < length || carry != 0 {
                if index < length { carry += Int(digits[index]) << 8 }
                digits[index] = UInt8(carry % 58)
                carry /= 58
                index += 1
            }
            length = index
        }
        var out = [UInt8](repeating: alphabet[0], count: zeros)
        out.reserveCapacity(zeros + length)
        for index in stride(from: length - 1, through: 0, by: -1) { out.append(alphabet[Int(digits[index])]) }
        return String(decoding: out, as: UTF8.self)
    }

    /// Bytes of base58 `text`. A character outside the alphabet throws `badBase58Character`; text longer
    /// than `maxDecodeLength` throws `badLength`.
    public static func decode(_ text: some StringProtocol) throws -> [UInt8] {
        var utf8 = Array(text.utf8)
        return try utf8.withUnsafeMutableBufferPointer { try decode(UnsafeBufferPointer($0)) }
    }

    static func decode(_ chars: UnsafeBufferPointer<UInt8>) throws -> [UInt8] {
        guard chars.count <= maxDecodeLength else {
            throw ChainError(.badLength, "Base58 text is longer than \(maxDecodeLength) characters.")
        }
        var zeros = 0
        while zeros < chars.count, chars[zeros] == alphabet[0] { zeros += 1 }
        // log(58)/log(256) ~ 0.733: enough bytes for the value. Little-endian limbs while converting.
        var bytes = [UInt8](repeating: 0, count: (chars.count - zeros) * 733 / 1000 + 1)
        var length = 0
        for char in chars[zeros...] {
            let value = digitValues[Int(char)]
            guard value != 0xFF else {
                throw ChainError(.badBase58Character, "Text contains a character that is not base58.")
            }
            var carry = Int(value)
            var index = 0
            while index < length || carry != 0 {
                if index < length { carry += Int(bytes[index]) * 58 }
                bytes[index] = UInt8(truncatingIfNeeded: carry)
                carry >>= 8
                index += 1
            }
            length = index
        }
        var out = [UInt8](repeating: 0, count: zeros + length)
        for index in 0..<length { out[zeros + index] = bytes[length - 1 - index] }
        return out
    }
}
