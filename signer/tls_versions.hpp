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

// The ceiling, for a client that plays old firmware: `tls_max` as above, or "" for the highest
// OpenSSL has. With `ciphers` not empty, the TLS 1.0-1.2 suites are exactly that OpenSSL cipher
// list (a 79xx offers "AES128-SHA": RSA key transport, as in seed 004's capture); at 1.0/1.1 the
// security level drops to 0, as for the floor. InvalidArgument for an unknown version or a list
// that names no suite OpenSSL has.
Status set_tls_max_version(SSL_CTX& ctx, const std::string& tls_max, const std::string& ciphers);

// True when a failed server handshake's OpenSSL error (ERR_get_error's value, which Asio's SSL
// category carries) says the client offered no version or suite the floor allows: almost always
// an old phone below the floor, the usual reason a 79xx gets nothing from a server left at 1.2.
bool below_tls_floor(unsigned long openssl_error);

}  // namespace cucm::signer
