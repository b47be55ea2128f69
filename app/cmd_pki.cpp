// cucm-emu pki init|show|import|rotate: the cluster identities.
#include <algorithm>
#include <iostream>

#include <CLI/CLI.hpp>
#include <fmt/format.h>

#include "admin/views.hpp"
#include "app/common.hpp"
#include "core/encoding.hpp"
#include "core/file_io.hpp"
#include "db/event_log.hpp"
#include "db/settings_store.hpp"
#include "signer/cert.hpp"
#include "signer/keys.hpp"
#include "signer/pki_rotation.hpp"
#include "tvs/trust.hpp"

namespace cucm::app {
namespace {

struct InitArgs {
  std::string node = "cucm-emu", org = "cucm-emu Lab", key = "rsa:2048", capf_key, tvs_key, https_key = "ec:P-256";
  std::string digest = "sha256";
  int days = 3650;
};

Result<signer::PkiOptions> to_options(const InitArgs& a) {
  signer::PkiOptions o;
  o.node_name = a.node;
  o.organisation = a.org;
  CUCM_TRY(o.key, signer::parse_key_spec(a.key));
  CUCM_TRY(o.capf_key, signer::parse_key_spec(a.capf_key.empty() ? a.key : a.capf_key));
  CUCM_TRY(o.tvs_key, signer::parse_key_spec(a.tvs_key.empty() ? a.key : a.tvs_key));
  CUCM_TRY(o.https_key, signer::parse_key_spec(a.https_key));
  CUCM_TRY(o.cert_digest, signer::parse_hash_name(a.digest));
  if (a.days < 1 || a.days > 36500) {
    return make_error(Errc::InvalidArgument, fmt::format("--days {} outside 1..36500", a.days));
  }
  o.days = a.days;
  return o;
}

void print_identity(const nlohmann::json& j) {
  std::cout << fmt::format("[{}] ({})\n", j["role"].get<std::string>(), j["trust_role"].get<std::string>());
  for (const char* k : {"subject", "issuer", "serial", "not_before", "not_after", "key",
                        "sha1_fingerprint", "md5_fingerprint"}) {
    std::cout << fmt::format("  {:<17} {}\n", k, j[k].get<std::string>());
  }
  if (j["chain_length"].get<std::size_t>()) std::cout << fmt::format("  {:<17} {}\n", "chain", j["chain_length"].get<std::size_t>());
}

int show(const GlobalOptions& g, const std::string& role, bool json) {
  auto pki = signer::ClusterPki::load(g.data_dir);
  if (!pki) return fail(pki.error());
  auto arr = nlohmann::json::array();
  for (auto r : signer::kAllPkiRoles) {
    if (!role.empty() && signer::pki_role_name(r) != role) continue;
    arr.push_back(admin::identity_json(r, pki->identity(r)));
  }
  if (arr.empty()) return fail(signer::parse_pki_role(role).error());
  if (json) {
    print_json(arr);
  } else {
    std::cout << "cluster identities in " << pki->dir().string() << "\n";
    for (auto& j : arr) print_identity(j);
  }
  return 0;
}

struct RotateArgs {
  std::vector<std::string> roles;
  bool force = false;
};

// Why rotating these roles can strand phones, or "" when it cannot. A phone accepts a new ITL
// when it is signed by a certificate the phone holds as a signer, or when TVS, reached with a TVS
// certificate the phone holds, vouches for the new signer (PROTOCOLS §4, §5.5). The ITL's signer
// is ITLRecovery from CUCM 12.0 on and the CallManager certificate before (cluster itl_signer), so
// the role that is risky alone depends on the era.
std::string stranding_risk(const std::vector<signer::PkiRole>& roles, const db::ClusterSettings& settings) {
  if (roles.size() > 1) {
    return "rotating several identities at once can take away both ways a phone accepts a new ITL (the certificate "
           "that signs it, and the TVS certificate that lets TVS vouch for a new signer): rotate one at a time, "
           "and let every phone boot in between";
  }
  auto signer = settings.itl_signed_by_callmanager ? signer::PkiRole::CallManager : signer::PkiRole::ItlRecovery;
  if (roles.front() == signer) {
    return fmt::format("{} signs the ITL ({}): a new one signs the next ITL with a key no phone holds, so phones accept "
                       "it only if they reach TVS with the TVS certificate they hold, and any phone that cannot (TVS "
                       "down, or unreachable from its network) is stranded until its trust is reset by hand",
                       settings.itl_signed_by_callmanager ? "The CallManager certificate" : "ITLRecovery",
                       settings.itl_signed_by_callmanager ? "itl_signer callmanager, as before CUCM 12.0"
                                                          : "itl_signer itlrecovery, as CUCM 12.0 and later");
  }
  return "";
}

Status rotate(const GlobalOptions& g, const RotateArgs& a) {
  std::vector<signer::PkiRole> roles;
  for (const auto& name : a.roles) {
    CUCM_TRY(auto r, signer::parse_pki_role(name));
    if (std::find(roles.begin(), roles.end(), r) == roles.end()) roles.push_back(r);
  }
  CUCM_TRY(auto db, cluster_db(g));
  CUCM_TRY(auto settings, db::SettingsStore(db).settings());
  if (auto risk = stranding_risk(roles, settings); !risk.empty()) {
    CUCM_TRY(auto holders, db::EventLog(db).itl_holders());
    std::string devices;
    for (std::size_t i = 0; i < holders.size() && i < 20; ++i) {
      devices += fmt::format("\n  {} (last ITL {})", holders[i].first, holders[i].second);
    }
    if (holders.size() > 20) devices += fmt::format("\n  … and {} more", holders.size() - 20);
    if (!a.force) {
      return make_error(Errc::PermissionDenied,
                        fmt::format("pki rotate refused: {}. {} device(s) hold this cluster's ITL (from the event log){}"
                                    "\nRun again with --force to rotate anyway; stranded phones then need "
                                    "'phone reset-trust' (Settings > Security > Reset on a real phone).",
                                    risk, holders.size(), devices));
    }
    std::cerr << fmt::format("cucm-emu: --force: {}; {} device(s) may be stranded{}\n", risk, holders.size(), devices);
  }
  CUCM_TRY(auto pki, cluster_pki(g));
  for (auto r : roles) {
    CUCM_CHECK(signer::rotate_identity(pki, r));
    const X509& c = *pki.identity(r).cert;
    std::cout << fmt::format("rotated {}: {} serial {} (the old files are kept as *.bak-<time>)\n", signer::pki_role_name(r),
                             signer::subject_name(c), to_hex(signer::serial_bytes(c)));
    log_admin_event(db, "", fmt::format("pki rotate {}: new serial {}", signer::pki_role_name(r), to_hex(signer::serial_bytes(c))));
  }
  CUCM_CHECK(tvs::mirror_cluster_identities(db, pki));
  std::cout << "TVS vouches for the new certificates now. A running 'serve' loads pki/ when it starts: restart it, "
               "as CUCM's services are restarted after a regeneration, so that phones get the new ITL.\n";
  return Ok{};
}

}  // namespace

void add_pki_commands(CLI::App& app, GlobalOptions& g, int& rc) {
  auto* pki = app.add_subcommand("pki", "The cluster's certificates and keys");
  pki->require_subcommand(1);

  auto args = std::make_shared<InitArgs>();
  auto* init = pki->add_subcommand("init", "Create the cluster identities (or load them if they exist)");
  init->add_option("--node", args->node, "Node name used in the certificate subjects")->capture_default_str();
  init->add_option("--org", args->org, "Organisation (O) of the subjects")->capture_default_str();
  init->add_option("--key", args->key, "Key of CallManager and ITLRecovery: rsa:1024..4096")->capture_default_str();
  init->add_option("--capf-key", args->capf_key, "Key of CAPF: rsa:BITS or ec:P-256|P-384|P-521 (default --key)");
  init->add_option("--tvs-key", args->tvs_key, "Key of TVS (default --key)");
  init->add_option("--https-key", args->https_key, "Key of HTTPS 6971: ec:P-256|P-384|P-521 (phones take only EC)")
      ->capture_default_str();
  init->add_option("--digest", args->digest, "Certificate signature digest: sha1, sha256, sha512")->capture_default_str();
  init->add_option("--days", args->days, "Validity in days")->capture_default_str();
  init->callback([&g, &rc, args] {
    auto opts = to_options(*args);
    if (!opts) { rc = fail(opts.error()); return; }
    bool created = false;
    auto p = signer::ClusterPki::load_or_create(g.data_dir, *opts, &created);
    if (!p) { rc = fail(p.error()); return; }
    std::cout << (created ? "created" : "kept the existing") << " cluster identities in "
              << p->dir().string() << "\n";
    rc = show(g, "", false);
  });

  auto role = std::make_shared<std::string>();
  auto json = std::make_shared<bool>(false);
  auto* sh = pki->add_subcommand("show", "Print subject, issuer, serial, validity, key and fingerprints");
  sh->add_option("--role", *role, "Only this role: callmanager, capf, itlrecovery, tvs, https");
  sh->add_flag("--json", *json, "Machine-readable output");
  sh->callback([&g, &rc, role, json] { rc = show(g, *role, *json); });

  auto ra = std::make_shared<RotateArgs>();
  auto* rot = pki->add_subcommand("rotate", "A new key and certificate for a role, like the old one; the ITL follows");
  rot->add_option("--role", ra->roles, "callmanager, capf, itlrecovery, tvs or https (repeat for several)")->required();
  rot->add_flag("--force", ra->force, "Rotate even when phones may be stranded (the ITL's signer, or several roles at once)");
  rot->callback([&g, &rc, ra] { rc = guarded([&] { return rotate(g, *ra); }); });

  struct ImportArgs { std::string role, cert, key, chain; };
  auto ia = std::make_shared<ImportArgs>();
  auto* imp = pki->add_subcommand("import", "Replace a role with an externally issued certificate and key");
  imp->add_option("--role", ia->role, "callmanager, capf, itlrecovery, tvs or https (EC only)")->required();
  imp->add_option("--cert", ia->cert, "Certificate (PEM or DER), e.g. signed by an enterprise CA")->required();
  imp->add_option("--key", ia->key, "Its private key (PEM, unencrypted)")->required();
  imp->add_option("--chain", ia->chain, "Issuer certificates (PEM bundle), optional");
  imp->callback([&g, &rc, ia] {
    auto r = signer::parse_pki_role(ia->role);
    if (!r) { rc = fail(r.error()); return; }
    auto pki_r = cluster_pki(g);
    if (!pki_r) { rc = fail(pki_r.error()); return; }
    auto cert = read_file(ia->cert);
    if (!cert) { rc = fail(cert.error()); return; }
    auto key = read_file(ia->key);
    if (!key) { rc = fail(key.error()); return; }
    Bytes chain;
    if (!ia->chain.empty()) {
      auto c = read_file(ia->chain);
      if (!c) { rc = fail(c.error()); return; }
      chain = std::move(*c);
    }
    if (auto st = pki_r->import(*r, *cert, *key, chain); !st) { rc = fail(st.error()); return; }
    // Opening the database mirrors pki/ into TVS's store: TVS vouches for the new certificate.
    auto db = cluster_db(g);
    if (!db) { rc = fail(db.error()); return; }
    log_admin_event(*db, "", fmt::format("pki import {}", ia->role));
    std::cout << "imported " << ia->role << "\n";
    rc = show(g, ia->role, false);
  });
}

}  // namespace cucm::app
