// TLS version floor.
#include "signer/tls_versions.hpp"

#include <openssl/err.h>

#include <fmt/format.h>

namespace cucm::signer {

namespace {

int tls_version(const std::string& v) {
  return v == "1.0" ? TLS1_VERSION : v == "1.1" ? TLS1_1_VERSION : v == "1.2" ? TLS1_2_VERSION
         : v == "1.3" ? TLS1_3_VERSION : 0;
}

}  // namespace

Status set_tls_min_version(SSL_CTX& ctx, const std::string& tls_min) {
  int v = tls_version(tls_min);
  if (!v) return make_error(Errc::InvalidArgument, fmt::format("TLS minimum '{}' vs 1.0, 1.1, 1.2 or 1.3", tls_min));
  SSL_CTX_set_min_proto_version(&ctx, v);
  if (v < TLS1_2_VERSION) {
    SSL_CTX_set_security_level(&ctx, 0);
    SSL_CTX_set_cipher_list(&ctx, "DEFAULT:AES128-SHA:@SECLEVEL=0");
  }
  return Ok{};
}

Status set_tls_max_version(SSL_CTX& ctx, const std::string& tls_max, const std::string& ciphers) {
  int v = tls_max.empty() ? 0 : tls_version(tls_max);
  if (!tls_max.empty() && !v) {
    return make_error(Errc::InvalidArgument, fmt::format("TLS maximum '{}' vs 1.0, 1.1, 1.2 or 1.3", tls_max));
  }
  SSL_CTX_set_max_proto_version(&ctx, v);  // 0: the highest this OpenSSL has
  if (v && v < TLS1_2_VERSION) SSL_CTX_set_security_level(&ctx, 0);
  if (!ciphers.empty() && SSL_CTX_set_cipher_list(&ctx, ciphers.c_str()) != 1) {
    return make_error(Errc::InvalidArgument, fmt::format("TLS cipher list '{}' names no suite this OpenSSL has", ciphers));
  }
  return Ok{};
}

bool below_tls_floor(unsigned long e) {
  int reason = ERR_GET_REASON(e);
  return reason == SSL_R_UNSUPPORTED_PROTOCOL || reason == SSL_R_VERSION_TOO_LOW || reason == SSL_R_NO_SHARED_CIPHER;
}

}  // namespace cucm::signer
