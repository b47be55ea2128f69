// cucm-emu cert csr|import: a cluster identity signed by an enterprise CA (seed 003's steps).
#include <ctime>
#include <iostream>

#include <CLI/CLI.hpp>
#include <fmt/format.h>

#include "app/common.hpp"
#include "cluster/identity_import.hpp"
#include "cluster/trust_stores.hpp"
#include "core/file_io.hpp"
#include "signer/identity_request.hpp"
#include "signer/keys.hpp"
#include "tvs/trust.hpp"

namespace cucm::app {
namespace {

struct CsrArgs {
  std::string role, cn, san, key, digest = "sha256", out = "-";
};

Status csr(const GlobalOptions& g, const CsrArgs& a) {
  CUCM_TRY(auto role, signer::parse_pki_role(a.role));
  CUCM_CHECK(signer::check_csr_role(role));
  signer::CsrOptions o;
  o.cn = a.cn;
  o.san = a.san;
  if (!a.key.empty()) {
    CUCM_TRY(o.key, signer::parse_key_spec(a.key));
  }
  CUCM_TRY(o.digest, signer::parse_hash_name(a.digest));
  CUCM_TRY(auto pki, cluster_pki(g));
  CUCM_TRY(auto req, signer::make_identity_request(pki, role, o));
  CUCM_CHECK(signer::save_pending(pki.dir(), role, req));
  CUCM_TRY(auto db, cluster_db(g));
  log_admin_event(db, "", fmt::format("cert csr {}: pending key {}", a.role, signer::describe_key(*req.key)));
  CUCM_CHECK(write_output(a.out, req.csr_pem));
  std::cerr << fmt::format(
      "cucm-emu: the new {} key waits in {} (0600) until 'cert import --role {} --cert SIGNED.pem'; the certificate "
      "must chain to a CA in {}\n",
      signer::describe_key(*req.key), signer::pending_key_path(pki.dir(), role).string(), a.role,
      cluster::trust_store_name(cluster::trust_store_for(role)));
  return Ok{};
}

struct ImportArgs {
  std::string role, cert, chain;
};

Status import(const GlobalOptions& g, const ImportArgs& a) {
  CUCM_TRY(auto role, signer::parse_pki_role(a.role));
  CUCM_TRY(Bytes cert, read_file(a.cert));
  Bytes chain;
  if (!a.chain.empty()) {
    CUCM_TRY(chain, read_file(a.chain));
  }
  CUCM_TRY(auto pki, cluster_pki(g));
  CUCM_TRY(auto db, cluster_db(g));
  CUCM_TRY(auto done, cluster::import_signed_identity(db, pki, role, cert, chain, std::time(nullptr)));
  CUCM_CHECK(tvs::mirror_cluster_identities(db, pki));
  log_admin_event(db, "", fmt::format("cert import {}: {} issued by {}, serial {}", a.role, done.subject, done.issuer,
                                      done.serial));
  std::string path;
  for (const auto& s : done.chain) path += (path.empty() ? "" : " <- ") + s;
  std::cout << fmt::format("imported {}: {} serial {}\n  chain: {} (a CA in {})\n", a.role, done.subject, done.serial,
                           path, done.store);
  for (const auto& w : done.warnings) std::cout << "  warning: " << w << "\n";
  std::cout << "The old files are kept as *.bak-<time>; TVS vouches for the new certificate now. A running 'serve' "
               "loads pki/ when it starts: restart it so that phones get the new ITL.\n";
  return Ok{};
}

}  // namespace

void add_cert_identity_commands(CLI::App& cert, GlobalOptions& g, int& rc) {
  auto ca = std::make_shared<CsrArgs>();
  auto* c = cert.add_subcommand("csr", "A new key (kept pending in pki/) and a CSR for a cluster identity");
  c->add_option("--role", ca->role, "callmanager, capf, tvs or https")->required();
  c->add_option("--cn", ca->cn, "Common name (default: the current certificate's)");
  c->add_option("--san", ca->san, "Alternative names, e.g. DNS:cucm-a.lab,IP:10.0.0.1 (default: the current ones, or "
                                  "DNS:<cn> with --cn)");
  c->add_option("--key", ca->key, "rsa:2048 or ec:P-256 (default: like the current key)");
  c->add_option("--digest", ca->digest, "CSR signature digest: sha256, sha512 or sha1")->capture_default_str();
  c->add_option("--out", ca->out, "Where to write the CSR (PEM; - for stdout)")->capture_default_str();
  c->callback([&g, &rc, ca] { rc = guarded([&] { return csr(g, *ca); }); });

  auto ia = std::make_shared<ImportArgs>();
  auto* i = cert.add_subcommand("import", "Install the CA-signed certificate for the pending CSR of a role");
  i->add_option("--role", ia->role, "callmanager, capf, tvs or https")->required();
  i->add_option("--cert", ia->cert, "The signed certificate (PEM or DER)")->required();
  i->add_option("--chain", ia->chain, "Intermediate CA certificates (PEM bundle), when the trust store lacks them");
  i->callback([&g, &rc, ia] { rc = guarded([&] { return import(g, *ia); }); });
}

}  // namespace cucm::app
