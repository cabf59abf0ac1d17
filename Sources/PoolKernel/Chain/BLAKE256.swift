import Foundation

/// BLAKE-256 (14 rounds, the SHA-3 finalist variant Decred uses for block hashes, checksums and hash160),
/// with optional 16-byte salt.
///
/// Streaming use: `var h = BLAKE256(); h.update(a); h.update(b); let d = h.finalize()`. `finalize()` does
/// not change the hasher, so more data may follow (it returns the digest of everything so far).
/// One-shot: `BLAKE256.hash(bytes)`. No heap allocation happens per block; only the returned array is allocated.
public struct BLAKE256: Sendable {
    /// Digest length in bytes.
    public static let digestLength = 32

    /// The eight 32-bit chain-value words.
    struct ChainValue: Sendable, Equatable {
        var h0: UInt32, h1: UInt32, h2: UInt32, h3: UInt32, h4: UInt32, h5: UInt32, h6: UInt32, h7: UInt32

        /// BLAKE-256's initial value (the SHA-256 IV).
        static let initial = ChainValue(h0: 0x6A09_E667, h1: 0xBB67_AE85, h2: 0x3C6E_F372, h3: 0xA54F_F53A,
                                        h4: 0x510E_527F, h5: 0x9B05_688C, h6: 0x1F83_D9AB, h7: 0x5BE0_CD19)

        /// Writes the 32-byte digest (big-endian words) to `out`.
        func write(to out: UnsafeMutableRawPointer) {
            out.storeBytes(of: h0.bigEndian, toByteOffset: 0, as: UInt32.self)
            out.storeBytes(of: h1.bigEndian, toByteOffset: 4, as: UInt32.self)
            out.storeBytes(of: h2.bigEndian, toByteOffset: 8, as: UInt32.self)
            out.storeBytes(of: h3.bigEndian, toByteOffset: 12, as: UInt32.self)
            out.storeBytes(of: h4.bigEndian, toByteOffset: 16, as: UInt32.self)
            out.storeBytes(of: h5.bigEndian, toByteOffset: 20, as: UInt32.self)
            out.storeBytes(of: h6.bigEndian, toByteOffset: 24, as: UInt32.self)
            out.storeBytes(of: h7.bigEndian, toByteOffset: 28, as: UInt32.self)
        }
    }

    /// The salt as four big-endian words (all zero for Decred consensus hashing).
    struct Salt: Sendable, Equatable {
        var s0: UInt32 = 0, s1: UInt32 = 0, s2: UInt32 = 0, s3: UInt32 = 0
    }

    /// 64 bytes of inline storage for a partial block (a tuple keeps it off the heap).
    typealias BlockBuffer = (UInt64, UInt64, UInt64, UInt64, UInt64, UInt64, UInt64, UInt64)

    var chain = ChainValue.initial
    let salt: Salt
    var buffer: BlockBuffer = (0, 0, 0, 0, 0, 0, 0, 0)
    var bufferCount = 0
    /// Bits of message compressed so far (whole blocks only).
    var compressedBits: UInt64 = 0

    /// A hasher with the zero salt.
    public init() { salt = Salt() }

    /// A hasher with a 16-byte salt; any other length throws `badSalt`.
    public init(salt bytes: [UInt8]) throws {
        guard bytes.count == 16 else {
            throw ChainError(.badSalt, "A BLAKE-256 salt must be 16 bytes, got \(bytes.count).")
        }
        salt = bytes.withUnsafeBytes { raw in
            Salt(s0: UInt32(bigEndian: raw.loadUnaligned(fromByteOffset: 0, as: UInt32.self)),
                 s1: UInt32(bigEndian: raw.loadUnaligned(fromByteOffset: 4, as: UInt32.self)),
                 s2: UInt32(bigEndian: raw.loadUnaligned(fromByteOffset: 8, as: UInt32.self)),
                 s3: UInt32(bigEndian: raw.loadUnaligned(fromByteOffset: 12, as: UInt32.self)))
        }
    }

    /// Feeds bytes into the hash.
    public mutating func update(_ bytes: UnsafeRawBufferPointer) {
        guard var source = bytes.baseAddress, bytes.count > 0 else { return }
        var remaining = bytes.count
        if bufferCount > 0 {
            let take = min(64 - bufferCount, remaining)
            let filled = bufferCount
            withUnsafeMutableBytes(of: &buffer) { $0.baseAddress!.advanced(by: filled).copyMemory(from: source, byteCount: take) }
            bufferCount += take
            source += take
            remaining -= take
            guard bufferCount == 64 else { return }
            compressedBits &+= 512
            let bits = compressedBits, salt = salt
            withUnsafeBytes(of: buffer) { BLAKE256.compress(&chain, block: $0.baseAddress!, counter: bits, salt: salt) }
            bufferCount = 0
        }
        while remaining >= 64 {
            compressedBits &+= 512
            BLAKE256.compress(&chain, block: source, counter: compressedBits, salt: salt)
            source += 64
            remaining -= 64
        }
        if remaining > 0 {
            withUnsafeMutableBytes(of: &buffer) { $0.baseAddress!.copyMemory(from: source, byteCount: remaining) }
            bufferCount = remaining
        }
    }

    /// Feeds bytes into the hash.
    public mutating func update(_ bytes: [UInt8]) { bytes.withUnsafeBytes { update($0) } }

    /// Feeds bytes into the hash.
    public mutating func update(_ data: Data) { data.withUnsafeBytes { update($0) } }

    /// The digest of everything fed so far (the hasher is left unchanged).
    public func finalize() -> [UInt8] {
        [UInt8](unsafeUninitializedCapacity: 32) { out, count in
            finalize(into: UnsafeMutableRawBufferPointer(out).baseAddress!)
            count = 32
        }
    }

    /// Writes the 32-byte digest of everything fed so far to `out`.
    func finalize(into out: UnsafeMutableRawPointer) {
        var state = chain
        let messageBits = compressedBits &+ UInt64(bufferCount) &* 8
        var block: BlockBuffer = buffer
        let used = bufferCount
        withUnsafeMutableBytes(of: &block) { raw in
            let p = raw.baseAddress!
            // Zero what follows the message.
            (p + used).initializeMemory(as: UInt8.self, repeating: 0, count: 64 - used)
            if used <= BLAKE256.oneBlockLimit {
                BLAKE256.compressLastBlock(&state, block: p, used: used, messageBits: messageBits, salt: salt)
            } else {
                // The marker fills this block; the length goes into an extra padding-only block (counter 0).
                p.storeBytes(of: 0x80, toByteOffset: used, as: UInt8.self)
                BLAKE256.compress(&state, block: p, counter: messageBits, salt: salt)
                p.initializeMemory(as: UInt8.self, repeating: 0, count: 64)
                p.storeBytes(of: 0x01, toByteOffset: 55, as: UInt8.self)
                p.storeBytes(of: messageBits.bigEndian, toByteOffset: 56, as: UInt64.self)
                BLAKE256.compress(&state, block: p, counter: 0, salt: salt)
            }
        }
        state.write(to: out)
    }

    /// The digest of a message that fits one block with its padding (≤ 55 bytes: a public key, a checksum's
    /// input, a hash of a hash), zero salt: padded in place and compressed once, without the streaming buffer.
    static func hashOneBlock(_ bytes: UnsafeRawBufferPointer, into out: UnsafeMutableRawPointer) {
        let count = bytes.count
        var block: BlockBuffer = (0, 0, 0, 0, 0, 0, 0, 0)
        withUnsafeMutableBytes(of: &block) { raw in
            let p = raw.baseAddress!
            if let source = bytes.baseAddress, count > 0 { p.copyMemory(from: source, byteCount: count) }
            var state = ChainValue.initial
            BLAKE256.compressLastBlock(&state, block: p, used: count, messageBits: UInt64(count) &* 8, salt: Salt())
            state.write(to: out)
        }
    }

    /// Messages up to this many bytes take `hashOneBlock`; a last block with up to this many bytes also holds the
    /// padding and the length.
    static let oneBlockLimit = 55

    /// Pads a last block holding `used` ≤ 55 message bytes (the rest already zero) — 0x80 marker, final 0x01 bit,
    /// 64-bit length — and compresses it. A block with no message bits gets counter 0.
    @inline(__always)
    private static func compressLastBlock(_ state: inout ChainValue, block p: UnsafeMutableRawPointer, used: Int,
                                          messageBits: UInt64, salt: Salt) {
        p.storeBytes(of: 0x80, toByteOffset: used, as: UInt8.self)
        p.storeBytes(of: p.load(fromByteOffset: 55, as: UInt8.self) | 0x01, toByteOffset: 55, as: UInt8.self)
        p.storeBytes(of: messageBits.bigEndian, toByteOffset: 56, as: UInt64.self)
        compress(&state, block: p, counter: used == 0 ? 0 : messageBits, salt: salt)
    }

    /// BLAKE-256 of `bytes` (zero salt).
    public static func hash(_ bytes: UnsafeRawBufferPointer) -> [UInt8] {
        [UInt8](unsafeUninitializedCapacity: 32) { out, count in
            hash(bytes, into: UnsafeMutableRawBufferPointer(out).baseAddress!)
            count = 32
        }
    }

    /// BLAKE-256 of `bytes` (zero salt).
    public static func hash(_ bytes: [UInt8]) -> [UInt8] { bytes.withUnsafeBytes { hash($0) } }

    /// BLAKE-256 of `data` (zero salt).
    public static func hash(_ data: Data) -> [UInt8] { data.withUnsafeBytes { hash($0) } }

    /// Writes BLAKE-256(`bytes`) to `out` (32 bytes) without allocating.
    static func hash(_ bytes: UnsafeRawBufferPointer, into out: UnsafeMutableRawPointer) {
        if bytes.count <= oneBlockLimit { return hashOneBlock(bytes, into: out) }
        var hasher = BLAKE256()
        hasher.update(bytes)
        hasher.finalize(into: out)
    }

    /// BLAKE256(BLAKE256(bytes)): Decred's checksum hash.
    public static func doubleHash(_ bytes: [UInt8]) -> [UInt8] { hash(hash(bytes)) }
}
