// cucm-emu phone boot: a simulated Cisco phone's secure boot against any server, as a ladder.
#include <iostream>

#include <CLI/CLI.hpp>
#include <fmt/format.h>

#include "app/common.hpp"
#include "capf/proto/explain.hpp"
#include "core/encoding.hpp"
#include "core/file_io.hpp"
#include "db/model.hpp"
#include "phone/boot.hpp"
#include "phone/phone_state.hpp"
#include "phone/tls_link.hpp"
#include "tvs/proto/explain.hpp"

namespace cucm::app {

namespace {

// A CAPF or TVS message of the ladder, element by element (PROTOCOLS §3.4, §4).
std::vector<std::string> explain_wire(const phone::LadderStep& s) {
  if (s.wire.empty()) return {};
  return s.proto == "CAPF" ? capf::explain_message(s.wire) : tvs::explain_message(s.wire);
}

}  // namespace

void print_steps(const std::vector<phone::LadderStep>& steps, bool explain, bool hex) {
  for (const auto& s : steps) {
    if (s.from == "phone" && s.to == "phone") {
      std::cout << fmt::format("{:8.3f}  {:<5}   {:<5} {:<5} {}\n", s.t, "phone", "", "", s.what);
    } else {
      std::cout << fmt::format("{:8.3f}  {:<5} -> {:<5} {:<5} {}\n", s.t, s.from, s.to, s.proto, s.what);
    }
    if (explain && !s.why.empty()) std::cout << fmt::format("{:>10}  -- {}\n", "", s.why);
    if (explain) {
      for (const auto& line : explain_wire(s)) std::cout << fmt::format("{:>10}   | {}\n", "", line);
    }
    if (hex) {
      for (const auto& line : hex_dump(s.wire)) std::cout << fmt::format("{:>10}   : {}\n", "", line);
    }
  }
}

void print_ladder(const phone::BootResult& r, bool explain, bool hex) {
  print_steps(r.ladder, explain, hex);
  std::cout << (r.full_config ? fmt::format("result: full config ({}), call manager {}, {}\n",
                                            r.encrypted ? "encrypted" : "signed",
                                            r.call_managers.empty() ? "-" : r.call_managers.front(),
                                            r.sccp ? "lines over SCCP" : fmt::format("{} line(s)", r.lines))
                              : fmt::format("result: no full config: {}\n", r.failure));
  if (auto line = registration_line(r); !line.empty()) std::cout << line << "\n";
  if (!r.detected.empty()) {
    std::cout << fmt::format("detected: {} (`cucm-emu scenario list` says what causes it)\n", r.detected);
  }
}

bool registration_failed(const phone::BootResult& r) { return r.full_config && !r.sip_failure.empty(); }

std::string registration_line(const phone::BootResult& r) {
  if (!r.full_config || (r.sip_transport.empty() && r.sip_failure.empty())) return {};
  int lines = r.lines;
  if (r.sip_failure.empty()) return fmt::format("registered: {} of {} line(s) over {}", r.registered, lines, r.sip_transport);
  return fmt::format("registration failed{}: {} of {} line(s) registered: {}",
                     r.sip_transport.empty() ? "" : " over " + r.sip_transport, r.registered, lines, r.sip_failure);
}

nlohmann::json ladder_json(const phone::BootResult& r) {
  auto steps = nlohmann::json::array();
  for (const auto& s : r.ladder) {
    nlohmann::json step{{"t", s.t}, {"from", s.from}, {"to", s.to}, {"proto", s.proto}, {"what", s.what}, {"why", s.why}};
    if (!s.wire.empty()) {
      step["elements"] = explain_wire(s);
      step["hex"] = to_hex(s.wire);
    }
    steps.push_back(std::move(step));
  }
  return {{"full_config", r.full_config}, {"failure", r.failure}, {"detected", r.detected},
          {"encrypted", r.encrypted}, {"capf_ran", r.capf_ran},
          {"cert_hash", r.cert_hash}, {"call_managers", r.call_managers}, {"lines", r.lines}, {"sccp", r.sccp},
          {"registered", r.registered}, {"sip_transport", r.sip_transport}, {"sip_failure", r.sip_failure},
          {"ladder", steps}};
}

void add_fleet_command(CLI::App& phone, GlobalOptions& g, int& rc);
void add_phone_vpn_command(CLI::App& phone, GlobalOptions& g, int& rc);

// Settings > Security > Reset on a phone: it forgets its ITL, CTL and TVS answers, and trusts the
// next ITL on first use. What a lab does by hand for a phone stranded by a certificate change.
void add_reset_trust_command(CLI::App& phone, GlobalOptions& g, int& rc) {
  struct Args {
    std::string device, state_dir;
  };
  auto a = std::make_shared<Args>();
  auto* r = phone.add_subcommand("reset-trust", "Forget the phone's ITL, CTL and TVS answers (Settings > Security > Reset)");
  r->add_option("device", a->device, "SEP<MAC>")->required();
  r->add_option("--state-dir", a->state_dir, "The phone's folder (default DATA/phones/SEP<MAC>)");
  r->callback([&g, &rc, a] {
    rc = guarded([&]() -> Status {
      CUCM_TRY(auto device, db::normalise_device_name(a->device));
      auto dir = a->state_dir.empty() ? g.data_dir / "phones" / device : std::filesystem::path(a->state_dir);
      if (!std::filesystem::exists(dir)) {
        return make_error(Errc::NotFound, fmt::format("no simulated phone in {}: nothing to reset", dir.string()));
      }
      CUCM_TRY(auto state, phone::load_state(dir, device));
      CUCM_CHECK(phone::reset_trust(state));
      std::cout << fmt::format("{}: trust reset; the next ITL is trusted on first use\n", device);
      return Ok{};
    });
  });
}

// Over 60 lines: `phone boot`'s flags, one a line, and the callback that turns them into
// BootOptions; a split would only move the list of flags away from what reads it.
void add_phone_commands(CLI::App& app, GlobalOptions& g, int& rc) {
  struct Args {
    std::string device, server = "127.0.0.1", state_dir, auth_string, profile = "88xx", mic, mic_key, tls_keylog;
    int tftp_port = 69, http_port = 6970, https_port = 6971, capf_port = 0, sip_port = 0, sip_tls_port = 0, timeout_ms = 5000;
    bool http = false, tftp = false, json = false, explain = false, hex = false, no_register = false;
  };
  auto a = std::make_shared<Args>();
  auto* phone = app.add_subcommand("phone", "The phone simulator");
  phone->require_subcommand(1);
  auto* b = phone->add_subcommand("boot", "Boot a simulated phone against a server and print what happened");
  b->add_option("device", a->device, "SEP<MAC>")->required();
  b->add_option("--server", a->server, "TFTP/HTTP server address (DHCP option 150)")->capture_default_str();
  b->add_option("--tftp-port", a->tftp_port, "TFTP port")->capture_default_str();
  b->add_option("--http-port", a->http_port, "HTTP port")->capture_default_str();
  b->add_option("--https-port", a->https_port, "HTTPS port (88xx with an ITL 1.1 asks it for the config first)")
      ->capture_default_str();
  b->add_option("--capf-port", a->capf_port, "CAPF port (default: the config's capfList)");
  b->add_option("--sip-port", a->sip_port, "SIP UDP/TCP port to register to (default: the config's sipPort)");
  b->add_option("--sip-tls-port", a->sip_tls_port, "SIP TLS port to register to (default: the config's securedSipPort)");
  b->add_flag("--no-register", a->no_register, "Stop at the full config: do not register the SIP lines");
  b->add_flag("--http", a->http, "HTTP only");
  b->add_flag("--tftp", a->tftp, "TFTP only");
  b->add_option("--state-dir", a->state_dir, "The phone's folder (default DATA/phones/SEP<MAC>)");
  b->add_option("--auth-string", a->auth_string, "CAPF authentication string, as a user keys it in");
  b->add_option("--profile", a->profile, "Firmware behaviour: 79xx or 88xx")->capture_default_str();
  b->add_option("--mic", a->mic, "Use this MIC certificate (PEM) ...");
  b->add_option("--mic-key", a->mic_key, "... and its private key (PEM)");
  b->add_option("--timeout-ms", a->timeout_ms, "Per-request timeout")->capture_default_str();
  b->add_flag("--json", a->json, "The ladder as JSON");
  b->add_flag("--explain", a->explain,
              "Say why the phone does each step, and show every CAPF and TVS message element by element");
  b->add_flag("--hex", a->hex, "Show the bytes of every CAPF and TVS message");
  b->add_option("--tls-keylog", a->tls_keylog,
                "Append the secrets of the phone's CAPF, TVS and HTTPS sessions to FILE (NSS key log, for "
                "Wireshark); SSLKEYLOGFILE does the same")
      ->type_name("FILE");
  add_fleet_command(*phone, g, rc);
  add_reset_trust_command(*phone, g, rc);
  add_phone_vpn_command(*phone, g, rc);
  b->callback([&g, &rc, a] {
    rc = guarded([&]() -> Status {
      phone::BootOptions o;
      CUCM_TRY(o.device, db::normalise_device_name(a->device));
      CUCM_TRY(o.profile, phone::firmware_profile(a->profile));
      o.server = a->server;
      CUCM_TRY(o.tftp_port, port_flag("--tftp-port", a->tftp_port));
      CUCM_TRY(o.http_port, port_flag("--http-port", a->http_port));
      CUCM_TRY(o.https_port, port_flag("--https-port", a->https_port));
      if (a->capf_port != 0) {
        CUCM_TRY(o.capf_port, port_flag("--capf-port", a->capf_port));
      }
      if (a->sip_port != 0) {
        CUCM_TRY(o.sip_port, port_flag("--sip-port", a->sip_port));
      }
      if (a->sip_tls_port != 0) {
        CUCM_TRY(o.sip_tls_port, port_flag("--sip-tls-port", a->sip_tls_port));
      }
      o.register_lines = !a->no_register;
      o.transport = a->http ? "http" : a->tftp ? "tftp" : "auto";
      o.state_dir = a->state_dir.empty() ? g.data_dir / "phones" / o.device : std::filesystem::path(a->state_dir);
      o.auth_string = a->auth_string;
      o.timeout = std::chrono::milliseconds(a->timeout_ms);
      // A MIC made here is issued by the lab manufacturing CA of the data folder, which `serve`
      // on the same folder trusts; for a server elsewhere, copy its certificate into that
      // server's CAPF-trust store (trust add --store CAPF-trust).
      CUCM_TRY(auto manufacturer, signer::LabManufacturer::open(g.data_dir));
      o.manufacturer = &manufacturer;
      if (!a->mic.empty()) {
        CUCM_TRY(auto state, phone::load_state(o.state_dir, o.device, o.manufacturer));
        CUCM_TRY(Bytes cert, read_file(a->mic));
        CUCM_TRY(Bytes key, read_file(a->mic_key.empty() ? a->mic : a->mic_key));
        CUCM_CHECK(phone::import_mic(state, cert, key));
      }
      CUCM_TRY(auto keylog, open_tls_keylog(a->tls_keylog, "phone CAPF, TVS and HTTPS"));
      phone::ClientTlsContexts tls_contexts(keylog);
      o.tls_contexts = &tls_contexts;
      CUCM_TRY(auto r, phone::boot(o));
      if (a->json) print_json(ladder_json(r));
      else print_ladder(r, a->explain, a->hex);
      if (!r.full_config) return make_error(Errc::Unavailable, "the phone did not reach a full config: " + r.failure);
      if (registration_failed(r)) return make_error(Errc::Unavailable, "the phone did not register: " + r.sip_failure);
      return Ok{};
    });
  });
}

}  // namespace cucm::app
