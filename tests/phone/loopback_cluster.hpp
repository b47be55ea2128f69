// The phone tests' cluster: a PKI, a database and every server of cluster::Services in a folder,
// on ephemeral loopback ports, plus the helpers the end-to-end tests share.
#pragma once

#include <filesystem>
#include <memory>
#include <optional>
#include <string>
#include <unistd.h>

#include <gtest/gtest.h>

#include "cluster/services.hpp"
#include "db/device_store.hpp"
#include "db/settings_store.hpp"
#include "phone/boot.hpp"
#include "signer/lab_manufacturer.hpp"

namespace cucm::phone::test {
namespace fs = std::filesystem;

// One cluster (PKI, database, TFTP + HTTP + CAPF) in a folder, serving on ephemeral ports.
struct Cluster {
  // `fresh`: a new cluster; false: reopen the folder (its identities, its devices). `tvs`: serve it.
  // `tvs_port`: where TVS listens (0: any free port). `keylog`: the servers' TLS key log.
  // `events`: write the event log. Armed faults (`scenario set`) are applied, as by serve.
  explicit Cluster(const fs::path& d, bool fresh = true, bool tvs = true, std::uint16_t tvs_port = 0,
                   std::shared_ptr<signer::TlsKeyLog> keylog = nullptr, bool events = false)
      : dir(d) {
    if (fresh) fs::remove_all(dir);
    cluster::Config cfg;
    cfg.cache_bytes = 16u << 20;
    cfg.events = events;
    cfg.faults = true;
    auto c = cluster::Cluster::open(dir, cfg);
    EXPECT_TRUE(c) << c.error().message;
    cl = std::move(*c);
    db = &cl->db();
    pki = &cl->pki();
    cat = &cl->catalog();
    auto sc = cluster::loopback_services();
    sc.capf->tls_min = "1.0";  // the 79xx profile speaks TLS 1.0
    sc.capf->tls_keylog = sc.tvs->tls_keylog = sc.https->tls_keylog = keylog;
    if (!tvs) sc.tvs.reset();
    if (tvs) sc.tvs->port = tvs_port;
    services.emplace(*cl, sc);
    auto started = services->start();
    EXPECT_TRUE(started) << started.error().message;
    // The config's capfList must point at the port CAPF really listens on.
    EXPECT_TRUE(db::SettingsStore(*db).set("capf_port", std::to_string(services->capf_port())));
    // And the TVS list at TVS (1: a closed port, when TVS is off).
    EXPECT_TRUE(db::SettingsStore(*db).set("tvs_port", std::to_string(tvs ? services->tvs_port() : 1)));
    // The phones' MICs come from the lab manufacturing CA that CAPF trusts (made by start()).
    auto m = signer::LabManufacturer::open(dir);
    EXPECT_TRUE(m) << m.error().message;
    manufacturer = std::move(*m);
  }
  void add(const std::string& name, const std::string& profile, const std::string& op = "none", const std::string& auth = "") {
    db::Device d;
    d.name = name;
    d.product = "Cisco 7942";
    d.protocol = "SCCP";
    d.profile = profile;
    ASSERT_TRUE(db::DeviceStore(*db).add(d));
    if (op != "none") {
      ASSERT_TRUE(db::DeviceStore(*db).set_capf(name, db::CapfState{op, auth, "", "Operation Pending", ""}));
    }
  }
  BootOptions boot_options(const std::string& device, const fs::path& state) {
    BootOptions o;
    o.device = device;
    o.tftp_port = services->tftp_port();
    o.http_port = services->http_port();
    o.https_port = services->https_port();
    // The configs name SIP on 5060 and 5061; SIP here listens on ephemeral ports.
    o.sip_port = services->sip_port();
    o.sip_tls_port = services->sip_tls_port();
    o.state_dir = state;
    o.profile = *firmware_profile("88xx");
    o.timeout = std::chrono::seconds(5);
    o.manufacturer = &*manufacturer;
    return o;
  }
  std::string md5hash(const std::string& name) { return db::DeviceStore(*db).get(name)->md5hash; }

  fs::path dir;
  std::unique_ptr<cluster::Cluster> cl;
  db::Database* db = nullptr;
  const signer::ClusterPki* pki = nullptr;
  catalog::CachedCatalog* cat = nullptr;
  std::optional<cluster::Services> services;  // stopped before the cluster goes
  std::optional<signer::LabManufacturer> manufacturer;
};

inline fs::path temp(const std::string& name) {
  return fs::temp_directory_path() / ("cucm-e2e-" + std::to_string(::getpid()) + "-" + name);
}

inline constexpr const char* kEncrypted = "Cisco 7942 - Standard SCCP Encrypted Config";

inline bool ladder_has(const BootResult& r, const std::string& text) {
  for (const auto& s : r.ladder) {
    if (s.what.find(text) != std::string::npos || s.why.find(text) != std::string::npos) return true;
  }
  return false;
}

}  // namespace cucm::phone::test
