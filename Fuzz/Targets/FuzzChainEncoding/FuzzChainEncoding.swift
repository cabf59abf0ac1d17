// libFuzzer target: base58, base58check, address, extended-key and WIF decoding, DER and compact signatures
// (PoolKernel/Chain).
// Input: byte 0 picks the mode; the rest is either text to decode (even mode), or raw bytes that are
// base58check-encoded first (odd mode), so the decoders past the checksum (address IDs, key shapes,
// curve points) see inputs a random string almost never reaches.
// Checks: errors are ChainError; base58 decode∘encode and encode∘decode are identities; a decoded address
// re-decodes from its own text to an equal address; a parsed extended key serializes to the same text.
@testable import PoolKernel

private func requireChainError(_ body: () throws -> Void) {
    do { try body() } catch { precondition(error is ChainError, "threw \(type(of: error)): \(error)") }
}

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzChainEncoding(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    let input = UnsafeBufferPointer(start: data, count: size)
    guard let mode = input.first else { return 0 }
    let rest = Array(input.dropFirst())

    // Raw bytes survive a base58 round trip (leading zeros included).
    let rawText = Base58.encode(rest)
    precondition((try? Base58.decode(rawText)) == rest, "base58 decode(encode(x)) != x")

    let text: String
    if mode & 1 == 1 {
        text = Base58Check.encode(raw: rest)
        if rest.count >= 2 {  // decodeRaw wants at least 6 bytes with the checksum
            precondition((try? Base58Check.decodeRaw(text)) == rest, "base58check decodeRaw(encode(raw: x)) != x")
        }
    } else {
        text = String(decoding: rest, as: UTF8.self)
        requireChainError {
            let bytes = try Base58.decode(text)
            precondition(Base58.encode(bytes) == text, "base58 encode(decode(t)) != t")
        }
        requireChainError { _ = try Base58Check.decode(text) }
    }

    requireChainError {
        let address = try Address.decode(text, anyOf: NetParams.allBuiltIn)
        guard let network = NetParams.allBuiltIn.first(where: { $0.name == address.networkName }) else {
            preconditionFailure("decoded address names an unknown network \(address.networkName)")
        }
        let again = try Address.decode(address.encoded, network: network)
        precondition(again == address, "address re-decode differs")
        _ = address.paymentScript
    }
    for network in NetParams.allBuiltIn {
        requireChainError {
            let key = try ExtendedPublicKey(parsing: text, network: network)
            precondition(key.serialized() == text, "extended key does not serialize to its own text")
            _ = try key.child(0)
        }
    }
    fuzzKeysAndSignatures(text: text, raw: mode & 1 == 1 ? rest : nil)
    return 0
}

/// WIF keys (vsp24): the text as given, or (odd mode) the raw bytes with their single-BLAKE-256 checksum so the
/// network and key checks are reached; then the raw bytes as a DER and as a compact signature.
private func fuzzKeysAndSignatures(text: String, raw: [UInt8]?) {
    let wifText = raw.map { Base58.encode($0 + BLAKE256.hash($0).prefix(4)) } ?? text
    for network in NetParams.allBuiltIn {
        requireChainError {
            let key = try WIF.decode(wifText, network: network)
            let again = try WIF(privateKey: key.privateKey, signatureType: key.signatureType, network: network)
            precondition(again == key, "WIF does not re-encode to its own text")
            _ = try key.publicKey()
        }
    }
    guard let raw else { return }
    if case .success(let signature) = ECDSASignature.parseDER(raw) {
        let again = try? ECDSASignature(der: signature.der)
        precondition(again?.r == signature.r, "DER re-parse lost R")
    }
    requireChainError {
        let (key, _) = try CompactSignature.recoverPublicKey(signature: raw, hash: BLAKE256.hash(raw))
        precondition(Secp256k1.isValidPublicKey(key), "recovered an invalid key")
    }
    // The first 65 bytes with a valid recovery code, so most inputs reach the curve arithmetic: the fixed-width
    // Swift recovery and the OpenSSL reference recover the same key or refuse with the same defect.
    if raw.count >= 65 {
        let compact = [27 + raw[0] & 7] + raw[1..<65], hash = BLAKE256.hash(raw)
        let ours = Result { try CompactSignature.recoverPublicKey(signature: compact, hash: hash) }
        let reference = Result { try CompactSignature.recoverPublicKeyWithOpenSSL(signature: compact, hash: hash) }
        switch (ours, reference) {
        case (.success(let a), .success(let b)):
            precondition(a.publicKey == b.publicKey && a.compressed == b.compressed, "recovery differs from OpenSSL")
        case (.failure(let a), .failure(let b)):
            precondition((a as? ChainError)?.message == (b as? ChainError)?.message, "recovery refuses unlike OpenSSL")
        default:
            preconditionFailure("recovery succeeds where OpenSSL refuses, or the other way")
        }
    }
}
