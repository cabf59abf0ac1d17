import COpenSSL

/// An owned OpenSSL `BIGNUM` in secure memory, cleared and freed with its owner.
final class BigNumber {
    let pointer: OpaquePointer

    init() throws {
        guard let pointer = BN_secure_new() else { throw ChainError(.cryptoFailure, "Out of memory.") }
        self.pointer = pointer
    }

    /// A big-endian unsigned number.
    convenience init(_ bytes: [UInt8]) throws {
        try self.init()
        guard BN_bin2bn(bytes, Int32(bytes.count), pointer) != nil else {
            throw ChainError(.cryptoFailure, "Out of memory.")
        }
    }

    /// Takes ownership of a `BIGNUM` the caller would otherwise free with `BN_clear_free`.
    init(owning pointer: OpaquePointer) { self.pointer = pointer }

    deinit { BN_clear_free(pointer) }

    /// The value as 32 big-endian bytes (it must fit).
    func bytes32() throws -> [UInt8] {
        var out = [UInt8](repeating: 0, count: 32)
        guard BN_bn2binpad(pointer, &out, 32) == 32 else { throw ChainError(.cryptoFailure, "Scalar serialization failed.") }
        return out
    }
}
