// TVS trust rows from certificates and the cluster PKI.
#include "tvs/trust.hpp"

#include <algorithm>

#include <fmt/format.h>

#include "core/encoding.hpp"
#include "signer/cert.hpp"

namespace cucm::tvs {

namespace {

constexpr std::string_view kRoleNames = "SAST, CCM, CCM+TFTP, TFTP, CAPF, APP-SERVER, TVS";

}  // namespace

std::string roles_text(std::vector<signer::Role> roles) {
  std::sort(roles.begin(), roles.end());
  roles.erase(std::unique(roles.begin(), roles.end()), roles.end());
  std::string out;
  for (auto r : roles) {
    if (!out.empty()) out += ',';
    out += signer::role_name(static_cast<std::uint16_t>(r));
  }
  return out;
}

Result<std::vector<signer::Role>> parse_roles(std::string_view text) {
  std::vector<signer::Role> out;
  while (!text.empty()) {
    auto comma = text.find(',');
    auto name = text.substr(0, comma);
    auto role = signer::parse_role(name);
    if (!role) return make_error(Errc::InvalidArgument, fmt::format("unknown role '{}' (roles: {})", name, kRoleNames));
    out.push_back(*role);
    text = comma == std::string_view::npos ? std::string_view{} : text.substr(comma + 1);
  }
  if (out.empty()) return make_error(Errc::InvalidArgument, fmt::format("no role given (roles: {})", kRoleNames));
  return out;
}

Result<db::TrustRow> trust_row(const X509& cert, const std::vector<signer::Role>& roles, std::uint32_t ttl,
                               std::string source) {
  if (ttl < 1 || ttl > kMaxTtl) {
    return make_error(Errc::InvalidArgument, fmt::format("TTL {} s is outside 1..{} s (30 days)", ttl, kMaxTtl));
  }
  if (roles.empty()) return make_error(Errc::InvalidArgument, fmt::format("no role given (roles: {})", kRoleNames));
  db::TrustRow r;
  r.sha256 = signer::cert_sha256_hex(cert);
  r.subject = signer::subject_name(cert);
  r.issuer = signer::issuer_name(cert);
  r.serial = to_hex(signer::serial_bytes(cert));
  auto pem = signer::cert_pem(cert);
  r.pem.assign(pem.begin(), pem.end());
  r.roles = roles_text(roles);
  r.ttl = ttl;
  r.source = std::move(source);
  return r;
}

Result<bool> mirror_cluster_identities(const db::Database& db, const signer::ClusterPki& pki) {
  std::vector<db::TrustRow> rows;
  for (auto role : signer::kAllPkiRoles) {
    const auto& id = pki.identity(role);
    if (!id.cert) continue;
    CUCM_TRY(auto row, trust_row(*id.cert, {signer::trust_role(role)}, kDefaultTtl, "cluster"));
    rows.push_back(std::move(row));
  }
  return db::TrustStore(db).replace_cluster_rows(rows);
}

Result<std::optional<Trusted>> look_up(const db::Database& db, std::string_view sha256) {
  CUCM_TRY(auto row, db::TrustStore(db).find(sha256));
  if (!row) return std::optional<Trusted>{};
  auto roles = parse_roles(row->roles);
  if (!roles) {
    return make_error(Errc::Internal, fmt::format("tvs trust store: the row for {} has roles '{}': {}", sha256, row->roles,
                                                  roles.error().message));
  }
  Trusted t;
  for (auto r : *roles) t.roles.push_back(static_cast<std::uint8_t>(r));
  t.ttl = static_cast<std::uint32_t>(std::clamp<std::int64_t>(row->ttl, 1, kMaxTtl));
  return std::optional<Trusted>{std::move(t)};
}

}  // namespace cucm::tvs
