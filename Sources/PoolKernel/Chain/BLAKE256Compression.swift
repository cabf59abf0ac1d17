extension BLAKE256 {
    /// One call of the BLAKE-256 compression function on a 64-byte block: 14 rounds, round r permuting the
    /// message with σ(r mod 10). The permutations are written out below as the rounds' arguments, so after
    /// inlining every message index and constant is a literal and each round is straight-line register arithmetic.
    /// - Parameters:
    ///   - state: the chain value, updated in place.
    ///   - block: 64 readable bytes (any alignment).
    ///   - counter: message bits hashed so far including this block (0 for a padding-only block).
    @inline(__always)
    static func compress(_ state: inout ChainValue, block: UnsafeRawPointer, counter: UInt64, salt: Salt) {
        let m = Message(block)
        let t0 = UInt32(truncatingIfNeeded: counter), t1 = UInt32(truncatingIfNeeded: counter >> 32)
        var v = Work(v0: state.h0, v1: state.h1, v2: state.h2, v3: state.h3,
                     v4: state.h4, v5: state.h5, v6: state.h6, v7: state.h7,
                     v8: salt.s0 ^ constant(0), v9: salt.s1 ^ constant(1), v10: salt.s2 ^ constant(2),
                     v11: salt.s3 ^ constant(3), v12: t0 ^ constant(4), v13: t0 ^ constant(5),
                     v14: t1 ^ constant(6), v15: t1 ^ constant(7))
        // σ0 … σ9, then σ0 … σ3 again.
        v.round(m, (0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15))
        v.round(m, (14, 10, 4, 8, 9, 15, 13, 6, 1, 12, 0, 2, 11, 7, 5, 3))
        v.round(m, (11, 8, 12, 0, 5, 2, 15, 13, 10, 14, 3, 6, 7, 1, 9, 4))
        v.round(m, (7, 9, 3, 1, 13, 12, 11, 14, 2, 6, 5, 10, 4, 0, 15, 8))
        v.round(m, (9, 0, 5, 7, 2, 4, 10, 15, 14, 1, 11, 12, 6, 8, 3, 13))
        v.round(m, (2, 12, 6, 10, 0, 11, 8, 3, 4, 13, 7, 5, 15, 14, 1, 9))
        v.round(m, (12, 5, 1, 15, 14, 13, 4, 10, 0, 7, 6, 3, 9, 2, 8, 11))
        v.round(m, (13, 11, 7, 14, 12, 1, 3, 9, 5, 0, 15, 4, 8, 6, 2, 10))
        v.round(m, (6, 15, 14, 9, 11, 3, 0, 8, 12, 2, 13, 7, 1, 4, 10, 5))
        v.round(m, (10, 2, 8, 4, 7, 6, 1, 5, 15, 11, 9, 14, 3, 12, 13, 0))
        v.round(m, (0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15))
        v.round(m, (14, 10, 4, 8, 9, 15, 13, 6, 1, 12, 0, 2, 11, 7, 5, 3))
        v.round(m, (11, 8, 12, 0, 5, 2, 15, 13, 10, 14, 3, 6, 7, 1, 9, 4))
        v.round(m, (7, 9, 3, 1, 13, 12, 11, 14, 2, 6, 5, 10, 4, 0, 15, 8))
        state.h0 ^= salt.s0 ^ v.v0 ^ v.v8
        state.h1 ^= salt.s1 ^ v.v1 ^ v.v9
        state.h2 ^= salt.s2 ^ v.v2 ^ v.v10
        state.h3 ^= salt.s3 ^ v.v3 ^ v.v11
        state.h4 ^= salt.s0 ^ v.v4 ^ v.v12
        state.h5 ^= salt.s1 ^ v.v5 ^ v.v13
        state.h6 ^= salt.s2 ^ v.v6 ^ v.v14
        state.h7 ^= salt.s3 ^ v.v7 ^ v.v15
    }

    /// BLAKE-256's 16 constants (the first fractional digits of π), by index; a literal index folds to a literal.
    @inline(__always)
    private static func constant(_ index: Int) -> UInt32 {
        switch index {
        case 0: 0x243F_6A88
        case 1: 0x85A3_08D3
        case 2: 0x1319_8A2E
        case 3: 0x0370_7344
        case 4: 0xA409_3822
        case 5: 0x299F_31D0
        case 6: 0x082E_FA98
        case 7: 0xEC4E_6C89
        case 8: 0x4528_21E6
        case 9: 0x38D0_1377
        case 10: 0xBE54_66CF
        case 11: 0x34E9_0C6C
        case 12: 0xC0AC_29B7
        case 13: 0xC97C_50DD
        case 14: 0x3F84_D5B5
        default: 0xB547_0917
        }
    }

    /// The block's 16 big-endian message words.
    private struct Message {
        let m0, m1, m2, m3, m4, m5, m6, m7, m8, m9, m10, m11, m12, m13, m14, m15: UInt32

        @inline(__always)
        init(_ block: UnsafeRawPointer) {
            func word(_ index: Int) -> UInt32 {
                UInt32(bigEndian: block.loadUnaligned(fromByteOffset: 4 * index, as: UInt32.self))
            }
            (m0, m1, m2, m3, m4, m5, m6, m7) = (word(0), word(1), word(2), word(3), word(4), word(5), word(6), word(7))
            (m8, m9, m10, m11, m12, m13, m14, m15) = (word(8), word(9), word(10), word(11), word(12), word(13),
                                                      word(14), word(15))
        }

        /// Word `index` XORed with constant `partner` (a literal pair folds to one register and one literal).
        @inline(__always)
        func word(_ index: Int, xor partner: Int) -> UInt32 {
            let word: UInt32 = switch index {
            case 0: m0
            case 1: m1
            case 2: m2
            case 3: m3
            case 4: m4
            case 5: m5
            case 6: m6
            case 7: m7
            case 8: m8
            case 9: m9
            case 10: m10
            case 11: m11
            case 12: m12
            case 13: m13
            case 14: m14
            default: m15
            }
            return word ^ BLAKE256.constant(partner)
        }
    }

    /// The 16-word working state.
    private struct Work {
        var v0, v1, v2, v3, v4, v5, v6, v7, v8, v9, v10, v11, v12, v13, v14, v15: UInt32

        typealias Permutation = (Int, Int, Int, Int, Int, Int, Int, Int, Int, Int, Int, Int, Int, Int, Int, Int)

        /// One round: G on the four columns, then on the four diagonals; G number i takes message words
        /// σ(2i) and σ(2i+1), each XORed with the other's constant.
        @inline(__always)
        mutating func round(_ m: Message, _ s: Permutation) {
            Self.g(&v0, &v4, &v8, &v12, m.word(s.0, xor: s.1), m.word(s.1, xor: s.0))
            Self.g(&v1, &v5, &v9, &v13, m.word(s.2, xor: s.3), m.word(s.3, xor: s.2))
            Self.g(&v2, &v6, &v10, &v14, m.word(s.4, xor: s.5), m.word(s.5, xor: s.4))
            Self.g(&v3, &v7, &v11, &v15, m.word(s.6, xor: s.7), m.word(s.7, xor: s.6))
            Self.g(&v0, &v5, &v10, &v15, m.word(s.8, xor: s.9), m.word(s.9, xor: s.8))
            Self.g(&v1, &v6, &v11, &v12, m.word(s.10, xor: s.11), m.word(s.11, xor: s.10))
            Self.g(&v2, &v7, &v8, &v13, m.word(s.12, xor: s.13), m.word(s.13, xor: s.12))
            Self.g(&v3, &v4, &v9, &v14, m.word(s.14, xor: s.15), m.word(s.15, xor: s.14))
        }

        @inline(__always)
        static func g(_ a: inout UInt32, _ b: inout UInt32, _ c: inout UInt32, _ d: inout UInt32,
                      _ x: UInt32, _ y: UInt32) {
            a = a &+ b &+ x; d = rotr(d ^ a, 16); c = c &+ d; b = rotr(b ^ c, 12)
            a = a &+ b &+ y; d = rotr(d ^ a, 8); c = c &+ d; b = rotr(b ^ c, 7)
        }

        @inline(__always)
        static func rotr(_ x: UInt32, _ n: UInt32) -> UInt32 { (x &>> n) | (x &<< (32 &- n)) }
    }
}
