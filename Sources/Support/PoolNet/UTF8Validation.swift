/// Whether bytes are well-formed UTF-8, without building a `String` of them.
///
/// `String(validating:as:)` copies what it checks into a new string: for a 260 MB `listscripts` reply that is a
/// second 260 MB at the start-up sync's peak, only to be dropped. This reads the bytes in place: a word at a time
/// while they are ASCII (JSON nearly always is), and through the standard library's UTF-8 parser otherwise.
enum UTF8Validation {
    static func isValid(_ bytes: [UInt8]) -> Bool {
        bytes.withUnsafeBufferPointer { isValid($0) }
    }

    static func isValid(_ bytes: UnsafeBufferPointer<UInt8>) -> Bool {
        guard let base = bytes.baseAddress else { return true }
        let raw = UnsafeRawPointer(base)
        let highBits: UInt64 = 0x8080_8080_8080_8080
        var index = 0
        while index + 8 <= bytes.count, raw.loadUnaligned(fromByteOffset: index, as: UInt64.self) & highBits == 0 {
            index += 8
        }
        while index < bytes.count, bytes[index] < 0x80 { index += 1 }
        if index == bytes.count { return true }
        // Not all ASCII: the standard library's parser, scalar by scalar, from the first byte that is not ASCII.
        var iterator = UnsafeBufferPointer(rebasing: bytes[index...]).makeIterator()
        var parser = Unicode.UTF8.ForwardParser()
        while true {
            switch parser.parseScalar(from: &iterator) {
            case .valid: continue
            case .emptyInput: return true
            case .error: return false
            }
        }
    }
}
