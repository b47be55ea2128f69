// Paths and the manifest of <data-dir>/pki.
#include "signer/pki_files.hpp"

#include <algorithm>
#include <system_error>

#include <fmt/format.h>

#include "core/encoding.hpp"
#include "core/file_io.hpp"

namespace cucm::signer {
namespace fs = std::filesystem;

fs::path identity_cert_path(const fs::path& dir, PkiRole r) { return dir / fmt::format("{}.pem", pki_role_name(r)); }
fs::path identity_key_path(const fs::path& dir, PkiRole r) { return dir / fmt::format("{}.key", pki_role_name(r)); }
fs::path identity_chain_path(const fs::path& dir, PkiRole r) {
  return dir / fmt::format("{}-chain.pem", pki_role_name(r));
}

Result<bool> pki_file_present(const fs::path& p) {
  std::error_code ec;
  auto st = fs::status(p, ec);
  if (ec && ec != std::errc::no_such_file_or_directory) {
    return make_error(Errc::Unavailable, fmt::format("pki: cannot check {}: {} (errno {})", p.string(), ec.message(), ec.value()));
  }
  return fs::exists(st);
}

namespace {
fs::path manifest_path(const fs::path& dir) { return dir / ClusterPki::kManifestName; }
}  // namespace

Status write_manifest(const fs::path& dir) {
  std::string text;
  for (auto r : kAllPkiRoles) text += fmt::format("{}\n", pki_role_name(r));
  return write_file_atomic(manifest_path(dir), as_bytes(text), 0644);
}

bool PkiManifest::expects(PkiRole r) const {
  return present ? std::find(roles.begin(), roles.end(), r) != roles.end() : !added_later(r);
}

Result<PkiManifest> read_manifest(const fs::path& dir) {
  PkiManifest m;
  CUCM_TRY(m.present, pki_file_present(manifest_path(dir)));
  if (!m.present) return m;
  CUCM_TRY(Bytes bytes, read_file(manifest_path(dir)));
  std::string_view text = as_chars(bytes);
  while (!text.empty()) {
    auto nl = text.find('\n');
    std::string_view line = text.substr(0, nl);
    text = nl == std::string_view::npos ? std::string_view{} : text.substr(nl + 1);
    if (line.empty()) continue;
    auto r = parse_pki_role(line);
    if (!r) return make_error(Errc::InvalidArgument, fmt::format("pki: {}: {}", manifest_path(dir).string(), r.error().message));
    m.roles.push_back(*r);
  }
  return m;
}

}  // namespace cucm::signer
