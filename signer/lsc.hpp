// Issuing a phone's Locally Significant Certificate (PROTOCOLS §3.8).
#pragma once

#include <array>
#include <cstdint>
#include <ctime>
#include <string>

#include "core/bytes.hpp"
#include "core/result.hpp"
#include "signer/ossl.hpp"

namespace cucm::signer {

// Subject CN=<device> followed by the CA subject's O, OU, L, ST and C in the CA's order; issuer
// = the CA's subject; 16-byte random serial; valid from now for `days` (1..3650); SHA-256;
// CA:FALSE, keyUsage digitalSignature+keyEncipherment, EKU serverAuth, clientAuth, ipsecEndSystem,
// SAN URI:<device>. `phone_key` is the public key the phone sent (RSA or EC).
// InvalidArgument for a validity out of range.
Result<X509Ptr> issue_lsc(const std::string& device, EVP_PKEY& phone_key, X509& ca, EVP_PKEY& ca_key, int days);
inline constexpr const char* kLscExtendedKeyUsage = "serverAuth,clientAuth,ipsecEndSystem";
// The same, starting at `not_before` with the given serial (for callers with their own clock and
// random source), and the EKU given (a fault scenario leaves clientAuth out).
Result<X509Ptr> issue_lsc(const std::string& device, EVP_PKEY& phone_key, X509& ca, EVP_PKEY& ca_key, int days,
                          std::time_t not_before, const std::array<std::uint8_t, 16>& serial,
                          const std::string& extended_key_usage = kLscExtendedKeyUsage);

}  // namespace cucm::signer
