// cucm-emu demo: seed 004's encrypted-configuration flow, live. A demo cluster (its own keys and
// database under DATA/demo) serves TFTP, HTTP and CAPF on loopback ports; a simulated phone with
// only a MIC boots against it, goes through CAPF, and ends with a decrypted full config.
#include <iostream>
#include <thread>

#include <CLI/CLI.hpp>
#include <fmt/format.h>

#include "app/common.hpp"
#include "app/table.hpp"
#include "cluster/services.hpp"
#include "db/device_store.hpp"
#include "db/settings_store.hpp"
#include "phone/boot.hpp"

namespace cucm::app {
namespace fs = std::filesystem;
namespace {

constexpr const char* kDevice = "SEPA45630BBFA40";  // the phone of seed 004
constexpr const char* kProfile = "Cisco 7942 - Standard SCCP Encrypted Config";

struct DemoArgs {
  std::string profile = "79xx", tls_keylog;
  bool hex = false;
};

Status run_demo(const GlobalOptions& g, const DemoArgs& a) {
  const std::string& phone_profile = a.profile;
  fs::path dir = g.data_dir / "demo";
  cluster::Config cfg;
  cfg.cache_bytes = 16u << 20;
  cfg.events = false;
  CUCM_TRY(auto cl, cluster::Cluster::open(dir, cfg));
  db::DeviceStore devices(cl->db());
  if (!devices.get(kDevice)) {
    db::Device d;
    d.name = kDevice;
    d.description = "seed 004 demo phone";
    d.product = "Cisco 7942";
    d.protocol = "SCCP";
    d.profile = kProfile;
    d.lines = {db::Line{1, "1001", "Demo", "", ""}};
    CUCM_CHECK(devices.add(d));
  }
  CUCM_CHECK(devices.clear_certificate(kDevice));  // every run shows the whole flow
  std::error_code ec;
  fs::remove_all(dir / "phone", ec);

  auto sc = cluster::loopback_services();
  sc.capf->tls_min = "1.0";  // the 79xx profile speaks TLS 1.0, as in the seed's capture
  // The server side sees every TLS session of the demo: its key log is enough to decrypt them all.
  CUCM_TRY(auto keylog, open_tls_keylog(a.tls_keylog, "CAPF, TVS and HTTPS"));
  sc.capf->tls_keylog = sc.tvs->tls_keylog = sc.https->tls_keylog = keylog;
  cluster::Services services(*cl, sc);
  CUCM_CHECK(services.start());
  // The config's capfList must point at the port CAPF really listens on.
  CUCM_CHECK(db::SettingsStore(cl->db()).set("capf_port", std::to_string(services.capf_port())));
  // And its TVS list at TVS.
  CUCM_CHECK(db::SettingsStore(cl->db()).set("tvs_port", std::to_string(services.tvs_port())));

  std::cout << fmt::format(
      "cucm-emu demo: encrypted configuration files (seed 004)\n"
      "  cluster {}: TFTP 127.0.0.1:{}, HTTP 127.0.0.1:{}, HTTPS 127.0.0.1:{}, CAPF 127.0.0.1:{}, TVS 127.0.0.1:{}\n"
      "  {} is on \"{}\" (TFTP encrypted config, CAPF by null string); the phone has only its MIC,\n"
      "  issued by the lab manufacturing CA that CAPF trusts\n\n",
      dir.string(), services.tftp_port(), services.http_port(), services.https_port(), services.capf_port(),
      services.tvs_port(), kDevice, kProfile);
  phone::BootOptions o;
  o.device = kDevice;
  o.tftp_port = services.tftp_port();
  o.http_port = services.http_port();
  o.https_port = services.https_port();
  o.state_dir = dir / "phone";
  // The phone's MIC comes from the lab's manufacturing CA, which CAPF trusts (made by services.start).
  CUCM_TRY(auto manufacturer, signer::LabManufacturer::open(dir, false));
  o.manufacturer = &manufacturer;
  CUCM_TRY(o.profile, phone::firmware_profile(phone_profile));
  auto result = phone::boot(o);
  services.stop();
  services.wait();
  CUCM_CHECK(result);
  print_ladder(*result, true, a.hex);

  auto d = devices.get(kDevice);
  std::cout << "\nadmin:run sql select md5hash,name from device where name='" << kDevice << "'\n"
            << format_table({"md5hash", "name"}, {{d ? d->md5hash : "", kDevice}});
  if (!result->full_config) return make_error(Errc::Internal, "demo: the phone did not reach its full config");
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
  d->callback([&g, &rc, a] { rc = guarded([&] { return run_demo(g, *a); }); });
}

}  // namespace cucm::app
