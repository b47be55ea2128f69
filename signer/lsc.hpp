// Issuing a phone's Locally Significant Certificate (PROTOCOLS §3.8).
#pragma once

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

}  // namespace cucm::signer
