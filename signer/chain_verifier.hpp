// Certificate chains checked by OpenSSL's own verifier (X509_STORE + X509_verify_cert): the
// trust anchors, any intermediates, and every certificate's validity at a given time. Used
// wherever a peer's certificate decides what we record (CAPF key recording and authentication).
#pragma once

#include <ctime>
#include <memory>
#include <vector>

#include "core/result.hpp"
#include "signer/ossl.hpp"

namespace cucm::signer {

using X509StorePtr = std::unique_ptr<X509_STORE, CDeleter<&X509_STORE_free>>;

class ChainVerifier {
 public:
  ChainVerifier();
  // Trusts `ca` (a copy is kept). A CA need not be self-signed: a manufacturing CA trusted on its
  // own, as CUCM's CAPF-trust holds them, ends a chain (X509_V_FLAG_PARTIAL_CHAIN).
  Status add_anchor(const X509& ca);
  std::size_t anchors() const;
  // Ok when `cert` chains to an anchor, through `intermediates` where needed, and every
  // certificate on the chain is valid at `at`. Otherwise Unauthenticated, saying what OpenSSL
  // found wrong and for which certificate, e.g. "certificate CN=SEP…: self-signed certificate".
  // `error`, when given, receives OpenSSL's X509_V_ERR_* code (X509_V_OK on success), for callers
  // that tell an expired certificate from an untrusted one.
  Status verify(const X509& cert, std::time_t at, const std::vector<X509*>& intermediates = {},
                int* error = nullptr) const;

 private:
  X509StorePtr store_;
};

}  // namespace cucm::signer
