// cucm-emu phone vpn: what a phone does with the vpnGroup of its config (seed 001). It boots as
// `phone boot` does (the simulator keeps no config between runs, so the vpnGroup comes from the
// full config this boot fetches from the server), then connects to the headend, hashes the
// certificate presented per hashAlg and compares it with certHash1 ... certHashN.
#include <iostream>

#include <CLI/CLI.hpp>
#include <fmt/format.h>

#include "app/common.hpp"
#include "core/host_port.hpp"
#include "db/model.hpp"
#include "phone/boot.hpp"
#include "phone/tls_link.hpp"
#include "phone/vpn_connect.hpp"

namespace cucm::app {
namespace {

struct PhoneVpnArgs {
  std::string device, server = "127.0.0.1", state_dir, profile = "88xx", headend;
  int tftp_port = 69, http_port = 6970, https_port = 6971, timeout_ms = 5000;
  int sha512_hash_alg = cnf::kLabVpnHashAlgSha512;
  bool json = false, explain = false;
};

nlohmann::json vpn_json(const phone::VpnConnectResult& v) {
  auto steps = nlohmann::json::array();
  for (const auto& s : v.ladder) {
    steps.push_back({{"t", s.t}, {"from", s.from}, {"to", s.to}, {"proto", s.proto}, {"what", s.what}, {"why", s.why}});
  }
  nlohmann::json j{{"accepted", v.accepted}, {"bad_certificate", v.bad_certificate}, {"failure", v.failure},
                   {"headend", v.headend},   {"subject", v.subject},                 {"hash_alg", v.hash_alg},
                   {"ladder", steps}};
  if (v.comparison) {
    j["presented"] = v.comparison->presented;
    j["matched"] = v.comparison->matched ? nlohmann::json(*v.comparison->matched) : nlohmann::json(nullptr);
  }
  return j;
}

Status phone_vpn(const GlobalOptions& g, const PhoneVpnArgs& a) {
  phone::BootOptions o;
  CUCM_TRY(o.device, db::normalise_device_name(a.device));
  CUCM_TRY(o.profile, phone::firmware_profile(a.profile));
  o.server = a.server;
  CUCM_TRY(o.tftp_port, port_flag("--tftp-port", a.tftp_port));
  CUCM_TRY(o.http_port, port_flag("--http-port", a.http_port));
  CUCM_TRY(o.https_port, port_flag("--https-port", a.https_port));
  if (a.timeout_ms < 1) return make_error(Errc::InvalidArgument, fmt::format("--timeout-ms {}: at least 1", a.timeout_ms));
  o.timeout = std::chrono::milliseconds(a.timeout_ms);
  o.state_dir = a.state_dir.empty() ? g.data_dir / "phones" / o.device : std::filesystem::path(a.state_dir);
  if (a.sha512_hash_alg == cnf::kVpnHashAlgSha1) {
    return make_error(Errc::InvalidArgument, "--sha512-hash-alg 0: hashAlg 0 is SHA-1");
  }
  phone::VpnConnectOptions vo;
  if (!a.headend.empty()) {
    CUCM_TRY(vo.headend, core::parse_host_port(a.headend, 443));
  }
  CUCM_TRY(auto manufacturer, signer::LabManufacturer::open(g.data_dir));
  o.manufacturer = &manufacturer;
  phone::ClientTlsContexts tls_contexts;
  o.tls_contexts = &tls_contexts;
  // The VPN is the point here: a phone registers through its tunnel, which is not simulated.
  o.register_lines = false;
  CUCM_TRY(auto boot, phone::boot(o));
  if (a.explain && !a.json) print_steps(boot.ladder, true);
  if (!boot.full_config) return make_error(Errc::Unavailable, "the phone did not reach a full config: " + boot.failure);
  if (!boot.vpn) {
    return make_error(Errc::NotFound, boot.vpn_problem.empty()
                                          ? fmt::format("{}'s config has no vpnGroup (cucm-emu device set {} --vpn-group NAME)",
                                                        o.device, o.device)
                                          : fmt::format("{}'s vpnGroup: {}", o.device, boot.vpn_problem));
  }
  vo.group = *boot.vpn;
  vo.sha512_hash_alg = a.sha512_hash_alg;
  vo.timeout = o.timeout;
  auto v = phone::vpn_connect(vo);
  if (a.json) {
    print_json({{"device", o.device}, {"boot", ladder_json(boot)}, {"vpn", vpn_json(v)}});
  } else {
    if (!a.explain) {
      std::cout << fmt::format("boot: full config ({}) from {}, call manager {}\n", boot.encrypted ? "encrypted" : "signed",
                               a.server, boot.call_managers.front());
    }
    print_steps(v.ladder, a.explain);
  }
  if (v.accepted) return Ok{};
  if (v.bad_certificate) {
    return make_error(Errc::Unauthenticated, fmt::format("{}: Bad Certificate: headend {} presents {} {}, none of the "
                                                         "vpnGroup's certificate hashes",
                                                         o.device, v.headend, v.hash_alg, v.comparison->presented));
  }
  return make_error(Errc::Unavailable, fmt::format("{}: VPN not connected: {}", o.device, v.failure));
}

}  // namespace

void add_phone_vpn_command(CLI::App& phone, GlobalOptions& g, int& rc) {
  auto a = std::make_shared<PhoneVpnArgs>();
  auto* v = phone.add_subcommand("vpn", "Boot, then check the VPN headend's certificate as the phone does (seed 001)");
  v->add_option("device", a->device, "SEP<MAC>")->required();
  v->add_option("--headend", a->headend, "VPN headend to connect to (default: the vpnGroup's url1, port 443)")
      ->type_name("HOST:PORT");
  v->add_option("--server", a->server, "TFTP/HTTP server address (DHCP option 150)")->capture_default_str();
  v->add_option("--tftp-port", a->tftp_port, "TFTP port")->capture_default_str();
  v->add_option("--http-port", a->http_port, "HTTP port")->capture_default_str();
  v->add_option("--https-port", a->https_port, "HTTPS port")->capture_default_str();
  v->add_option("--state-dir", a->state_dir, "The phone's folder (default DATA/phones/SEP<MAC>)");
  v->add_option("--profile", a->profile, "Firmware behaviour: 79xx or 88xx")->capture_default_str();
  v->add_option("--timeout-ms", a->timeout_ms, "Per-request deadline, and for the headend's connect and handshake")
      ->capture_default_str();
  v->add_option("--sha512-hash-alg", a->sha512_hash_alg,
                "The hashAlg code this firmware reads as SHA-512 (not known; 0 is SHA-1); as the cluster's vpn_sha512_hash_alg")
      ->capture_default_str();
  v->add_flag("--json", a->json, "The boot and the VPN check as JSON");
  v->add_flag("--explain", a->explain, "The whole boot ladder too, and why the phone does each step");
  v->callback([&g, &rc, a] { rc = guarded([&] { return phone_vpn(g, *a); }); });
}

}  // namespace cucm::app
