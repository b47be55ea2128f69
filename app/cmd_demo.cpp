// cucm-emu demo: seed 004's encrypted-configuration flow, live. A demo cluster (its own keys and
// database under DATA/demo) serves TFTP, HTTP and CAPF on loopback ports; a simulated phone with
// only a MIC boots against it, goes through CAPF, and ends with a decrypted full config.
#include <iostream>
#include <thread>

#include <boost/asio/io_context.hpp>
#include <CLI/CLI.hpp>
#include <fmt/format.h>

#include "app/common.hpp"
#include "app/table.hpp"
#include "capf/server.hpp"
#include "db/device_store.hpp"
#include "db/schema.hpp"
#include "db/settings_store.hpp"
#include "phone/boot.hpp"
#include "tftp/http_server.hpp"
#include "tftp/tftp_server.hpp"

namespace cucm::app {
namespace fs = std::filesystem;
namespace {

constexpr const char* kDevice = "SEPA45630BBFA40";  // the phone of seed 004
constexpr const char* kProfile = "Cisco 7942 - Standard SCCP Encrypted Config";

Status run_demo(const GlobalOptions& g, const std::string& phone_profile) {
  fs::path dir = g.data_dir / "demo";
  CUCM_TRY(auto pki, signer::ClusterPki::load_or_create(dir, {}));
  CUCM_TRY(auto db, db::open_cluster_db(dir));
  db::DeviceStore devices(db);
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

  boost::asio::io_context io;
  catalog::CachedCatalog cat(db, pki, {dir / "static", signer::HashAlg::Sha1}, 16 << 20);
  tftp::TftpConfig tc;
  tc.address = "127.0.0.1";
  tc.port = 0;
  tftp::TftpServer tftp(io, tc, cat, nullptr);
  CUCM_CHECK(tftp.start());
  tftp::HttpConfig hc;
  hc.address = "127.0.0.1";
  hc.port = 0;
  tftp::HttpServer http(io, hc, cat, nullptr);
  CUCM_CHECK(http.start());
  capf::CapfConfig cc;
  cc.address = "127.0.0.1";
  cc.port = 0;
  cc.tls_min = "1.0";
  cc.data_dir = dir;
  CUCM_TRY(auto capf_db, db::open_cluster_db(dir));
  capf::Context ctx{cc, pki, {}, {}, std::move(capf_db), nullptr};
  capf::CapfServer capf(io, ctx);
  CUCM_CHECK(capf.start());
  CUCM_CHECK(db::SettingsStore(db).set("capf_port", std::to_string(capf.local_endpoint().port())));
  std::thread server([&io] { io.run(); });

  std::cout << fmt::format(
      "cucm-emu demo: encrypted configuration files (seed 004)\n"
      "  cluster {}: TFTP 127.0.0.1:{}, HTTP 127.0.0.1:{}, CAPF 127.0.0.1:{}\n"
      "  {} is on \"{}\" (TFTP encrypted config, CAPF by null string); the phone has only its MIC\n\n",
      dir.string(), tftp.local_endpoint().port(), http.local_endpoint().port(), capf.local_endpoint().port(), kDevice,
      kProfile);
  phone::BootOptions o;
  o.device = kDevice;
  o.tftp_port = tftp.local_endpoint().port();
  o.http_port = http.local_endpoint().port();
  o.state_dir = dir / "phone";
  CUCM_TRY(o.profile, phone::firmware_profile(phone_profile));
  auto result = phone::boot(o);
  tftp.stop();
  http.stop();
  capf.stop();
  io.stop();
  server.join();
  CUCM_CHECK(result);
  print_ladder(*result, true);

  auto d = devices.get(kDevice);
  std::cout << "\nadmin:run sql select md5hash,name from device where name='" << kDevice << "'\n"
            << format_table({"md5hash", "name"}, {{d ? d->md5hash : "", kDevice}});
  if (!result->full_config) return make_error(Errc::Internal, "demo: the phone did not reach its full config");
  std::cout << "\ndemo: OK. Next: 'cucm-emu serve' for real phones, 'cucm-emu phone boot --help' to drive one.\n";
  return Ok{};
}

}  // namespace

void add_demo_command(CLI::App& app, GlobalOptions& g, int& rc) {
  auto profile = std::make_shared<std::string>("79xx");
  auto* d = app.add_subcommand("demo", "Seed 004 live: a demo cluster serves, a simulated phone boots through CAPF");
  d->add_option("--profile", *profile, "The phone's firmware behaviour: 79xx or 88xx")->capture_default_str();
  d->callback([&g, &rc, profile] { rc = guarded([&] { return run_demo(g, *profile); }); });
}

}  // namespace cucm::app
