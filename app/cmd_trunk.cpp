// cucm-emu trunk add|list|show|remove|ping: SIP trunks with their security profile folded in
// (seed 003: the peer, the X.509 subject names a TLS peer must carry, the incoming port), and the
// OPTIONS ping that tells a trunk's status as CUCM shows it, "Full Service" or "No Service".
#include <iostream>

#include <CLI/CLI.hpp>
#include <fmt/format.h>

#include "app/common.hpp"
#include "app/table.hpp"
#include "cluster/trust_stores.hpp"
#include "core/host_port.hpp"
#include "db/sip_store.hpp"
#include "sip/peer_check.hpp"
#include "sip/trunk_ping.hpp"

namespace cucm::app {
namespace {

struct TrunkArgs {
  std::string name, peer, description;
  std::vector<std::string> subjects;  // each may hold several, comma-separated
  int incoming_port = 5061;
  int timeout_ms = 5000;
  bool json = false;
};

std::string join(const std::vector<std::string>& v, std::string_view sep = ", ") {
  std::string out;
  for (const auto& s : v) out += (out.empty() ? "" : std::string(sep)) + s;
  return out;
}

std::string peer_of(const db::SipTrunk& t) {
  return core::to_string(core::HostPort{t.peer_host, static_cast<std::uint16_t>(t.peer_port)});
}

nlohmann::json trunk_json(const db::SipTrunk& t) {
  return {{"name", t.name},         {"description", t.description},     {"peer_host", t.peer_host},
          {"peer_port", t.peer_port}, {"x509_subjects", t.x509_subjects}, {"incoming_port", t.incoming_port}};
}

Status trunk_add(const GlobalOptions& g, const TrunkArgs& a) {
  db::SipTrunk t;
  t.name = a.name;
  t.description = a.description;
  // The port defaults to 5061, the trunk's destination port in seed 003.
  CUCM_TRY(auto hp, core::parse_host_port(a.peer, 5061));
  t.peer_host = hp.host;
  t.peer_port = hp.port;
  for (const auto& s : a.subjects) {
    for (auto& n : db::split_subjects(s)) t.x509_subjects.push_back(std::move(n));
  }
  t.incoming_port = a.incoming_port;
  CUCM_TRY(auto db, cluster_db(g));
  CUCM_CHECK(db::SipStore(db).add_trunk(t));
  log_admin_event(db, "", fmt::format("trunk add {} peer {} x509 subjects {}", t.name, peer_of(t), join(t.x509_subjects, ",")));
  std::cout << fmt::format("trunk {}: peer {}, X.509 subject names {}, incoming port {}\n", t.name, peer_of(t),
                           join(t.x509_subjects), t.incoming_port);
  return Ok{};
}

Status trunk_list(const GlobalOptions& g, bool json) {
  CUCM_TRY(auto db, cluster_db(g));
  CUCM_TRY(auto all, db::SipStore(db).trunks());
  if (json) {
    auto arr = nlohmann::json::array();
    for (const auto& t : all) arr.push_back(trunk_json(t));
    print_json(arr);
    return Ok{};
  }
  std::vector<std::vector<std::string>> rows;
  for (const auto& t : all) {
    rows.push_back({t.name, peer_of(t), join(t.x509_subjects, ","), std::to_string(t.incoming_port), t.description});
  }
  std::cout << format_table({"name", "peer", "x509_subjects", "incoming_port", "description"}, rows);
  return Ok{};
}

Status trunk_show(const GlobalOptions& g, const TrunkArgs& a) {
  CUCM_TRY(auto db, cluster_db(g));
  CUCM_TRY(auto t, db::SipStore(db).trunk(a.name));
  if (a.json) {
    print_json(trunk_json(t));
    return Ok{};
  }
  std::cout << fmt::format("name:               {}\n", t.name);
  std::cout << fmt::format("description:        {}\n", t.description);
  std::cout << fmt::format("peer:               {} (TLS)\n", peer_of(t));
  std::cout << fmt::format("x509 subject names: {}\n", join(t.x509_subjects));
  std::cout << fmt::format("incoming port:      {}\n", t.incoming_port);
  return Ok{};
}

Status trunk_remove(const GlobalOptions& g, const TrunkArgs& a) {
  CUCM_TRY(auto db, cluster_db(g));
  CUCM_CHECK(db::SipStore(db).remove_trunk(a.name));
  log_admin_event(db, "", fmt::format("trunk remove {}", a.name));
  std::cout << fmt::format("trunk {} removed\n", a.name);
  return Ok{};
}

void print_ping(const std::string& name, const sip::TrunkPingReport& r) {
  std::cout << fmt::format("trunk:        {} -> {}{}\n", name, r.peer, r.address.empty() || r.address == r.peer ? "" : " (" + r.address + ")");
  if (!r.tls.empty()) std::cout << fmt::format("tls:          {}\n", r.tls);
  if (!r.peer_subject.empty()) std::cout << fmt::format("peer:         {}\n", r.peer_subject);
  if (r.chain) {
    std::cout << fmt::format("chain:        {}\n", r.chain->ok() ? "trusted by CallManager-trust" : "not trusted: " + r.chain->detail);
    std::cout << fmt::format("subject:      {}\n", r.matched_subject.empty() ? "no match for [" + join(r.peer_names) + "]"
                                                                             : "matches '" + r.matched_subject + "'");
  }
  if (r.sip_code) {
    std::cout << fmt::format("sip:          {} {}{}\n", r.sip_code, r.sip_reason, r.warning.empty() ? "" : " (" + r.warning + ")");
  }
  if (r.rtt_ms) std::cout << fmt::format("round trip:   {:.1f} ms\n", *r.rtt_ms);
  std::cout << fmt::format("status:       {}\n", r.status());
}

nlohmann::json ping_json(const std::string& name, const sip::TrunkPingReport& r) {
  return {{"trunk", name},
          {"peer", r.peer},
          {"address", r.address},
          {"tls", r.tls},
          {"peer_subject", r.peer_subject},
          {"peer_names", r.peer_names},
          {"chain", r.chain ? nlohmann::json(r.chain->ok() ? "trusted" : r.chain->detail) : nlohmann::json(nullptr)},
          {"matched_subject", r.matched_subject},
          {"sip_code", r.sip_code},
          {"sip_reason", r.sip_reason},
          {"warning", r.warning},
          {"rtt_ms", r.rtt_ms ? nlohmann::json(*r.rtt_ms) : nlohmann::json(nullptr)},
          {"status", r.status()},
          {"reason", r.reason()}};
}

// The ping with what the SIP server itself uses: our CallManager identity and CallManager-trust.
Status trunk_ping(const GlobalOptions& g, const TrunkArgs& a) {
  if (a.timeout_ms < 1) return make_error(Errc::InvalidArgument, fmt::format("--timeout-ms {}: at least 1", a.timeout_ms));
  CUCM_TRY(auto db, cluster_db(g));
  CUCM_TRY(auto pki, cluster_pki(g));
  CUCM_TRY(auto t, db::SipStore(db).trunk(a.name));
  CUCM_TRY(auto trusted, cluster::trusted_certificates(db, cluster::TrustStore::CallManager));
  CUCM_TRY(auto peers, sip::PeerCheck::make(*pki.identity(signer::PkiRole::Capf).cert, {}, trusted));
  sip::TrunkPingOptions o;
  o.host = t.peer_host;
  o.port = static_cast<std::uint16_t>(t.peer_port);
  o.subjects = t.x509_subjects;
  o.identity = &pki.identity(signer::PkiRole::CallManager);
  o.peers = &peers;
  o.timeout = std::chrono::milliseconds(a.timeout_ms);
  auto r = sip::ping_trunk(o);
  // A ping that reached no TLS peer has nothing to detail: its one line is the error below.
  if (a.json) {
    print_json(ping_json(t.name, r));
  } else if (!r.tls.empty()) {
    print_ping(t.name, r);
  }
  if (r.full_service()) return Ok{};
  return make_error(Errc::Unavailable, fmt::format("trunk {}: No Service: {}", t.name, r.reason()));
}

}  // namespace

void add_trunk_commands(CLI::App& app, GlobalOptions& g, int& rc) {
  auto a = std::make_shared<TrunkArgs>();
  auto* trunk = app.add_subcommand("trunk", "SIP trunks over TLS: the peer, the X.509 subject names it must present, "
                                            "and its OPTIONS ping (seed 003)");
  trunk->require_subcommand(1);

  auto* add = trunk->add_subcommand("add", "Add a SIP trunk with its security profile (encrypted, TLS in and out)");
  add->add_option("name", a->name, "Trunk name")->required();
  add->add_option("--peer", a->peer, "The peer's SIP TLS port (5061 when no port is given)")->type_name("HOST:PORT")->required();
  add->add_option("--x509-subject", a->subjects,
                  "X.509 subject names: the peer certificate's CN or a DNS SAN, comma-separated; repeatable")
      ->type_name("NAMES")
      ->required();
  add->add_option("--description", a->description, "Free text");
  add->add_option("--incoming-port", a->incoming_port, "The port its requests come to (the profile's incoming port)")
      ->capture_default_str();
  add->callback([&g, &rc, a] { rc = guarded([&] { return trunk_add(g, *a); }); });

  auto* ls = trunk->add_subcommand("list", "List SIP trunks");
  ls->add_flag("--json", a->json, "Machine-readable output");
  ls->callback([&g, &rc, a] { rc = guarded([&] { return trunk_list(g, a->json); }); });

  auto* show = trunk->add_subcommand("show", "Show one SIP trunk");
  show->add_option("name", a->name, "Trunk name")->required();
  show->add_flag("--json", a->json, "Machine-readable output");
  show->callback([&g, &rc, a] { rc = guarded([&] { return trunk_show(g, *a); }); });

  auto* rm = trunk->add_subcommand("remove", "Remove a SIP trunk");
  rm->add_option("name", a->name, "Trunk name")->required();
  rm->callback([&g, &rc, a] { rc = guarded([&] { return trunk_remove(g, *a); }); });

  auto* ping = trunk->add_subcommand("ping", "Send an OPTIONS over mutual TLS as CUCM does: Full Service or No Service "
                                             "(exit code 0 only for Full Service)");
  ping->add_option("name", a->name, "Trunk name")->required();
  ping->add_option("--timeout-ms", a->timeout_ms, "Deadline of the connect, the handshake and the answer, in all")
      ->capture_default_str();
  ping->add_flag("--json", a->json, "The report as JSON");
  ping->callback([&g, &rc, a] { rc = guarded([&] { return trunk_ping(g, *a); }); });
}

}  // namespace cucm::app
