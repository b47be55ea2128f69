// TLS protocol floor shared by the CAPF server and the phone side.
#pragma once

#include <string>

#include <openssl/ssl.h>

#include "core/result.hpp"

namespace cucm::signer {

// `tls_min` "1.0", "1.1", "1.2" or "1.3". For 1.0/1.1 the OpenSSL security level drops to 0 so
// the old RSA key-transport suites (AES128-SHA) that 79xx firmware uses still work (seed 004).
// InvalidArgument for another value.
Status set_tls_min_version(SSL_CTX& ctx, const std::string& tls_min);

}  // namespace cucm::signer
