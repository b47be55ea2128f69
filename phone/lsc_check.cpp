// The LSC's subject, dates, EKU and issuer, as a phone can check them.
#include "phone/lsc_check.hpp"

#include <fmt/format.h>
#include <openssl/x509v3.h>

#include "signer/cert.hpp"

namespace cucm::phone {
namespace {

std::string common_name(X509& cert) {
  char cn[256] = {};
  int n = X509_NAME_get_text_by_NID(X509_get_subject_name(&cert), NID_commonName, cn, sizeof cn);
  return n < 0 ? std::string() : std::string(cn, static_cast<std::size_t>(n));
}

}  // namespace

std::optional<LscAnomaly> lsc_anomaly(X509& lsc, X509& capf, const std::string& device) {
  if (std::string cn = common_name(lsc); cn != device) {
    return LscAnomaly{"capf-lsc-wrong-cn", fmt::format("the LSC names {}, not me ({})", cn.empty() ? "no one" : cn, device)};
  }
  if (X509_cmp_current_time(X509_get0_notAfter(&lsc)) <= 0) {
    return LscAnomaly{"capf-lsc-expired", "the LSC's validity is already over"};
  }
  // Without the extension every use is allowed; with it, SIP over TLS needs clientAuth.
  bool has_eku = (X509_get_extension_flags(&lsc) & EXFLAG_XKUSAGE) != 0;
  if (has_eku && (X509_get_extended_key_usage(&lsc) & XKU_SSL_CLIENT) == 0) {
    return LscAnomaly{"capf-lsc-wrong-eku", "the LSC has no clientAuth extended key usage: SIP over TLS will fail"};
  }
  if (X509_check_issued(&capf, &lsc) != X509_V_OK) {
    return LscAnomaly{"capf-lsc-unknown-ca",
                      fmt::format("the LSC is issued by {}, not by the CAPF certificate of my ITL ({})",
                                  signer::issuer_name(lsc), signer::subject_name(capf))};
  }
  return std::nullopt;
}

}  // namespace cucm::phone
