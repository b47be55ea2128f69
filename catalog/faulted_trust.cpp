// Trust-list faults (issue 18): the ITL or CTL of one device as a misbehaving server would serve
// it, built on request and never cached. faulted.cpp says which requests they act on.
#include <ctime>

#include "catalog/catalog.hpp"
#include "catalog/faulted.hpp"
#include "signer/cert.hpp"
#include "signer/cert_builder.hpp"

namespace cucm::catalog {
namespace {

constexpr std::time_t kDay = 24 * 60 * 60;

// sgn-expired-signer: the CallManager certificate as it would be once expired, with nothing else
// changed. Same key, subject and serial: an expired certificate and the one it was are the same
// certificate, and a .sgn names its signer by issuer and serial only (PROTOCOLS §5.1), so the
// device's configs, signed with that key as always, name this copy without being rebuilt; a new
// serial would be another certificate, a renewal. Its validity is as long as the original's and
// ended a day ago, so that a phone whose clock is some hours off still finds it expired.
Result<signer::X509Ptr> expired_copy(const signer::Identity& cm, std::time_t now) {
  std::time_t length = signer::not_after(*cm.cert) - signer::not_before(*cm.cert);
  std::time_t ended = now - kDay;
  return signer::self_signed_copy(*cm.cert, *cm.key, ended - length, ended);
}

}  // namespace

Result<Bytes> Catalog::faulted_trust_list(const Snapshot& s, const fault::Applied& f) const {
  std::string_view n = f.spec->name;
  const db::ClusterSettings& settings = *s.settings.settings;
  if (n == "ctl-in-non-mixed-mode") {
    // The CTL mixed mode would serve, unchanged: that it is served at all is the fault.
    return trust_list(true, s.file.name, settings, TrustTweak{});
  }
  TrustTweak tweak;
  if (n == "itl-without-capf") tweak.without = {signer::Role::Capf};
  if (n == "itl-without-tftp") tweak.without = {signer::Role::Tftp, signer::Role::CcmTftp};
  if (n == "itl-untrusted-signer") {
    CUCM_TRY(tweak.signer, stranger());
  }
  signer::X509Ptr expired;  // built for this request only: never kept, never written
  if (n == "sgn-expired-signer") {
    CUCM_TRY(expired, expired_copy(pki_.identity(signer::PkiRole::CallManager), std::time(nullptr)));
    tweak.callmanager = expired.get();
  }
  CUCM_TRY(Bytes file, trust_list(false, s.file.name, settings, tweak));
  if (n == "itl-bad-signature") return flip_signature(std::move(file), "itl");
  return file;
}

}  // namespace cucm::catalog
