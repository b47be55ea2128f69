// cucm-emu trust add|list|remove: CUCM's certificate trust stores (CallManager-trust, CAPF-trust,
// Phone-VPN-trust, tomcat-trust) and what TVS vouches for besides the cluster's own certificates.
#include <iostream>
#include <optional>

#include <CLI/CLI.hpp>
#include <fmt/format.h>

#include "app/common.hpp"
#include "app/table.hpp"
#include "cluster/trust_stores.hpp"
#include "core/file_io.hpp"
#include "signer/cert.hpp"
#include "tvs/trust.hpp"

namespace cucm::app {
namespace {

// TVS's store is not one of CUCM's certificate stores (it holds roles and a TTL per certificate),
// but it is named like one here so that every trust command can reach it.
constexpr std::string_view kTvs = "TVS";

// nullopt: TVS's store.
Result<std::optional<cluster::TrustStore>> store_flag(const std::string& name) {
  if (name == kTvs || name == "tvs") return std::optional<cluster::TrustStore>{};
  auto s = cluster::parse_trust_store(name);
  if (!s) return make_error(Errc::InvalidArgument, s.error().message + ", or TVS");
  return std::optional<cluster::TrustStore>{*s};
}

struct AddArgs {
  std::string cert, store;
  std::vector<std::string> roles;
  std::uint32_t ttl = tvs::kDefaultTtl;
};

Status add_to_tvs(const db::Database& db, const AddArgs& a, const std::vector<signer::X509Ptr>& certs) {
  std::string joined;
  for (const auto& r : a.roles) joined += (joined.empty() ? "" : ",") + r;
  CUCM_TRY(auto roles, tvs::parse_roles(joined));
  std::vector<db::TrustRow> rows;
  for (const auto& c : certs) {
    CUCM_TRY(auto row, tvs::trust_row(*c, roles, a.ttl, "admin"));
    rows.push_back(std::move(row));
  }
  db::TrustStore store(db);
  for (const auto& row : rows) {
    CUCM_CHECK(store.put(row));
    log_admin_event(db, "", fmt::format("trust add {} as {} (sha256 {})", row.subject, row.roles, row.sha256));
    std::cout << fmt::format("TVS now vouches for {} as {} for {} s (sha256 {})\n", row.subject, row.roles, row.ttl,
                             row.sha256);
  }
  return Ok{};
}

Status add(const GlobalOptions& g, const AddArgs& a) {
  std::optional<cluster::TrustStore> store;
  if (a.store.empty() && a.roles.empty()) {
    return make_error(Errc::InvalidArgument,
                      "say where: --store CallManager-trust|CAPF-trust|Phone-VPN-trust|tomcat-trust, or --role ROLE "
                      "for what TVS vouches for");
  }
  if (!a.store.empty()) {
    CUCM_TRY(store, store_flag(a.store));
  }
  if (store && !a.roles.empty()) {
    return make_error(Errc::InvalidArgument,
                      fmt::format("--role is for TVS's store; {} holds certificates without roles", a.store));
  }
  CUCM_TRY(auto bytes, read_file(a.cert));
  if (!store) {
    CUCM_TRY(auto certs, signer::load_certs(bytes));
    if (a.roles.empty()) return make_error(Errc::InvalidArgument, "TVS's store needs --role (e.g. APP-SERVER)");
    CUCM_TRY(auto db, cluster_db(g));
    return add_to_tvs(db, a, certs);
  }
  CUCM_TRY(auto db, cluster_db(g));
  CUCM_TRY(auto rows, cluster::add_trusted(db, *store, bytes));
  for (const auto& r : rows) {
    log_admin_event(db, "", fmt::format("trust add {} to {} (sha256 {})", r.subject, r.store, r.sha256));
    std::cout << fmt::format("{} now holds {} (issuer {}, valid until {} UTC, sha256 {})\n", r.store, r.subject,
                             r.issuer, r.not_after, r.sha256);
  }
  if (*store == cluster::TrustStore::Capf) {
    std::cout << "A running 'serve' reads CAPF-trust when it starts: restart it for CAPF to use the change.\n";
  }
  return Ok{};
}

nlohmann::json tvs_json(const db::TrustRow& r) {
  return {{"store", kTvs},   {"sha256", r.sha256}, {"subject", r.subject}, {"issuer", r.issuer},
          {"serial", r.serial}, {"roles", r.roles},   {"ttl", r.ttl},         {"source", r.source},
          {"added", r.added}};
}

nlohmann::json store_json(const db::TrustCertificateRow& r) {
  return {{"store", r.store},   {"sha256", r.sha256},       {"subject", r.subject}, {"issuer", r.issuer},
          {"serial", r.serial}, {"not_after", r.not_after}, {"source", r.source},   {"added", r.added}};
}

Status list(const GlobalOptions& g, const std::string& store_name, bool json) {
  std::optional<cluster::TrustStore> store;
  bool tvs_only = false;
  if (!store_name.empty()) {
    CUCM_TRY(store, store_flag(store_name));
    tvs_only = !store;
  }
  CUCM_TRY(auto db, cluster_db(g));
  std::vector<db::TrustCertificateRow> stored;
  if (!tvs_only) {
    CUCM_TRY(stored, db::TrustCertificates(db).list(store ? cluster::trust_store_name(*store) : std::string_view{}));
  }
  std::vector<db::TrustRow> vouched;
  if (!store) {
    CUCM_TRY(vouched, db::TrustStore(db).list());
  }
  if (json) {
    auto arr = nlohmann::json::array();
    for (const auto& r : stored) arr.push_back(store_json(r));
    for (const auto& r : vouched) arr.push_back(tvs_json(r));
    print_json(arr);
    return Ok{};
  }
  std::vector<std::vector<std::string>> cells;
  for (const auto& r : stored) cells.push_back({r.store, r.sha256.substr(0, 16), "until " + r.not_after, r.source, r.subject});
  for (const auto& r : vouched) {
    cells.push_back({std::string(kTvs), r.sha256.substr(0, 16), fmt::format("{} ttl {}", r.roles, r.ttl), r.source, r.subject});
  }
  std::cout << format_table({"store", "sha256", "valid / vouched as", "source", "subject"}, cells);
  return Ok{};
}

// The row a hash (or its first digits) names, in `store` or anywhere: one, or a clear refusal.
Status remove(const GlobalOptions& g, const std::string& store_name, const std::string& key) {
  std::optional<cluster::TrustStore> store;
  bool tvs_only = false;
  if (!store_name.empty()) {
    CUCM_TRY(store, store_flag(store_name));
    tvs_only = !store;
  }
  CUCM_TRY(auto db, cluster_db(g));
  if (store_name.empty()) {  // where is it? several stores may hold one certificate
    std::size_t in_stores = 0, in_tvs = 0;
    CUCM_TRY(auto stored, db::TrustCertificates(db).list());
    for (const auto& r : stored) in_stores += key.size() >= 8 && r.sha256.starts_with(key);
    CUCM_TRY(auto vouched, db::TrustStore(db).list());
    for (const auto& r : vouched) in_tvs += key.size() >= 8 && r.sha256.starts_with(key);
    if (key.size() >= 8 && in_stores + in_tvs == 0) {
      return make_error(Errc::NotFound, fmt::format("no certificate in the trust stores or TVS's has SHA-256 {} (see "
                                                    "'trust list')", key));
    }
    if (in_stores + in_tvs > 1) {
      return make_error(Errc::InvalidArgument,
                        fmt::format("{} rows have a SHA-256 starting with {}: give more digits or --store", in_stores + in_tvs, key));
    }
    tvs_only = in_tvs == 1;
  }
  if (!tvs_only) {
    CUCM_TRY(auto gone, db::TrustCertificates(db).remove(store ? cluster::trust_store_name(*store) : std::string_view{}, key));
    log_admin_event(db, "", fmt::format("trust remove {} from {} (sha256 {})", gone.subject, gone.store, gone.sha256));
    std::cout << fmt::format("{} no longer holds {} (sha256 {})\n", gone.store, gone.subject, gone.sha256);
    return Ok{};
  }
  db::TrustStore tvs_store(db);
  CUCM_TRY(auto rows, tvs_store.list());
  for (const auto& r : rows) {
    if (r.source == "cluster" && r.sha256.starts_with(key) && key.size() >= 8) {
      return make_error(Errc::PermissionDenied,
                        fmt::format("{} is one of the cluster's own certificates ({}): TVS vouches for it as long as "
                                    "it is in pki/ (see 'pki show')",
                                    r.subject, r.roles));
    }
  }
  CUCM_TRY(auto gone, tvs_store.remove(key));
  log_admin_event(db, "", fmt::format("trust remove {} (sha256 {})", gone.subject, gone.sha256));
  std::cout << fmt::format("TVS no longer vouches for {} (sha256 {})\n", gone.subject, gone.sha256);
  return Ok{};
}

constexpr const char* kStoreHelp =
    "CallManager-trust (SIP TLS peers, CA of a signed CallManager/TVS), CAPF-trust (MIC CAs), Phone-VPN-trust (VPN "
    "headends), tomcat-trust (CA of a signed HTTPS), or TVS";

}  // namespace

void add_trust_commands(CLI::App& app, GlobalOptions& g, int& rc) {
  auto* trust = app.add_subcommand("trust", "Trust stores (CallManager-trust, CAPF-trust, Phone-VPN-trust, "
                                            "tomcat-trust) and what TVS vouches for");
  trust->require_subcommand(1);

  auto a = std::make_shared<AddArgs>();
  auto* ad = trust->add_subcommand("add", "Add the certificate(s) in CERT to a trust store, or to TVS with roles");
  ad->add_option("cert", a->cert, "Certificate file (PEM, may hold several, or DER)")->required();
  ad->add_option("--store", a->store, kStoreHelp);
  ad->add_option("--role", a->roles, "For TVS: APP-SERVER, CCM, TFTP, CCM+TFTP, CAPF, SAST or TVS (repeat or comma-separate)")
      ->delimiter(',');
  ad->add_option("--ttl", a->ttl, "For TVS: seconds a phone may cache the answer (1..2592000)")->capture_default_str();
  ad->callback([&g, &rc, a] { rc = guarded([&] { return add(g, *a); }); });

  auto ls_store = std::make_shared<std::string>();
  auto json = std::make_shared<bool>(false);
  auto* ls = trust->add_subcommand("list", "Every trusted certificate: the stores', then TVS's with roles and TTL");
  ls->add_option("--store", *ls_store, std::string("Only this store: ") + kStoreHelp);
  ls->add_flag("--json", *json, "Machine-readable output");
  ls->callback([&g, &rc, ls_store, json] { rc = guarded([&] { return list(g, *ls_store, *json); }); });

  auto rm_store = std::make_shared<std::string>();
  auto key = std::make_shared<std::string>();
  auto* rm = trust->add_subcommand("remove", "Remove a certificate from a trust store, or stop TVS vouching for it");
  rm->add_option("sha256", *key, "Its SHA-256 (lowercase hex, or its first 8 or more digits, as 'trust list' shows)")
      ->required();
  rm->add_option("--store", *rm_store, "The store, when several hold it");
  rm->callback([&g, &rc, rm_store, key] { rc = guarded([&] { return remove(g, *rm_store, *key); }); });
}

}  // namespace cucm::app
