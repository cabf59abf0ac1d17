import PoolKernel

/// Builds large HTML fragments (tables of tens of thousands of rows) in a UTF-8 byte buffer: trusted markup
/// appended as is, text HTML-escaped, numbers written in decimal, all without per-piece String temporaries.
struct HTMLByteWriter {
    private(set) var bytes: [UInt8] = []

    init(capacity: Int) { bytes.reserveCapacity(capacity) }

    /// Appends trusted markup.
    mutating func markup(_ text: StaticString) {
        text.withUTF8Buffer { bytes.append(contentsOf: $0) }
    }

    /// Appends trusted markup built at run time.
    mutating func markup(_ text: String) {
        if text.utf8.withContiguousStorageIfAvailable({ bytes.append(contentsOf: $0) }) == nil {
            bytes.append(contentsOf: text.utf8)
        }
    }

    /// Appends `text` HTML-escaped (`& < > " '`); text without those characters is copied in one piece.
    mutating func text(_ text: String) {
        if text.utf8.withContiguousStorageIfAvailable({ escape($0) }) == nil {
            for byte in text.utf8 { HTMLEscaping.append(byte, to: &bytes) }
        }
    }

    private mutating func escape(_ buffer: UnsafeBufferPointer<UInt8>) {
        guard buffer.contains(where: HTMLEscaping.isSpecial) else {
            bytes.append(contentsOf: buffer)
            return
        }
        for byte in buffer { HTMLEscaping.append(byte, to: &bytes) }
    }

    /// Appends a hash's 64 hex characters (HTML-safe as they are).
    mutating func hash(_ hash: TicketHash) { hash.appendHex(to: &bytes) }

    /// Appends already-built markup bytes.
    mutating func markup(bytes markup: [UInt8]) { bytes.append(contentsOf: markup) }

    /// Appends an unsigned number in decimal.
    mutating func decimal(_ value: UInt32) {
        if value < 10 {
            bytes.append(0x30 + UInt8(value))
            return
        }
        var digits: (UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8) = (0, 0, 0, 0, 0, 0, 0, 0, 0, 0)
        var count = 0
        var rest = value
        withUnsafeMutableBytes(of: &digits) { raw in
            while rest > 0 {
                raw[9 - count] = 0x30 + UInt8(rest % 10)
                rest /= 10
                count += 1
            }
            bytes.append(contentsOf: raw[(10 - count)...])
        }
    }

    /// The fragment as a String (one validation pass over the bytes).
    var string: String { String(decoding: bytes, as: UTF8.self) }
}
