// The lab's stand-in for Cisco's manufacturing CA. Real phones carry a MIC signed by Cisco; the
// simulator's phones carry one signed by this CA, which CAPF trusts like any CA in its trust
// store. So simulated phones take the same path real ones do: CAPF records a key only from a
// certificate that chains to a trusted CA (issue 16, item 2).
//
// Files: <data_dir>/lab-manufacturing/ca.pem and ca.key (0600, folder 0700). serve puts the
// certificate in the CAPF-trust store at start (cluster/trust_stores.hpp).
#pragma once

#include <ctime>
#include <filesystem>
#include <string>

#include "core/result.hpp"
#include "signer/ossl.hpp"

namespace cucm::signer {

struct LabManufacturer {
  X509Ptr cert;
  PkeyPtr key;

  // <data_dir>/lab-manufacturing, which holds ca.pem and ca.key.
  static std::filesystem::path folder(const std::filesystem::path& data_dir);

  // Loads the CA from `data_dir`, making it on first use (two processes making it at once end
  // with the same one).
  static Result<LabManufacturer> open(const std::filesystem::path& data_dir);

  // A MIC for `device` over `phone_key`'s public half: CN=<device>, ten years from `now`.
  Result<X509Ptr> issue_mic(EVP_PKEY& phone_key, const std::string& device, std::time_t now) const;
};

}  // namespace cucm::signer
