import COpenSSL
import Foundation

/// Which certificates a TLS client trusts.
public enum TLSTrust: Sendable, Equatable {
    /// Only the certificates in this PEM file (one or more), like dcrrpcclient's `walletcert`/`dcrdcert`.
    case certificateFile(String)
    /// Only the certificates in this PEM text.
    case certificatePEM(String)
    /// The operating system's CA store.
    case system
}

/// Settings of a TLS client. TLS 1.2 is the minimum, always.
public struct TLSClientConfiguration: Sendable, Equatable {
    /// The trust anchors.
    public var trust: TLSTrust
    /// Check that the certificate names the host (DNS SAN, or IP SAN for an address). Default true.
    public var verifyHostName: Bool
    /// Verify the peer's certificate chain at all. Default true; false (testing only, e.g. `smtpskipverify`)
    /// accepts any certificate and also skips the host name check.
    public var verifyPeer: Bool

    public init(trust: TLSTrust = .system, verifyHostName: Bool = true, verifyPeer: Bool = true) {
        self.trust = trust
        self.verifyHostName = verifyHostName && verifyPeer
        self.verifyPeer = verifyPeer
    }
}

/// Settings of a TLS server: certificate chain and private key, both PEM files.
public struct TLSServerConfiguration: Sendable, Equatable {
    public var certificateFile: String
    public var privateKeyFile: String
    public init(certificateFile: String, privateKeyFile: String) {
        self.certificateFile = certificateFile
        self.privateKeyFile = privateKeyFile
    }
}

/// Owner of one `SSL_CTX` (freed in deinit). Build it once and share it between connections.
public final class TLSContext: @unchecked Sendable {
    // @unchecked: the SSL_CTX is fully configured in init and only read afterwards (SSL_new is
    // thread-safe on a configured context), so sharing it across threads is safe.
    let context: OpaquePointer
    let isServer: Bool
    let verifyHostName: Bool

    /// A client context trusting exactly `configuration.trust`.
    public init(client configuration: TLSClientConfiguration) throws {
        guard let ctx = SSL_CTX_new(TLS_client_method()) else { throw NetError(.netTLS, "cannot create TLS context: \(OpenSSLErrors.drain())") }
        context = ctx
        isServer = false
        verifyHostName = configuration.verifyHostName && configuration.verifyPeer
        try Self.applyCommonOptions(ctx)
        SSL_CTX_set_verify(ctx, configuration.verifyPeer ? SSL_VERIFY_PEER : SSL_VERIFY_NONE, nil)
        switch configuration.trust {
        case .system:
            guard SSL_CTX_set_default_verify_paths(ctx) == 1 else {
                throw NetError(.netCertificate, "cannot load the system CA store: \(OpenSSLErrors.drain())")
            }
        case .certificateFile(let path):
            guard let data = FileManager.default.contents(atPath: path) else {
                throw NetError(.netCertificate, "cannot read certificate file \(path)")
            }
            try Self.addTrusted(pem: data, to: ctx, source: path)
        case .certificatePEM(let pem):
            try Self.addTrusted(pem: Data(pem.utf8), to: ctx, source: "PEM text")
        }
    }

    /// A server context presenting the given certificate chain and key.
    public init(server configuration: TLSServerConfiguration) throws {
        guard let ctx = SSL_CTX_new(TLS_server_method()) else { throw NetError(.netTLS, "cannot create TLS context: \(OpenSSLErrors.drain())") }
        context = ctx
        isServer = true
        verifyHostName = false
        try Self.applyCommonOptions(ctx)
        guard SSL_CTX_use_certificate_chain_file(ctx, configuration.certificateFile) == 1 else {
            throw NetError(.netCertificate, "cannot load certificate \(configuration.certificateFile): \(OpenSSLErrors.drain())")
        }
        guard SSL_CTX_use_PrivateKey_file(ctx, configuration.privateKeyFile, SSL_FILETYPE_PEM) == 1 else {
            // The OpenSSL message may quote file content; keep only the file name.
            _ = OpenSSLErrors.drain()
            throw NetError(.netCertificate, "cannot load private key \(configuration.privateKeyFile)")
        }
        guard SSL_CTX_check_private_key(ctx) == 1 else {
            _ = OpenSSLErrors.drain()
            throw NetError(.netCertificate, "private key \(configuration.privateKeyFile) does not match the certificate")
        }
    }

    deinit { SSL_CTX_free(context) }

    private static func applyCommonOptions(_ ctx: OpaquePointer) throws {
        guard copenssl_ctx_set_min_proto_version(ctx, TLS1_2_VERSION) == 1 else {
            throw NetError(.netTLS, "cannot set the minimum TLS version")
        }
        // Partial writes + moving buffers let the non-blocking writer retry from its own buffer;
        // a peer that closes without close_notify (Go servers do) is an ordinary EOF.
        _ = copenssl_ctx_set_mode(ctx, Int(SSL_MODE_ENABLE_PARTIAL_WRITE | SSL_MODE_ACCEPT_MOVING_WRITE_BUFFER))
        SSL_CTX_set_options(ctx, copenssl_op_ignore_unexpected_eof() | copenssl_op_no_compression())
    }

    private static func addTrusted(pem: Data, to ctx: OpaquePointer, source: String) throws {
        guard let store = SSL_CTX_get_cert_store(ctx) else { throw NetError(.netTLS, "no certificate store") }
        let count = try pem.withUnsafeBytes { raw -> Int in
            guard let bio = BIO_new_mem_buf(raw.baseAddress, Int32(raw.count)) else {
                throw NetError(.netCertificate, "cannot read \(source)")
            }
            defer { BIO_free(bio) }
            var added = 0
            while let cert = PEM_read_bio_X509(bio, nil, nil, nil) {
                defer { X509_free(cert) }
                guard X509_STORE_add_cert(store, cert) == 1 else {
                    throw NetError(.netCertificate, "cannot trust a certificate from \(source): \(OpenSSLErrors.drain())")
                }
                added += 1
            }
            _ = OpenSSLErrors.drain() // the loop ends with a "no start line" error
            return added
        }
        guard count > 0 else { throw NetError(.netCertificate, "no PEM certificate found in \(source)") }
    }
}

/// Reads and clears OpenSSL's thread-local error queue.
enum OpenSSLErrors {
    static func drain() -> String {
        var messages: [String] = []
        while true {
            let code = ERR_get_error()
            if code == 0 { break }
            var buffer = [CChar](repeating: 0, count: 256)
            ERR_error_string_n(code, &buffer, buffer.count)
            messages.append(String(decoding: buffer.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self))
        }
        return messages.isEmpty ? "unknown TLS error" : messages.joined(separator: "; ")
    }
}
