#ifndef COPENSSL_SHIM_H
#define COPENSSL_SHIM_H
// OpenSSL 3 headers used by the pool. Function-like macros and variadic calls that Swift
// cannot import are wrapped below as `copenssl_` inline functions.
#include <openssl/ssl.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/ec.h>
#include <openssl/bn.h>
#include <openssl/hmac.h>
#include <openssl/rand.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>
#include <openssl/pem.h>
#include <openssl/obj_mac.h>
#include <openssl/crypto.h>

/// OPENSSL_free is a macro.
static inline void copenssl_free(void *ptr) { OPENSSL_free(ptr); }
/// SSL_set_tlsext_host_name is a macro over SSL_ctrl.
static inline long copenssl_set_tlsext_host_name(SSL *ssl, const char *name) {
    return SSL_set_tlsext_host_name(ssl, name);
}
/// SSL_CTX_set_min_proto_version is a macro over SSL_CTX_ctrl.
static inline long copenssl_ctx_set_min_proto_version(SSL_CTX *ctx, int version) {
    return SSL_CTX_set_min_proto_version(ctx, version);
}
/// SSL_CTX_set_mode / SSL_set_mode are macros.
static inline long copenssl_ctx_set_mode(SSL_CTX *ctx, long mode) { return SSL_CTX_set_mode(ctx, mode); }
/// BIO_get_mem_data is a macro.
static inline long copenssl_bio_get_mem_data(BIO *bio, char **pp) { return BIO_get_mem_data(bio, pp); }

/// SSL_OP_* options are macros over a shift (not importable); these are the ones PoolNet sets.
static inline uint64_t copenssl_op_ignore_unexpected_eof(void) { return SSL_OP_IGNORE_UNEXPECTED_EOF; }
static inline uint64_t copenssl_op_no_compression(void) { return SSL_OP_NO_COMPRESSION; }
/// EVP_EC_gen is a macro over the variadic EVP_PKEY_Q_keygen.
static inline EVP_PKEY *copenssl_ec_gen(const char *curve) { return EVP_EC_gen(curve); }

/// Precomputes multiples of the group's generator so `EC_POINT_mul(g, r, k, P, 1, ctx)` takes OpenSSL's
/// windowed (wNAF) path with the table instead of a full ladder. Deprecated in OpenSSL 3 but still the
/// only public way to build the table; the warning is silenced here, in one place.
static inline int copenssl_ec_group_precompute_mult(EC_GROUP *group, BN_CTX *ctx) {
#pragma clang diagnostic push
#pragma clang diagnostic ignored "-Wdeprecated-declarations"
    return EC_GROUP_precompute_mult(group, ctx);
#pragma clang diagnostic pop
}

/// Returns `x` unchanged, but the optimizer can no longer see what it is: the masks of the constant-time secp256k1
/// code (`ConstantTimeField`) pass through it, so the compiler cannot prove a mask is 0 or all ones and turn the
/// masked selection back into a branch on secret data. Not OpenSSL's, but the one C header the kernel has.
static inline uint64_t copenssl_value_barrier_u64(uint64_t x) {
    __asm__("" : "+r"(x));
    return x;
}

#endif
