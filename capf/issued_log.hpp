// DATA/capf/issued.pem: every LSC the CAPF issued, oldest first, each after a comment line with
// the device, serial and time. Written by the CAPF session, read by `capf issued`.
#pragma once

#include <filesystem>
#include <string>
#include <vector>

#include "core/result.hpp"
#include "signer/ossl.hpp"

namespace cucm::capf {

struct IssuedCert {
  std::string device;  // from the certificate's CN, as CAPF issues it (CN=SEP<MAC>)
  signer::X509Ptr cert;
};

// Appends one certificate. Unavailable naming the file when it cannot be written.
Status append_issued(const std::filesystem::path& data_dir, const std::string& device, const std::string& serial,
                     const std::string& when_utc, X509& cert);
// Every certificate, or only `device`'s when it is not empty; none when the file does not exist.
// Unavailable naming the file when it cannot be read.
Result<std::vector<IssuedCert>> read_issued(const std::filesystem::path& data_dir, const std::string& device = "");

}  // namespace cucm::capf
