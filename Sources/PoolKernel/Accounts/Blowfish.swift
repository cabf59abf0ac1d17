/// Blowfish with the "expensive key schedule" (eksblowfish) that bcrypt is built on (Provos & Mazières, 1999).
///
/// The state is 18 P-array words followed by 4×256 S-box words in one buffer; the hot loops work on raw pointers
/// because bcrypt runs about a million block encryptions at cost 10.
struct Blowfish {
    static let pWords = 18
    static let sWords = 1024
    /// P-array then S-boxes, initialised from π's fractional hex digits.
    static let initialState: [UInt32] = PiHexDigits.fractionWords(pWords + sWords)

    var state: [UInt32] = Blowfish.initialState

    /// The bcrypt key schedule: `ExpandKey(salt, key)` then 2^cost rounds of `ExpandKey(0, key)`,
    /// `ExpandKey(0, salt)`.
    mutating func eksSetup(cost: Int, salt: [UInt8], key: [UInt8]) {
        state.withUnsafeMutableBufferPointer { buffer in
            guard let base = buffer.baseAddress else { return }
            Self.expand(base, key: key, salt: salt)
            for _ in 0..<(1 << cost) {
                Self.expand(base, key: key, salt: nil)
                Self.expand(base, key: salt, salt: nil)
            }
        }
    }

    /// Encrypts the words pairwise (ECB), in place.
    func encrypt(_ words: inout [UInt32]) {
        state.withUnsafeBufferPointer { buffer in
            guard let base = buffer.baseAddress else { return }
            for index in stride(from: 0, to: words.count - 1, by: 2) {
                var left = words[index]
                var right = words[index + 1]
                Self.encryptBlock(&left, &right, base)
                words[index] = left
                words[index + 1] = right
            }
        }
    }

    /// Next 32-bit big-endian word of `data` read cyclically from `index`.
    @inline(__always)
    private static func streamWord(_ data: UnsafeBufferPointer<UInt8>, _ index: inout Int) -> UInt32 {
        var word: UInt32 = 0
        for _ in 0..<4 {
            if index >= data.count { index = 0 }
            word = (word << 8) | UInt32(data[index])
            index += 1
        }
        return word
    }

    /// Mixes `key` into the P-array, then re-encrypts the whole state, XOR-ing in `salt` words when given.
    private static func expand(_ state: UnsafeMutablePointer<UInt32>, key: [UInt8], salt: [UInt8]?) {
        key.withUnsafeBufferPointer { keyBytes in
            var keyIndex = 0
            for index in 0..<pWords { state[index] ^= streamWord(keyBytes, &keyIndex) }
        }
        var left: UInt32 = 0
        var right: UInt32 = 0
        if let salt {
            salt.withUnsafeBufferPointer { saltBytes in
                var saltIndex = 0
                for index in stride(from: 0, to: pWords + sWords, by: 2) {
                    left ^= streamWord(saltBytes, &saltIndex)
                    right ^= streamWord(saltBytes, &saltIndex)
                    encryptBlock(&left, &right, state)
                    state[index] = left
                    state[index + 1] = right
                }
            }
        } else {
            for index in stride(from: 0, to: pWords + sWords, by: 2) {
                encryptBlock(&left, &right, state)
                state[index] = left
                state[index + 1] = right
            }
        }
    }

    /// One 64-bit block through the 16 Feistel rounds.
    @inline(__always)
    private static func encryptBlock(_ left: inout UInt32, _ right: inout UInt32, _ state: UnsafePointer<UInt32>) {
        let s = state + pWords
        var l = left
        var r = right
        var round = 0
        while round < 16 {
            l ^= state[round]
            r ^= ((s[Int(l >> 24)] &+ s[256 + Int((l >> 16) & 0xff)]) ^ s[512 + Int((l >> 8) & 0xff)])
                &+ s[768 + Int(l & 0xff)]
            swap(&l, &r)
            round += 1
        }
        swap(&l, &r)
        r ^= state[16]
        l ^= state[17]
        left = l
        right = r
    }
}
