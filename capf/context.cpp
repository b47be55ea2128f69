// The CAPF trust store.
#include "capf/context.hpp"

#include <fmt/format.h>

#include "core/file_io.hpp"
#include "signer/cert.hpp"

namespace cucm::capf {

Result<std::vector<signer::X509Ptr>> load_trust_store(const std::filesystem::path& dir) {
  std::vector<signer::X509Ptr> out;
  std::error_code ec;
  if (!std::filesystem::is_directory(dir, ec)) return out;
  for (const auto& e : std::filesystem::directory_iterator(dir, ec)) {
    if (!e.is_regular_file()) continue;
    CUCM_TRY(Bytes bytes, read_file(e.path()));
    auto certs = signer::load_certs(bytes);
    if (!certs) return make_error(Errc::InvalidArgument, fmt::format("capf: trust store file {}: {}", e.path().string(), certs.error().message));
    for (auto& c : *certs) out.push_back(std::move(c));
  }
  return out;
}

}  // namespace cucm::capf
