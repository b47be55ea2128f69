// cucm-emu demo: seed 004's encrypted-configuration flow, live. A demo cluster (its own keys and
// database under DATA/demo) serves TFTP, HTTP, HTTPS, CAPF, TVS and SIP on loopback ports; a simulated
// phone with only a MIC boots against it, goes through CAPF, and ends with a decrypted full config
// (with --sip, an 8845 that then registers over TLS with the LSC CAPF gave it).
#include <unistd.h>

#include <ctime>
#include <iostream>
#include <optional>
#include <thread>

#include <CLI/CLI.hpp>
#include <fmt/format.h>

#include "app/common.hpp"
#include "app/loopback_capture.hpp"
#include "app/sip_registrations.hpp"
#include "app/table.hpp"
#include "cluster/services.hpp"
#include "db/device_store.hpp"
#include "db/settings_store.hpp"
#include "db/sip_store.hpp"
#include "phone/boot.hpp"

namespace cucm::app {
namespace fs = std::filesystem;
namespace {

// The demo's phone: seed 004's 7942, or with --sip an 8845 on the encrypted SIP profile, whose
// flow goes on to the step the seed stops before (PROTOCOLS §1.1 step 10): REGISTER over TLS.
struct DemoPhone {
  const char* device;
  const char* product;
  const char* protocol;
  const char* profile;
};
constexpr DemoPhone kSeedPhone{"SEPA45630BBFA40", "Cisco 7942", "SCCP", "Cisco 7942 - Standard SCCP Encrypted Config"};
constexpr DemoPhone kSipPhone{"SEPA45630BBFA41", "Cisco 8845", "SIP", "Cisco 8845 - Standard SIP Encrypted Config"};

struct DemoArgs {
  std::string profile = "79xx", tls_keylog, pcap;
  bool hex = false;
  bool sip = false;
};

// demo --pcap: Wireshark finds CAPF, TVS, HTTP and HTTPS by their ports, so the demo listens on the
// real ones (loopback only); TFTP on 69 too when this process may bind it.
void use_standard_ports(cluster::ServicesConfig& sc) {
  sc.capf->port = 3804;
  sc.tvs->port = 2445;
  sc.sip->tls_port = 5061;
  sc.sip->port = 5060;
  sc.http->port = 6970;
  sc.https->port = http::kHttpsPort;
  if (::geteuid() == 0) sc.tftp->port = 69;
}

// The recorded capture with the TLS secrets inside (editcap --inject-secrets), so that Wireshark
// decrypts it with no setting; without editcap, the capture as it is beside its key log.
Status finish_pcap(const fs::path& raw, const fs::path& keylog, const fs::path& out, std::uint16_t tftp_port) {
  bool injected = !find_on_path("editcap").empty() &&
                  run_tool({"editcap", "--inject-secrets", "tls," + keylog.string(), raw.string(), out.string()});
  std::error_code ec;
  if (injected) {
    fs::remove(raw, ec);
  } else {
    fs::rename(raw, out, ec);
    if (ec) return make_error(Errc::Internal, fmt::format("demo --pcap: cannot write {}: {}", out.string(), ec.message()));
  }
  std::cout << fmt::format(
      "\nrecorded the demo in {} ({}); its TLS key log is {}.\nOpen it with 'wireshark {}' after 'cucm-emu wireshark "
      "install' (the CAPF, TVS and signed-file dissectors){}.\n",
      out.string(), injected ? "TLS secrets inside: it opens decrypted" : "give Wireshark the key log to decrypt it",
      keylog.string(), out.string(),
      tftp_port == 69 ? "" : fmt::format("; TFTP ran on port {}: Decode As TFTP, or tshark -d udp.port=={},tftp", tftp_port, tftp_port));
  return Ok{};
}

// The demo phone on record, with no certificate: every run shows the whole flow. The seed's CAPF
// session records the key of the phone's MIC; with --sip an LSC install is scheduled instead, as
// `capf schedule … install` would, so that the registration shows the LSC at work.
Status fresh_device(db::DeviceStore& devices, const DemoPhone& p, bool install) {
  if (!devices.get(p.device)) {
    db::Device d;
    d.name = p.device;
    d.description = "seed 004 demo phone";
    d.product = p.product;
    d.protocol = p.protocol;
    d.profile = p.profile;
    d.lines = {db::Line{1, "1001", "Demo", "", ""}};
    CUCM_CHECK(devices.add(d));
  }
  CUCM_CHECK(devices.clear_certificate(p.device));
  db::CapfState capf;
  if (install) {
    capf.operation = "install";
    capf.status = "Operation Pending";
  }
  return devices.set_capf(p.device, capf);
}

// What the seed shows at the end (the key on record), and with --sip the registration.
Status print_outcome(cluster::Cluster& cl, const DemoPhone& p, const phone::BootResult& r, bool sip) {
  auto d = db::DeviceStore(cl.db()).get(p.device);
  std::cout << "\nadmin:run sql select md5hash,name from device where name='" << p.device << "'\n"
            << format_table({"md5hash", "name"}, {{d ? d->md5hash : "", p.device}});
  if (!r.full_config) return make_error(Errc::Internal, "demo: the phone did not reach its full config");
  if (!sip) return Ok{};
  CUCM_TRY(auto regs, db::SipStore(cl.db()).registrations(std::time(nullptr), p.device));
  std::cout << "\nadmin:sip registrations --device " << p.device << "\n" << registrations_table(regs, std::time(nullptr));
  if (r.registered == 0) return make_error(Errc::Internal, "demo: the phone did not register: " + r.sip_failure);
  return Ok{};
}

Status run_demo(const GlobalOptions& g, const DemoArgs& a) {
  const DemoPhone& phone = a.sip ? kSipPhone : kSeedPhone;
  // An 8845 is 88xx firmware: SIP, TLS 1.2 or later to CAPF.
  const std::string phone_profile = a.sip ? "88xx" : a.profile;
  fs::path dir = g.data_dir / "demo";
  cluster::Config cfg;
  cfg.cache_bytes = 16u << 20;
  cfg.events = false;
  CUCM_TRY(auto cl, cluster::Cluster::open(dir, cfg));
  db::DeviceStore devices(cl->db());
  CUCM_CHECK(fresh_device(devices, phone, a.sip));
  std::error_code ec;
  fs::remove_all(dir / "phone", ec);

  auto sc = cluster::loopback_services();
  sc.capf->tls_min = "1.0";  // the 79xx profile speaks TLS 1.0, as in the seed's capture
  // The server side sees every TLS session of the demo: its key log is enough to decrypt them all.
  // A recording needs one: FILE.keylog unless --tls-keylog names another.
  fs::path pcap = a.pcap, raw = a.pcap + ".part";
  std::string keylog_file = !a.tls_keylog.empty() || pcap.empty() ? a.tls_keylog : a.pcap + ".keylog";
  CUCM_TRY(auto keylog, open_tls_keylog(keylog_file, "CAPF, TVS and HTTPS"));
  sc.capf->tls_keylog = sc.tvs->tls_keylog = sc.https->tls_keylog = sc.sip->tls_keylog = keylog;
  // A demo that fails leaves no half capture behind (declared first: removed after dumpcap stops).
  struct RemovePart {
    fs::path file;
    ~RemovePart() {
      std::error_code ec;
      if (!file.empty()) fs::remove(file, ec);
    }
  } part{pcap.empty() ? fs::path() : raw};
  std::optional<LoopbackCapture> capture;
  if (!pcap.empty()) {
    use_standard_ports(sc);
    CUCM_TRY(auto started, LoopbackCapture::start(raw, "host 127.0.0.1"));
    capture.emplace(std::move(started));
  }
  cluster::Services services(*cl, sc);
  if (auto st = services.start(); !st) {
    if (pcap.empty()) return st;
    return make_error(st.error().code, st.error().message + " (demo --pcap listens on the standard ports 3804, 2445, "
                                                            "6970 and 6971: stop what holds them, e.g. a running serve)");
  }
  // The config's capfList must point at the port CAPF really listens on.
  CUCM_CHECK(db::SettingsStore(cl->db()).set("capf_port", std::to_string(services.capf_port())));
  // And its TVS list at TVS.
  CUCM_CHECK(db::SettingsStore(cl->db()).set("tvs_port", std::to_string(services.tvs_port())));
  // And its call manager at SIP.
  CUCM_CHECK(db::SettingsStore(cl->db()).set("sip_port", std::to_string(services.sip_port())));
  CUCM_CHECK(db::SettingsStore(cl->db()).set("sip_tls_port", std::to_string(services.sip_tls_port())));

  std::cout << fmt::format(
      "cucm-emu demo: encrypted configuration files (seed 004)\n"
      "  cluster {}: TFTP 127.0.0.1:{}, HTTP 127.0.0.1:{}, HTTPS 127.0.0.1:{}, CAPF 127.0.0.1:{}, TVS 127.0.0.1:{}, SIP-TLS 127.0.0.1:{}\n"
      "  {} is on \"{}\" (TFTP encrypted config, CAPF by null string{}); the phone has only its MIC,\n"
      "  issued by the lab manufacturing CA that CAPF trusts\n\n",
      dir.string(), services.tftp_port(), services.http_port(), services.https_port(), services.capf_port(),
      services.tvs_port(), services.sip_tls_port(), phone.device, phone.profile, a.sip ? ", an LSC install scheduled" : "");
  phone::BootOptions o;
  o.device = phone.device;
  o.tftp_port = services.tftp_port();
  o.http_port = services.http_port();
  o.https_port = services.https_port();
  o.sip_port = services.sip_port();
  o.sip_tls_port = services.sip_tls_port();
  o.state_dir = dir / "phone";
  // The phone's MIC comes from the lab's manufacturing CA, which CAPF trusts (made by services.start).
  CUCM_TRY(auto manufacturer, signer::LabManufacturer::open(dir));
  o.manufacturer = &manufacturer;
  CUCM_TRY(o.profile, phone::firmware_profile(phone_profile));
  auto result = phone::boot(o);
  std::uint16_t tftp_port = services.tftp_port();
  services.stop();
  services.wait();
  if (capture) CUCM_CHECK(capture->stop());
  CUCM_CHECK(result);
  print_ladder(*result, true, a.hex);
  if (capture) CUCM_CHECK(finish_pcap(raw, keylog->path(), pcap, tftp_port));

  CUCM_CHECK(print_outcome(*cl, phone, *result, a.sip));
  std::cout << "\ndemo: OK. Next: 'cucm-emu serve' for real phones, 'cucm-emu phone boot --help' to drive one.\n";
  return Ok{};
}

}  // namespace

void add_demo_command(CLI::App& app, GlobalOptions& g, int& rc) {
  auto a = std::make_shared<DemoArgs>();
  auto* d = app.add_subcommand("demo", "Seed 004 live: a demo cluster serves, a simulated phone boots through CAPF");
  d->add_option("--profile", a->profile, "The phone's firmware behaviour: 79xx or 88xx")->capture_default_str();
  d->add_option("--tls-keylog", a->tls_keylog,
                "Append the secrets of the demo's CAPF, TVS and HTTPS sessions to FILE (NSS key log, for Wireshark)")
      ->type_name("FILE");
  d->add_flag("--hex", a->hex, "Show the bytes of every CAPF and TVS message too");
  d->add_flag("--sip", a->sip,
              "An 8845 (SIP, 88xx firmware) on the encrypted SIP profile instead of the seed's 7942, with an LSC "
              "install scheduled: its boot ends registered over TLS with the LSC CAPF gives it");
  d->add_option("--pcap", a->pcap,
                "Record the demo on loopback into FILE (pcapng, TLS secrets inside) with dumpcap, on the standard "
                "ports; its key log goes to FILE.keylog")
      ->type_name("FILE");
  d->callback([&g, &rc, a] { rc = guarded([&] { return run_demo(g, *a); }); });
}

}  // namespace cucm::app
