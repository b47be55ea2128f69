// VPN group rows: certHash1 ... certHash10 are columns cert_hash1 ... cert_hash10 (migration 010).
#include "db/vpn_store.hpp"

#include <fmt/format.h>

#include "core/encoding.hpp"
#include "db/rows.hpp"

namespace cucm::db {
namespace {

Status validate_hashes(const VpnGroup& g) {
  std::size_t size = vpn_hash_size(g.hash_alg);
  if (size == 0) {
    return make_error(Errc::InvalidArgument, fmt::format("vpn group hash algorithm '{}' vs sha1 or sha512", g.hash_alg));
  }
  if (g.cert_hashes.size() > kMaxVpnCertHashes) {
    return make_error(Errc::InvalidArgument, fmt::format("vpn group '{}' has {} certificate hashes vs at most {} "
                                                         "(certHash1 ... certHash10)",
                                                         g.name, g.cert_hashes.size(), kMaxVpnCertHashes));
  }
  for (std::size_t i = 0; i < g.cert_hashes.size(); ++i) {
    const std::string& h = g.cert_hashes[i];
    auto bytes = from_base64(h);
    if (!bytes || h.empty() || to_base64(*bytes) != h) {
      return make_error(Errc::InvalidArgument, fmt::format("certHash{} '{}' is not base64", i + 1, h));
    }
    if (bytes->size() != size) {
      return make_error(Errc::InvalidArgument,
                        fmt::format("certHash{} '{}' is {} bytes vs {} for {} (the {} of the headend certificate's DER)", i + 1,
                                    h, bytes->size(), size, g.hash_alg, g.hash_alg == "sha1" ? "SHA-1" : "SHA-512"));
    }
  }
  return Ok{};
}

}  // namespace

std::size_t vpn_hash_size(std::string_view hash_alg) {
  return hash_alg == "sha1" ? 20 : hash_alg == "sha512" ? 64 : 0;
}

Status VpnStore::put(const VpnGroup& g) {
  if (g.name.empty() || g.url.empty()) return make_error(Errc::InvalidArgument, "vpn group needs a name and a URL");
  CUCM_CHECK(validate_text("vpn group name", g.name, 64));
  CUCM_CHECK(validate_text("vpn URL", g.url, 255));
  CUCM_CHECK(validate_hashes(g));
  CUCM_TRY(auto s, db_.prepare(
                       "INSERT INTO vpn_group (name, url, hash_alg, cert_hash1, cert_hash2, cert_hash3, cert_hash4, "
                       "cert_hash5, cert_hash6, cert_hash7, cert_hash8, cert_hash9, cert_hash10) "
                       "VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13) "
                       "ON CONFLICT (name) DO UPDATE SET url = excluded.url, hash_alg = excluded.hash_alg, "
                       "cert_hash1 = excluded.cert_hash1, cert_hash2 = excluded.cert_hash2, "
                       "cert_hash3 = excluded.cert_hash3, cert_hash4 = excluded.cert_hash4, "
                       "cert_hash5 = excluded.cert_hash5, cert_hash6 = excluded.cert_hash6, "
                       "cert_hash7 = excluded.cert_hash7, cert_hash8 = excluded.cert_hash8, "
                       "cert_hash9 = excluded.cert_hash9, cert_hash10 = excluded.cert_hash10"));
  s.bind(1, std::string_view(g.name)).bind(2, std::string_view(g.url)).bind(3, std::string_view(g.hash_alg));
  for (std::size_t i = 0; i < kMaxVpnCertHashes; ++i) {
    // "" and not std::string_view(): a view without data binds NULL.
    s.bind(static_cast<int>(i) + 4, i < g.cert_hashes.size() ? std::string_view(g.cert_hashes[i]) : std::string_view(""));
  }
  return s.run();
}

Result<VpnGroup> VpnStore::get(std::string_view name) const {
  CUCM_TRY(auto s, db_.prepare(fmt::format("SELECT {} FROM vpn_group v WHERE v.name = ?1", rows::kVpnColumns)));
  s.bind(1, name);
  CUCM_TRY(bool row, s.step());
  if (!row) return make_error(Errc::NotFound, fmt::format("unknown vpn group '{}' (see 'cucm-emu vpn list')", name));
  return rows::vpn_group(s);
}

Result<std::vector<VpnGroup>> VpnStore::list() const {
  CUCM_TRY(auto s, db_.prepare(fmt::format("SELECT {} FROM vpn_group v ORDER BY v.name", rows::kVpnColumns)));
  std::vector<VpnGroup> out;
  while (true) {
    CUCM_TRY(bool row, s.step());
    if (!row) return out;
    out.push_back(rows::vpn_group(s));
  }
}

Status VpnStore::remove(std::string_view name) {
  CUCM_TRY(auto used, db_.prepare("SELECT count(*) FROM device WHERE vpn_group = ?1"));
  used.bind(1, name);
  CUCM_TRY(bool row, used.step());
  if (row && used.int64(0) > 0) {
    return make_error(Errc::PermissionDenied, fmt::format("vpn group '{}' is used by {} device(s)", name, used.int64(0)));
  }
  CUCM_TRY(auto s, db_.prepare("DELETE FROM vpn_group WHERE name = ?1"));
  s.bind(1, name);
  CUCM_CHECK(s.run());
  if (db_.changes() == 0) return make_error(Errc::NotFound, fmt::format("unknown vpn group '{}'", name));
  return Ok{};
}

}  // namespace cucm::db
