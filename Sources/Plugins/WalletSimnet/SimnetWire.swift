/// Little-endian byte writer for Decred wire serialization.
struct WireWriter {
    var bytes: [UInt8] = []

    init(capacity: Int = 256) { bytes.reserveCapacity(capacity) }

    mutating func u8(_ value: UInt8) { bytes.append(value) }
    mutating func u16(_ value: UInt16) { append(UInt64(value), count: 2) }
    mutating func u32(_ value: UInt32) { append(UInt64(value), count: 4) }
    mutating func u64(_ value: UInt64) { append(value, count: 8) }
    mutating func i64(_ value: Int64) { append(UInt64(bitPattern: value), count: 8) }
    mutating func raw(_ data: [UInt8]) { bytes.append(contentsOf: data) }

    mutating func varInt(_ value: Int) {
        let v = UInt64(value)
        switch v {
        case 0..<0xFD: u8(UInt8(v))
        case 0xFD...0xFFFF: u8(0xFD); u16(UInt16(v))
        case 0x1_0000...0xFFFF_FFFF: u8(0xFE); u32(UInt32(v))
        default: u8(0xFF); u64(v)
        }
    }

    mutating func varBytes(_ data: [UInt8]) {
        varInt(data.count)
        raw(data)
    }

    private mutating func append(_ value: UInt64, count: Int) {
        for index in 0..<count { bytes.append(UInt8(truncatingIfNeeded: value >> UInt64(8 * index))) }
    }
}

/// Bounds-checked little-endian reader; every read throws `SimnetError.deserialization` past the end.
struct WireReader {
    let bytes: [UInt8]
    private(set) var offset = 0

    init(_ bytes: [UInt8]) { self.bytes = bytes }

    var isAtEnd: Bool { offset == bytes.count }

    mutating func u8() throws -> UInt8 { try take(1)[0] }
    mutating func u16() throws -> UInt16 { UInt16(try little(2)) }
    mutating func u32() throws -> UInt32 { UInt32(try little(4)) }
    mutating func u64() throws -> UInt64 { try little(8) }
    mutating func i64() throws -> Int64 { Int64(bitPattern: try little(8)) }

    mutating func varInt() throws -> Int {
        let first = try u8()
        let value: UInt64
        switch first {
        case 0xFD: value = UInt64(try u16())
        case 0xFE: value = UInt64(try u32())
        case 0xFF: value = try u64()
        default: value = UInt64(first)
        }
        guard value <= UInt64(bytes.count) else { throw SimnetError.deserialization("count \(value) exceeds the data") }
        return Int(value)
    }

    mutating func varBytes() throws -> [UInt8] { try take(try varInt()) }

    mutating func take(_ count: Int) throws -> [UInt8] {
        guard count >= 0, bytes.count - offset >= count else {
            throw SimnetError.deserialization("unexpected end of data")
        }
        defer { offset += count }
        return Array(bytes[offset..<offset + count])
    }

    private mutating func little(_ count: Int) throws -> UInt64 {
        let slice = try take(count)
        var value: UInt64 = 0
        for (index, byte) in slice.enumerated() { value |= UInt64(byte) << UInt64(8 * index) }
        return value
    }
}
