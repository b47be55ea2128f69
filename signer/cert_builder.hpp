// Building certificates: the cluster's self-signed identities, and certificates issued by a CA
// (phone MICs in tests today; LSCs when CAPF lands).
#pragma once

#include <array>
#include <cstdint>
#include <ctime>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "core/result.hpp"
#include "signer/digest.hpp"
#include "signer/ossl.hpp"

namespace cucm::signer {

struct CertRequest {
  // Subject RDNs in order, e.g. {{"CN","cucm-emu"},{"O","cucm-emu Lab"}}.
  std::vector<std::pair<std::string, std::string>> subject;
  int days = 3650;
  HashAlg digest = HashAlg::Sha256;
  bool is_ca = true;  // the mkcert profile (PROTOCOLS §7.1): CA:TRUE, pathlen:0
  int path_len = 0;   // with is_ca: how many CAs may follow; -1 leaves the length open (a root)
  // OpenSSL config-style extension values; empty means "leave out".
  std::string key_usage;
  std::string extended_key_usage = "serverAuth,clientAuth,ipsecEndSystem";
  std::string subject_alt_name;  // e.g. "DNS:cucm-emu" or "URI:SEP001122334455"
  // Given by callers with a clock and a random source of their own (the CAPF engine); by default
  // the certificate starts now and gets a random 16-byte serial.
  std::optional<std::time_t> not_before;
  std::optional<std::array<std::uint8_t, 16>> serial;
};

// The usecallmanager mkcert profile for a key: RSA keys also get keyEncipherment and
// dataEncipherment, EC keys only digitalSignature + keyCertSign + cRLSign.
CertRequest mkcert_profile(const EVP_PKEY& key, std::vector<std::pair<std::string, std::string>> subject,
                           int days, HashAlg digest);

// Self-signed: InvalidArgument for an empty subject or unknown attribute, Internal otherwise.
Result<X509Ptr> make_self_signed(EVP_PKEY& key, const CertRequest& req);

// Issued by `ca` for `subject_key` (only its public half is used); issuer = the CA's subject.
Result<X509Ptr> issue_cert(EVP_PKEY& subject_key, const CertRequest& req, X509& ca, EVP_PKEY& ca_key);

// A copy of `cert` valid from `not_before` to `not_after`, signed again with `key` and the digest
// of the original's signature; subject, serial, public key and extensions are the original's
// (a file fault's expired copy). `key` must be the certificate's own, so a self-signed original
// stays self-signed. The copy of a certificate a CA issued names its own subject as issuer and
// loses its authority key identifier: only that CA could sign it as the original is.
// InvalidArgument when `key` is not the certificate's.
Result<X509Ptr> self_signed_copy(const X509& cert, EVP_PKEY& key, std::time_t not_before, std::time_t not_after);

}  // namespace cucm::signer
