// What the device table keeps of a phone's certificate (CUCM's device.md5hash and its neighbours),
// from the certificate itself: one definition for CAPF's key recording and for `device cert`.
#pragma once

#include <string>

#include <openssl/x509.h>

#include "core/result.hpp"
#include "db/model.hpp"

namespace cucm::capf {

// `type` is "MIC" or "LSC". InvalidArgument when the certificate's public key cannot be read.
Result<db::RecordedCert> recorded_cert(X509& cert, const std::string& type);

}  // namespace cucm::capf
