// What a phone can see wrong in the LSC that CAPF gave it (issue 18's capf-lsc-* faults): whether
// real firmware refuses such an LSC is not documented, so our simulator stores it, as a phone that
// checks nothing would, and names what it saw.
#pragma once

#include <optional>
#include <string>

#include <openssl/x509.h>

namespace cucm::phone {

struct LscAnomaly {
  std::string fault;  // the catalog's name of the server fault that causes it, e.g. "capf-lsc-expired"
  std::string why;
};

// The first of: a CN that is not `device`, a validity already over, no clientAuth EKU, an issuer
// that is not `capf` (the ITL's CAPF certificate, the CA of every LSC). Nothing when all is well.
std::optional<LscAnomaly> lsc_anomaly(X509& lsc, X509& capf, const std::string& device);

}  // namespace cucm::phone
