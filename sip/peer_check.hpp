// What a TLS peer's certificate is to the registrar: checked against the phones' anchors (the CAPF
// certificate, which issues LSCs, and CAPF-trust, which holds the manufacturers' CAs of MICs) and
// against the trunks' (CallManager-trust, seed 003), once per connection after the handshake.
#pragma once

#include <ctime>
#include <vector>

#include <openssl/ssl.h>

#include "core/result.hpp"
#include "signer/chain_verifier.hpp"
#include "signer/ossl.hpp"
#include "sip/proto/registrar.hpp"

namespace cucm::sip {

class PeerCheck {
 public:
  // `capf`: the cluster's CAPF certificate; `capf_trust`, `callmanager_trust`: the stores' certificates.
  static Result<PeerCheck> make(const X509& capf, const std::vector<signer::X509Ptr>& capf_trust,
                                const std::vector<signer::X509Ptr>& callmanager_trust);

  // What a check verifies: the registrar skips the trunk anchors for a phone's certificate (it
  // admits phones first); the trunk ping needs the trunk verdict whatever the phones' is.
  enum class Scope { PhoneFirst, Both };
  // The peer's certificate after a handshake, or nullopt when it sent none.
  std::optional<PeerCertificate> check(SSL& ssl, std::time_t now, Scope scope = Scope::PhoneFirst) const;
  // The same for a certificate and its intermediates.
  PeerCertificate check(const X509& cert, const std::vector<X509*>& intermediates, std::time_t now,
                        Scope scope = Scope::PhoneFirst) const;

  // Every anchor's subject, for the CertificateRequest's list of acceptable CAs.
  const std::vector<signer::X509Ptr>& anchors() const { return all_; }

 private:
  PeerCheck() = default;
  signer::X509Ptr capf_;
  std::vector<signer::X509Ptr> all_;
  // shared_ptr: a PeerCheck is copied into the server's shared state; the stores are immutable.
  std::shared_ptr<signer::ChainVerifier> phones_, trunks_;
};

}  // namespace cucm::sip
