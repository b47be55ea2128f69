// The checks of cert_check that read one certificate's own fields (validity, EKU, names, key,
// signature digest), apart from the chain, which OpenSSL's verifier judges.
#pragma once

#include <ctime>
#include <string>
#include <vector>

#include "signer/cert_check.hpp"
#include "signer/ossl.hpp"

namespace cucm::signer::fields {

using Problems = std::vector<CertProblem>;

// The subject as tool_name writes it, control bytes escaped (\x0a), so that a problem stays one
// line; "(empty subject)" when it has none.
std::string display_subject(const X509& cert);
std::string display_name(const X509_NAME& name);

// expired / not-yet-valid / bad-validity, with the dates.
void check_validity(const X509& cert, std::time_t at, Problems& out);
// eku-server / eku-client; eku-absent (a warning) when the certificate has no EKU at all.
void check_eku(const X509& cert, CertPurpose purpose, Problems& out);
// host: `host` (a DNS name or an IP address) must be a SAN of the certificate.
void check_host(const X509& cert, const std::string& host, Problems& out);
// subject-too-long (a CN over 64 characters), san-too-long (the SAN text over 999), and for the
// leaf, wildcard.
void check_names(const X509& cert, bool leaf, Problems& out);
// key-too-small: RSA and DSA under 2048 bits, EC under 256.
void check_key(const X509& cert, Problems& out);
// sha1-signature / md5-signature.
void check_signature_digest(const X509& cert, Problems& out);

}  // namespace cucm::signer::fields
