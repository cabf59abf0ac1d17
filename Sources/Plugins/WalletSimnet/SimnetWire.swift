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
