// TLS version floor.
#include "signer/tls_versions.hpp"

#include <fmt/format.h>

namespace cucm::signer {

Status set_tls_min_version(SSL_CTX& ctx, const std::string& tls_min) {
  int v = tls_min == "1.0" ? TLS1_VERSION : tls_min == "1.1" ? TLS1_1_VERSION : tls_min == "1.2" ? TLS1_2_VERSION
          : tls_min == "1.3" ? TLS1_3_VERSION : 0;
  if (!v) return make_error(Errc::InvalidArgument, fmt::format("TLS minimum '{}' vs 1.0, 1.1, 1.2 or 1.3", tls_min));
  SSL_CTX_set_min_proto_version(&ctx, v);
  if (v < TLS1_2_VERSION) {
    SSL_CTX_set_security_level(&ctx, 0);
    SSL_CTX_set_cipher_list(&ctx, "DEFAULT:AES128-SHA:@SECLEVEL=0");
  }
  return Ok{};
}

}  // namespace cucm::signer
