// cucm-emu sip registrations: the phone lines registered with the SIP registrar of `serve`, as
// CUCM's Real-Time Monitoring shows registered devices.
#include <ctime>
#include <iostream>

#include <CLI/CLI.hpp>

#include "app/common.hpp"
#include "admin/views.hpp"
#include "app/sip_registrations.hpp"
#include "db/device_store.hpp"
#include "db/sip_store.hpp"

namespace cucm::app {
namespace {

struct SipArgs {
  std::string device;
  bool json = false;
};

Status registrations(const GlobalOptions& g, const SipArgs& a) {
  CUCM_TRY(auto db, cluster_db(g));
  std::string device;
  if (!a.device.empty()) {
    CUCM_TRY(device, db::normalise_device_name(a.device));
    CUCM_CHECK(db::DeviceStore(db).get(device));  // NotFound names the device
  }
  std::time_t now = std::time(nullptr);
  CUCM_TRY(auto regs, db::SipStore(db).registrations(now, device));
  if (a.json) {
    print_json(admin::registrations_json(regs, now));
  } else if (regs.empty()) {
    std::cout << "no registration (serve's SIP registrar records them: a phone registers after its full config)\n";
  } else {
    std::cout << registrations_table(regs, now);
  }
  return Ok{};
}

}  // namespace

void add_sip_commands(CLI::App& app, GlobalOptions& g, int& rc) {
  auto* sip = app.add_subcommand("sip", "SIP: the registrations of phone lines");
  sip->require_subcommand(1);
  auto a = std::make_shared<SipArgs>();
  auto* regs = sip->add_subcommand("registrations", "Phone lines registered now, with their contact and expiry");
  regs->add_option("--device", a->device, "Only this phone's lines");
  regs->add_flag("--json", a->json, "As JSON");
  regs->callback([&g, &rc, a] { rc = guarded([&] { return registrations(g, *a); }); });
}

}  // namespace cucm::app
