// cucm-emu vpn add|list|delete|check: VPN groups (a headend URL, certHash1 ... certHash10 and their
// algorithm) and seed 001's troubleshooting: does the live headend present a certificate whose
// hash the phone's vpnGroup carries, or does the phone show "Bad Certificate"?
#include <iostream>

#include <CLI/CLI.hpp>
#include <fmt/format.h>

#include "app/common.hpp"
#include "app/table.hpp"
#include "core/file_io.hpp"
#include "cnf/full_config.hpp"
#include "cluster/trust_stores.hpp"
#include "core/host_port.hpp"
#include "db/device_store.hpp"
#include "db/settings_store.hpp"
#include "db/trust_certificates.hpp"
#include "db/vpn_store.hpp"
#include "phone/peer_cert.hpp"
#include "signer/cert.hpp"
#include "signer/vpn_hash.hpp"

namespace cucm::app {
namespace {

struct VpnArgs {
  std::string name, url, hash_alg = "sha1", device, connect;
  std::vector<std::string> certs, hashes, from, trusted;
  int timeout_ms = 5000;
  bool json = false;
  // vpn add's three sources of hashes, to take their values in the order given.
  const CLI::Option* cert_opt = nullptr;
  const CLI::Option* hash_opt = nullptr;
  const CLI::Option* from_opt = nullptr;
  const CLI::Option* trusted_opt = nullptr;
};

Result<phone::PeerCertificate> headend_certificate(const core::HostPort& hp, int timeout_ms) {
  if (timeout_ms < 1) return make_error(Errc::InvalidArgument, fmt::format("--timeout-ms {}: at least 1", timeout_ms));
  return phone::fetch_peer_certificate(
      phone::PeerCertificateOptions{.host = hp.host, .port = hp.port, .timeout = std::chrono::milliseconds(timeout_ms), .what = "vpn headend", .source = {}});
}

// The <hashAlg> code a group's algorithm is written as: 0 for SHA-1, the cluster's setting for SHA-512.
Result<int> hash_alg_code(const db::Database& db, signer::VpnHashAlg alg) {
  if (alg == signer::VpnHashAlg::Sha1) return cnf::kVpnHashAlgSha1;
  CUCM_TRY(auto s, db::SettingsStore(db).settings());
  return s.vpn_sha512_hash_alg;
}

// One certHash of `vpn add`, where it came from, and the certificate when there is one (it goes
// to Phone-VPN-trust, where CUCM's VPN gateways take their certificates from).
struct SourcedHash {
  std::string hash, source;
  signer::X509Ptr cert;
};

// The Phone-VPN-trust certificate whose SHA-256 starts with `key`: one, or a refusal naming it.
Result<signer::X509Ptr> vpn_trust_cert(const db::Database& db, const std::string& key) {
  CUCM_TRY(auto rows, db::TrustCertificates(db).list(cluster::trust_store_name(cluster::TrustStore::PhoneVpn)));
  const db::TrustCertificateRow* found = nullptr;
  for (const auto& r : rows) {
    if (key.size() < 8 || !r.sha256.starts_with(key)) continue;
    if (found) return make_error(Errc::InvalidArgument, fmt::format("--trusted {}: several Phone-VPN-trust certificates match: give more digits", key));
    found = &r;
  }
  if (!found) {
    return make_error(Errc::NotFound, fmt::format("--trusted {}: no Phone-VPN-trust certificate has that SHA-256 (8+ digits; "
                                                  "see 'trust list --store Phone-VPN-trust')", key));
  }
  return signer::load_cert(as_bytes(found->pem));
}

// --headend-cert, --cert-hash1, --from and --trusted, in the order given on the command line.
Result<std::vector<SourcedHash>> gather_hashes(const db::Database& db, const VpnArgs& a, const CLI::App& cmd,
                                               signer::VpnHashAlg alg) {
  std::size_t total = a.certs.size() + a.hashes.size() + a.from.size() + a.trusted.size();
  if (total > db::kMaxVpnCertHashes) {
    return make_error(Errc::InvalidArgument, fmt::format("vpn add: {} certificate hashes vs at most {} (certHash1 ... certHash10)",
                                                         total, db::kMaxVpnCertHashes));
  }
  std::vector<SourcedHash> out;
  std::size_t next_cert = 0, next_hash = 0, next_from = 0, next_trusted = 0;
  for (const CLI::Option* opt : cmd.parse_order()) {
    if (opt == a.cert_opt && next_cert < a.certs.size()) {
      const std::string& file = a.certs[next_cert++];
      CUCM_TRY(Bytes bytes, read_file(file));
      CUCM_TRY(auto cert, signer::load_cert(bytes));
      const X509* one[] = {cert.get()};
      out.push_back({signer::vpn_cert_hashes(one, alg).front(), fmt::format("{}: {}", file, signer::subject_name(*cert)),
                     std::move(cert)});
    } else if (opt == a.hash_opt && next_hash < a.hashes.size()) {
      out.push_back({a.hashes[next_hash++], "given", nullptr});
    } else if (opt == a.trusted_opt && next_trusted < a.trusted.size()) {
      CUCM_TRY(auto cert, vpn_trust_cert(db, a.trusted[next_trusted++]));
      const X509* one[] = {cert.get()};
      out.push_back({signer::vpn_cert_hashes(one, alg).front(),
                     fmt::format("Phone-VPN-trust: {}", signer::subject_name(*cert)), nullptr});
    } else if (opt == a.from_opt && next_from < a.from.size()) {
      CUCM_TRY(auto hp, core::parse_host_port(a.from[next_from++], 443));
      CUCM_TRY(auto peer, headend_certificate(hp, a.timeout_ms));
      out.push_back({signer::vpn_cert_hash(peer.der, alg),
                     fmt::format("headend {}: {}", core::to_string(hp), signer::subject_name(*peer.cert)),
                     std::move(peer.cert)});
    }
  }
  return out;
}

Status vpn_add(const GlobalOptions& g, const VpnArgs& a, const CLI::App& cmd) {
  CUCM_TRY(auto alg, signer::parse_vpn_hash_alg(a.hash_alg));
  CUCM_TRY(auto db, cluster_db(g));
  CUCM_TRY(auto hashes, gather_hashes(db, a, cmd, alg));
  db::VpnGroup grp{a.name, a.url, {}, std::string(signer::vpn_hash_alg_name(alg))};
  Bytes headends;  // certificates given or fetched: Phone-VPN-trust holds them from now on
  for (const auto& h : hashes) {
    grp.cert_hashes.push_back(h.hash);
    if (!h.cert) continue;
    Bytes pem = signer::cert_pem(*h.cert);
    headends.insert(headends.end(), pem.begin(), pem.end());
  }
  CUCM_CHECK(db::VpnStore(db).put(grp));
  if (!headends.empty()) CUCM_CHECK(cluster::add_trusted(db, cluster::TrustStore::PhoneVpn, headends, "vpn add"));
  CUCM_TRY(int code, hash_alg_code(db, alg));
  log_admin_event(db, "", fmt::format("vpn group {} = {} ({} hash(es), {})", grp.name, grp.url, hashes.size(), grp.hash_alg));
  std::cout << fmt::format("vpn group {}: {}, hashAlg {} ({})\n", grp.name, grp.url, code, signer::vpn_hash_alg_label(alg));
  for (std::size_t i = 0; i < hashes.size(); ++i) {
    std::cout << fmt::format("  certHash{} {} ({})\n", i + 1, hashes[i].hash, hashes[i].source);
  }
  if (hashes.empty()) std::cout << "  no certificate hash: a phone takes no headend (--headend-cert, --cert-hash1, --from)\n";
  return Ok{};
}

Status vpn_list(const GlobalOptions& g, bool json) {
  CUCM_TRY(auto db, cluster_db(g));
  CUCM_TRY(auto all, db::VpnStore(db).list());
  if (json) {
    auto arr = nlohmann::json::array();
    for (const auto& v : all) arr.push_back({{"name", v.name}, {"url", v.url}, {"hash_alg", v.hash_alg}, {"cert_hashes", v.cert_hashes}});
    print_json(arr);
    return Ok{};
  }
  std::vector<std::vector<std::string>> rows;
  for (const auto& v : all) {
    rows.push_back({v.name, v.url, v.hash_alg, v.cert_hashes.empty() ? "" : v.cert_hashes.front(),
                    v.cert_hashes.size() > 1 ? fmt::format("+{}", v.cert_hashes.size() - 1) : ""});
  }
  std::cout << format_table({"name", "url", "hash_alg", "cert_hash1", "more"}, rows);
  return Ok{};
}

// What `vpn check` found, for the text and JSON outputs.
struct CheckReport {
  std::string device;
  db::VpnGroup group;
  int code = 0;
  std::string headend, tls, subject;
  signer::VpnHashComparison cmp;
};

void print_check(const CheckReport& r, signer::VpnHashAlg alg) {
  std::string_view label = signer::vpn_hash_alg_label(alg);
  std::cout << fmt::format("device:  {}, vpn group {}\n", r.device, r.group.name);
  std::cout << fmt::format("group:   url1 {}, hashAlg {} ({}), {} certificate hash(es)\n", r.group.url, r.code, label,
                           r.group.cert_hashes.size());
  std::cout << fmt::format("headend: {}, {}\n", r.headend, r.tls);
  std::cout << fmt::format("         presents {}\n", r.subject);
  std::cout << fmt::format("{:<10} {}   the {} of its certificate, base64: what the phone compares\n", "headend", r.cmp.presented, label);
  for (const auto& h : r.cmp.hashes) {
    std::cout << fmt::format("{:<10} {}   {}\n", fmt::format("certHash{}", h.index), h.value,
                             h.match ? "match" : h.problem.empty() ? "differs" : "can never match: " + h.problem);
  }
  if (r.cmp.accepted()) {
    std::cout << fmt::format("verdict: match (certHash{}): the phone accepts the headend\n", *r.cmp.matched);
  } else {
    std::cout << fmt::format("verdict: mismatch: the phone shows \"Bad Certificate\"{}\n",
                             r.cmp.hashes.empty() ? " (the group has no certificate hash)" : "");
  }
}

nlohmann::json check_json(const CheckReport& r) {
  auto hashes = nlohmann::json::array();
  for (const auto& h : r.cmp.hashes) {
    hashes.push_back({{"index", h.index}, {"value", h.value}, {"match", h.match}, {"problem", h.problem}});
  }
  return {{"device", r.device},     {"vpn_group", r.group.name},
          {"url", r.group.url},     {"hash_alg", r.group.hash_alg},
          {"hash_alg_code", r.code}, {"headend", r.headend},
          {"tls", r.tls},           {"subject", r.subject},
          {"presented", r.cmp.presented}, {"cert_hashes", hashes},
          {"verdict", r.cmp.accepted() ? "match" : "mismatch"},
          {"matched", r.cmp.matched ? nlohmann::json(*r.cmp.matched) : nlohmann::json(nullptr)}};
}

Status vpn_check(const GlobalOptions& g, const VpnArgs& a) {
  CUCM_TRY(auto db, cluster_db(g));
  CUCM_TRY(auto device, db::DeviceStore(db).get(a.device));
  if (device.vpn_group.empty()) {
    return make_error(Errc::NotFound, fmt::format("{} has no vpn group (cucm-emu device set {} --vpn-group NAME)", device.name,
                                                  device.name));
  }
  CheckReport r;
  r.device = device.name;
  CUCM_TRY(r.group, db::VpnStore(db).get(device.vpn_group));
  CUCM_TRY(auto alg, signer::parse_vpn_hash_alg(r.group.hash_alg));
  CUCM_TRY(r.code, hash_alg_code(db, alg));
  core::HostPort where;
  if (!a.connect.empty()) {
    CUCM_TRY(where, core::parse_host_port(a.connect, 443));
  } else {
    CUCM_TRY(where, core::url_host_port(r.group.url, 443));
  }
  CUCM_TRY(auto peer, headend_certificate(where, a.timeout_ms));
  r.headend = core::to_string(where);
  r.tls = peer.tls;
  r.subject = signer::subject_name(*peer.cert);
  r.cmp = signer::compare_vpn_hashes(peer.der, alg, r.group.cert_hashes);
  if (a.json) print_json(check_json(r));
  else print_check(r, alg);
  if (r.cmp.accepted()) return Ok{};
  return make_error(Errc::Unauthenticated,
                    fmt::format("{}: Bad Certificate: headend {} presents {} {}, none of vpn group {}'s certificate hashes",
                                r.device, r.headend, signer::vpn_hash_alg_label(alg), r.cmp.presented, r.group.name));
}

}  // namespace

void add_vpn_commands(CLI::App& app, GlobalOptions& g, int& rc) {
  auto va = std::make_shared<VpnArgs>();
  auto* vpn = app.add_subcommand("vpn", "VPN groups: the headend URL and the certificate hashes in phone configs");
  vpn->require_subcommand(1);
  auto* vadd = vpn->add_subcommand("add", "Add or replace a VPN group");
  vadd->add_option("name", va->name, "Group name")->required();
  vadd->add_option("--url", va->url, "Headend URL, e.g. https://10.201.160.201/SSLVPNphone")->required();
  va->cert_opt = vadd->add_option("--headend-cert", va->certs, "A headend certificate (PEM or DER) whose hash to carry; repeatable")
      ->type_name("FILE");
  va->hash_opt = vadd->add_option("--cert-hash1", va->hashes, "A hash itself, base64; repeatable (certHash1, certHash2, ... in order)")
      ->type_name("B64");
  va->from_opt = vadd->add_option("--from", va->from, "Connect to a live headend over TLS and hash the certificate it presents; repeatable")
      ->type_name("HOST:PORT");
  va->trusted_opt = vadd->add_option("--trusted", va->trusted,
                                     "A certificate of Phone-VPN-trust, by its SHA-256 (8+ digits, see 'trust list'); repeatable")
      ->type_name("SHA256");
  vadd->add_option("--hash-alg", va->hash_alg, "sha1 (hashAlg 0) or sha512 (hashAlg: cluster setting vpn_sha512_hash_alg)")
      ->capture_default_str();
  vadd->add_option("--timeout-ms", va->timeout_ms, "Deadline of --from's connect and of its TLS handshake")->capture_default_str();
  vadd->callback([&g, &rc, va, vadd] { rc = guarded([&] { return vpn_add(g, *va, *vadd); }); });

  auto* vls = vpn->add_subcommand("list", "List VPN groups");
  vls->add_flag("--json", va->json, "Every group with all its hashes, as JSON");
  vls->callback([&g, &rc, va] { rc = guarded([&] { return vpn_list(g, va->json); }); });

  auto* vdel = vpn->add_subcommand("delete", "Delete a VPN group (not while devices use it)");
  vdel->add_option("name", va->name, "Group name")->required();
  vdel->callback([&g, &rc, va] {
    rc = guarded([&]() -> Status {
      CUCM_TRY(auto db, cluster_db(g));
      return db::VpnStore(db).remove(va->name);
    });
  });

  auto* chk = vpn->add_subcommand("check", "Compare the live headend's certificate with a phone's vpnGroup (seed 001)");
  chk->add_option("device", va->device, "SEP<MAC>")->required();
  chk->add_option("--connect", va->connect, "Headend to connect to (default: the group's URL, port 443 when it names none)")
      ->type_name("HOST:PORT");
  chk->add_option("--timeout-ms", va->timeout_ms, "Deadline of the connect and of the TLS handshake")->capture_default_str();
  chk->add_flag("--json", va->json, "The check as JSON");
  chk->callback([&g, &rc, va] { rc = guarded([&] { return vpn_check(g, *va); }); });
}

}  // namespace cucm::app
