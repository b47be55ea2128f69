// cucm-emu trust add|list|remove: what TVS vouches for besides the cluster's own certificates.
#include <iostream>

#include <CLI/CLI.hpp>
#include <fmt/format.h>

#include "app/common.hpp"
#include "app/table.hpp"
#include "core/file_io.hpp"
#include "signer/cert.hpp"
#include "tvs/trust.hpp"

namespace cucm::app {
namespace {

struct AddArgs {
  std::string cert;
  std::vector<std::string> roles;
  std::uint32_t ttl = tvs::kDefaultTtl;
};

Status add(const GlobalOptions& g, const AddArgs& a) {
  std::string joined;
  for (const auto& r : a.roles) joined += (joined.empty() ? "" : ",") + r;
  CUCM_TRY(auto roles, tvs::parse_roles(joined));
  CUCM_TRY(auto bytes, read_file(a.cert));
  CUCM_TRY(auto certs, signer::load_certs(bytes));
  CUCM_TRY(auto db, cluster_db(g));
  db::TrustStore store(db);
  for (const auto& c : certs) {
    CUCM_TRY(auto row, tvs::trust_row(*c, roles, a.ttl, "admin"));
    CUCM_CHECK(store.put(row));
    log_admin_event(db, "", fmt::format("trust add {} as {} (sha256 {})", row.subject, row.roles, row.sha256));
    std::cout << fmt::format("TVS now vouches for {} as {} for {} s (sha256 {})\n", row.subject, row.roles, row.ttl,
                             row.sha256);
  }
  return Ok{};
}

nlohmann::json row_json(const db::TrustRow& r) {
  return {{"sha256", r.sha256}, {"subject", r.subject}, {"issuer", r.issuer}, {"serial", r.serial},
          {"roles", r.roles},   {"ttl", r.ttl},         {"source", r.source}, {"added", r.added}};
}

Status list(const GlobalOptions& g, bool json) {
  CUCM_TRY(auto db, cluster_db(g));
  CUCM_TRY(auto rows, db::TrustStore(db).list());
  if (json) {
    auto arr = nlohmann::json::array();
    for (const auto& r : rows) arr.push_back(row_json(r));
    print_json(arr);
    return Ok{};
  }
  std::vector<std::vector<std::string>> cells;
  for (const auto& r : rows) {
    cells.push_back({r.sha256.substr(0, 16), r.roles, std::to_string(r.ttl), r.source, r.subject});
  }
  std::cout << format_table({"sha256", "roles", "ttl", "source", "subject"}, cells);
  return Ok{};
}

Status remove(const GlobalOptions& g, const std::string& key) {
  CUCM_TRY(auto db, cluster_db(g));
  db::TrustStore store(db);
  CUCM_TRY(auto rows, store.list());
  for (const auto& r : rows) {
    if (r.source == "cluster" && r.sha256.starts_with(key) && key.size() >= 8) {
      return make_error(Errc::PermissionDenied,
                        fmt::format("{} is one of the cluster's own certificates ({}): TVS vouches for it as long as "
                                    "it is in pki/ (see 'pki show')",
                                    r.subject, r.roles));
    }
  }
  CUCM_TRY(auto gone, store.remove(key));
  log_admin_event(db, "", fmt::format("trust remove {} (sha256 {})", gone.subject, gone.sha256));
  std::cout << fmt::format("TVS no longer vouches for {} (sha256 {})\n", gone.subject, gone.sha256);
  return Ok{};
}

}  // namespace

void add_trust_commands(CLI::App& app, GlobalOptions& g, int& rc) {
  auto* trust = app.add_subcommand("trust", "What TVS vouches for: the cluster's certificates and those added here");
  trust->require_subcommand(1);

  auto a = std::make_shared<AddArgs>();
  auto* ad = trust->add_subcommand("add", "TVS answers 'valid' with these roles for the certificate(s) in CERT");
  ad->add_option("cert", a->cert, "Certificate file (PEM, may hold several, or DER)")->required();
  ad->add_option("--role", a->roles, "APP-SERVER, CCM, TFTP, CCM+TFTP, CAPF, SAST or TVS (repeat or comma-separate)")
      ->required()
      ->delimiter(',');
  ad->add_option("--ttl", a->ttl, "Seconds a phone may cache the answer (1..2592000)")->capture_default_str();
  ad->callback([&g, &rc, a] { rc = guarded([&] { return add(g, *a); }); });

  auto json = std::make_shared<bool>(false);
  auto* ls = trust->add_subcommand("list", "Every certificate TVS vouches for, with its roles and TTL");
  ls->add_flag("--json", *json, "Machine-readable output");
  ls->callback([&g, &rc, json] { rc = guarded([&] { return list(g, *json); }); });

  auto key = std::make_shared<std::string>();
  auto* rm = trust->add_subcommand("remove", "Stop vouching for a certificate an admin added");
  rm->add_option("sha256", *key, "Its SHA-256 (lowercase hex, or its first 8 or more digits, as 'trust list' shows)")
      ->required();
  rm->callback([&g, &rc, key] { rc = guarded([&] { return remove(g, *key); }); });
}

}  // namespace cucm::app
