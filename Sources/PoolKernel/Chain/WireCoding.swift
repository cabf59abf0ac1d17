/// Bounds-checked little-endian reading of dcrd's wire encoding. Every read past the end, and every count that
/// could not fit in the bytes left, throws `badTransaction`, so hostile input never allocates more than its size.
struct WireReader {
    let bytes: [UInt8]
    private(set) var offset = 0

    init(_ bytes: [UInt8]) { self.bytes = bytes }

    var remaining: Int { bytes.count - offset }

    mutating func u8() throws -> UInt8 {
        let byte = try take(1)
        return byte[byte.startIndex]
    }
    mutating func u16() throws -> UInt16 { UInt16(try little(2)) }
    mutating func u32() throws -> UInt32 { UInt32(try little(4)) }
    mutating func i64() throws -> Int64 { Int64(bitPattern: try little(8)) }

    mutating func take(_ count: Int) throws -> ArraySlice<UInt8> {
        guard count >= 0, count <= remaining else {
            throw ChainError(.badTransaction, "The transaction ends early (at byte \(bytes.count)).")
        }
        defer { offset += count }
        return bytes[offset..<(offset + count)]
    }

    /// A canonical CompactSize (dcrd refuses a longer encoding than the value needs).
    mutating func varInt() throws -> UInt64 {
        let first = try u8()
        let (value, minimum): (UInt64, UInt64)
        switch first {
        case 0xFD: (value, minimum) = (try little(2), 0xFD)
        case 0xFE: (value, minimum) = (try little(4), 0x1_0000)
        case 0xFF: (value, minimum) = (try little(8), 0x1_0000_0000)
        default: return UInt64(first)
        }
        guard value >= minimum else {
            throw ChainError(.badTransaction, "The transaction has a non-canonical variable-length integer.")
        }
        return value
    }

    /// An item count where each item takes at least `minimumItemSize` bytes.
    mutating func count(minimumItemSize: Int, of what: String) throws -> Int {
        let value = try varInt()
        guard value <= UInt64(remaining / minimumItemSize) else {
            throw ChainError(.badTransaction, "The transaction claims \(value) \(what), more than its bytes can hold.")
        }
        return Int(value)
    }

    /// Length-prefixed bytes (a script).
    mutating func varBytes() throws -> [UInt8] {
        let length = try count(minimumItemSize: 1, of: "script bytes")
        return Array(try take(length))
    }

    private mutating func little(_ count: Int) throws -> UInt64 {
        try take(count).reversed().reduce(0) { $0 << 8 | UInt64($1) }
    }
}

/// Little-endian writing of dcrd's wire encoding.
struct WireWriter {
    private(set) var bytes: [UInt8] = []

    mutating func u8(_ value: UInt8) { bytes.append(value) }
    mutating func u16(_ value: UInt16) { little(UInt64(value), 2) }
    mutating func u32(_ value: UInt32) { little(UInt64(value), 4) }
    mutating func i64(_ value: Int64) { little(UInt64(bitPattern: value), 8) }
    mutating func raw(_ data: some Sequence<UInt8>) { bytes.append(contentsOf: data) }
    mutating func varInt(_ value: Int) { bytes += WireVarInt.encode(UInt64(value)) }
    mutating func varBytes(_ data: [UInt8]) {
        varInt(data.count)
        raw(data)
    }

    private mutating func little(_ value: UInt64, _ count: Int) {
        for index in 0..<count { bytes.append(UInt8(truncatingIfNeeded: value >> UInt64(8 * index))) }
    }
}

/// Decred's wire CompactSize integers (dcrd `wire.WriteVarInt`).
public enum WireVarInt {
    public static func encode(_ value: UInt64) -> [UInt8] {
        func little(_ value: UInt64, _ count: Int) -> [UInt8] { (0..<count).map { UInt8(truncatingIfNeeded: value >> UInt64(8 * $0)) } }
        switch value {
        case ..<0xFD: return [UInt8(value)]
        case ...0xFFFF: return [0xFD] + little(value, 2)
        case ...0xFFFF_FFFF: return [0xFE] + little(value, 4)
        default: return [0xFF] + little(value, 8)
        }
    }
}
