// cucm-emu scenario run SEP…: each fault in turn, the device's next boot watched and judged
// (issue 18, item 4). Against a real phone it needs `serve` running on the same data folder; with
// --simulate it boots our simulator against servers of its own, in a copy of the data folder, so
// that the lab's devices and event log are left as they were.
#include <unistd.h>

#include <algorithm>
#include <fstream>
#include <iostream>
#include <sstream>

#include <CLI/CLI.hpp>
#include <fmt/format.h>

#include "app/common.hpp"
#include "app/table.hpp"
#include "cluster/services.hpp"
#include "db/device_store.hpp"
#include "db/settings_store.hpp"
#include "fault/runner.hpp"
#include "phone/boot.hpp"
#include "signer/lab_manufacturer.hpp"

namespace cucm::app {
namespace {
namespace fs = std::filesystem;

struct RunArgs {
  std::string device, faults, junit, profile = "88xx";
  bool all = false, simulate = false, json = false;
  int per_boot_timeout = 300, quiet = 10;
};

Result<std::vector<const fault::FaultSpec*>> chosen_faults(const RunArgs& a) {
  std::vector<const fault::FaultSpec*> out;
  if (a.all == !a.faults.empty()) return make_error(Errc::InvalidArgument, "say which faults: --faults a,b,... or --all");
  if (a.all) {
    for (const auto& f : fault::all_faults()) out.push_back(&f);
    return out;
  }
  std::stringstream in(a.faults);
  for (std::string name; std::getline(in, name, ',');) {
    const fault::FaultSpec* f = fault::find_fault(name);
    if (!f) return make_error(Errc::InvalidArgument, fmt::format("unknown fault '{}': `cucm-emu scenario list` names them", name));
    out.push_back(f);
  }
  return out;
}

std::string xml_escape(std::string_view s) {
  std::string out;
  for (char c : s) {
    switch (c) {
      case '&': out += "&amp;"; break;
      case '<': out += "&lt;"; break;
      case '>': out += "&gt;"; break;
      case '"': out += "&quot;"; break;
      default: out += c;
    }
  }
  return out;
}

bool failed(const fault::FaultReport& r) {
  auto v = r.judgement.verdict;
  return !r.skipped && v != fault::Verdict::AsExpected && v != fault::Verdict::Recorded;
}

std::string verdict_text(const fault::FaultReport& r) {
  return r.skipped ? "skipped (planned)" : fault::verdict_name(r.judgement.verdict);
}

// JUnit XML for a firmware test pipeline: one test case per fault, a failure for every verdict
// other than "as expected" or "recorded", the observed sequence as its output.
Status write_junit(const std::string& path, const std::string& device, const std::vector<fault::FaultReport>& rs) {
  std::size_t failures = std::count_if(rs.begin(), rs.end(), failed);
  std::size_t skipped = std::count_if(rs.begin(), rs.end(), [](const auto& r) { return r.skipped; });
  std::string x = fmt::format("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<testsuite name=\"cucm-emu scenarios {}\" "
                              "tests=\"{}\" failures=\"{}\" skipped=\"{}\">\n",
                              device, rs.size(), failures, skipped);
  for (const auto& r : rs) {
    x += fmt::format("  <testcase classname=\"{}\" name=\"{}\">\n", device, xml_escape(r.spec->name));
    if (r.skipped) x += "    <skipped message=\"planned: not applied by this build\"/>\n";
    if (failed(r)) {
      x += fmt::format("    <failure message=\"{}: {}\"/>\n", verdict_text(r), xml_escape(r.judgement.why));
    }
    std::string out;
    for (const auto& l : r.observed.sequence) out += l + "\n";
    if (!out.empty()) x += fmt::format("    <system-out>{}</system-out>\n", xml_escape(out));
    x += "  </testcase>\n";
  }
  x += "</testsuite>\n";
  std::ofstream f(path, std::ios::binary | std::ios::trunc);
  if (!(f << x)) return make_error(Errc::Unavailable, fmt::format("--junit {}: cannot write", path));
  return Ok{};
}

nlohmann::json report_json(const fault::FaultReport& r) {
  return {{"fault", std::string(r.spec->name)},
          {"expected", fault::reaction_name(r.spec->reaction)},
          {"expected_text", std::string(r.spec->reaction_text)},
          {"observed", r.skipped ? "" : fault::reaction_name(r.judgement.observed)},
          {"verdict", verdict_text(r)},
          {"why", r.judgement.why},
          {"sequence", r.observed.sequence}};
}

// The simulator's side of --simulate: a fresh phone, or one that booted once before the fault
// (fault::needs_enrolled_phone), against the copy's own servers on loopback.
struct Simulation {
  std::unique_ptr<cluster::Cluster> cl;
  std::optional<cluster::Services> services;
  std::optional<signer::LabManufacturer> manufacturer;
  phone::BootOptions opts;

  Status prepare(const fault::FaultSpec& f) {
    cl->faults()->refresh();  // the fault before this one is cleared: gone from the servers too
    opts.transport = "auto";
    std::error_code ec;
    fs::remove_all(opts.state_dir, ec);
    CUCM_CHECK(db::DeviceStore(cl->db()).clear_certificate(opts.device));
    if (!fault::needs_enrolled_phone(f)) return Ok{};
    CUCM_TRY(auto r, phone::boot(opts));
    services->wait_transfers(std::chrono::seconds(10));
    cl->events()->flush();  // its events come before the runner's mark, not into the judged boot
    if (!r.full_config) return make_error(Errc::Internal, "the boot before " + std::string(f.name) + " failed: " + r.failure);
    return Ok{};
  }
  Status boot(const fault::FaultSpec& f) {
    cl->faults()->refresh();
    opts.transport = f.layer == fault::Layer::Tftp ? "tftp" : "auto";  // a TFTP fault needs a phone that asks over TFTP
    // A TVS fault needs a phone that asks TVS: about its ITL's CallManager certificate, once the
    // full config is in (so that it knows its TVS).
    opts.ask_tvs = f.layer == fault::Layer::Tvs;
    CUCM_TRY(auto r, phone::boot(opts));
    opts.ask_tvs = false;
    services->wait_transfers(std::chrono::seconds(10));  // a TFTP transfer's event comes at its last ACK
    services->wait_tvs_sessions(std::chrono::seconds(10));  // an unanswered query's event may come after the phone left
    cl->events()->flush();
    return Ok{};
  }
};

Result<std::unique_ptr<Simulation>> start_simulation(const GlobalOptions& g, const RunArgs& a, const fs::path& copy) {
  CUCM_TRY(auto src, cluster_db(g));
  fs::create_directories(copy);
  // A consistent copy even while serve writes (one read transaction); the path goes as a parameter.
  CUCM_TRY(auto vacuum, src.prepare("VACUUM INTO ?1"));
  std::string target = (copy / "cucm.db").string();
  vacuum.bind(1, std::string_view(target));
  CUCM_TRY(bool row, vacuum.step());
  (void)row;
  std::error_code ec;
  fs::copy(g.data_dir / "pki", copy / "pki", fs::copy_options::recursive, ec);
  if (ec) return make_error(Errc::Unavailable, fmt::format("--simulate: cannot copy {}: {}", (g.data_dir / "pki").string(), ec.message()));
  auto s = std::make_unique<Simulation>();
  cluster::Config cfg;
  cfg.faults = true;
  CUCM_TRY(s->cl, cluster::Cluster::open(copy, cfg));
  s->services.emplace(*s->cl, cluster::loopback_services());
  CUCM_CHECK(s->services->start());
  CUCM_TRY(s->manufacturer, signer::LabManufacturer::open(copy));
  // The configs name the copy's TVS (the copy's setting: the lab's stays as it was).
  CUCM_CHECK(db::SettingsStore(s->cl->db()).set("tvs_port", std::to_string(s->services->tvs_port())));
  CUCM_TRY(auto settings, db::SettingsStore(s->cl->db()).settings());
  phone::BootOptions& o = s->opts;
  o.device = a.device;
  o.tftp_port = s->services->tftp_port();
  o.http_port = s->services->http_port();
  o.https_port = s->services->https_port();
  // The copy's registrar, wherever the lab's configs say SIP is (a SIP device registers at the end
  // of its boot).
  o.sip_port = s->services->sip_port();
  o.sip_tls_port = s->services->sip_tls_port();
  o.capf_redirect = std::pair<std::uint16_t, std::uint16_t>(static_cast<std::uint16_t>(settings.capf_port),
                                                             s->services->capf_port());
  o.state_dir = copy / "phone";
  CUCM_TRY(o.profile, phone::firmware_profile(a.profile));
  o.timeout = std::chrono::seconds(2);
  o.manufacturer = &*s->manufacturer;
  return s;
}

void print_progress(const fault::FaultReport& r) {
  std::cout << fmt::format("{:<24} {:<20} {:<20} {}\n", r.spec->name, fault::reaction_name(r.spec->reaction),
                           r.skipped ? "-" : fault::reaction_name(r.judgement.observed), verdict_text(r));
  std::cout.flush();
}

Status run(const GlobalOptions& g, RunArgs a) {
  CUCM_TRY(a.device, db::normalise_device_name(a.device));
  CUCM_TRY(auto faults, chosen_faults(a));
  if (a.per_boot_timeout < 1 || a.per_boot_timeout > 3600) return make_error(Errc::InvalidArgument, "--per-boot-timeout must be 1..3600 s");
  if (a.quiet < 1 || a.quiet > a.per_boot_timeout) {
    return make_error(Errc::InvalidArgument, fmt::format("--quiet must be 1..{} s (at most --per-boot-timeout)", a.per_boot_timeout));
  }
  {
    CUCM_TRY(auto db, cluster_db(g));
    if (auto d = db::DeviceStore(db).get(a.device); !d) return std::move(d).error();
  }
  fault::RunOptions o;
  o.device = a.device;
  o.faults = faults;
  o.per_boot_timeout = std::chrono::seconds(a.per_boot_timeout);
  o.quiet = std::chrono::seconds(a.quiet);
  auto progress = [&](const fault::FaultReport& r) { if (!a.json) print_progress(r); };
  if (!a.json) std::cout << fmt::format("{:<24} {:<20} {:<20} {}\n", "FAULT", "EXPECTED", "OBSERVED", "VERDICT");
  Result<std::vector<fault::FaultReport>> reports = std::vector<fault::FaultReport>{};
  if (a.simulate) {
    auto copy = fs::temp_directory_path() / fmt::format("cucm-scenario-{}", ::getpid());
    std::unique_ptr<Simulation> sim;
    auto started = start_simulation(g, a, copy);
    if (started) {
      sim = std::move(*started);
      o.prepare = [&](const fault::FaultSpec& f) { return sim->prepare(f); };
      o.boot = [&](const fault::FaultSpec& f) { return sim->boot(f); };
      reports = fault::run_scenarios(sim->cl->db(), o, progress);
    }
    sim.reset();
    std::error_code ec;
    fs::remove_all(copy, ec);
    if (!started) return std::move(started).error();
  } else {
    CUCM_TRY(auto db, cluster_db(g));
    o.waiting = [&](const fault::FaultSpec& f) {
      if (!a.json) std::cout << fmt::format("# {} armed for {}: reset the phone now (waiting up to {} s)\n", f.name, a.device, a.per_boot_timeout);
      std::cout.flush();
    };
    reports = fault::run_scenarios(db, o, progress);
  }
  if (!reports) return std::move(reports).error();
  if (a.json) {
    auto arr = nlohmann::json::array();
    for (const auto& r : *reports) arr.push_back(report_json(r));
    print_json(arr);
  }
  if (!a.junit.empty()) CUCM_CHECK(write_junit(a.junit, a.device, *reports));
  auto bad = std::count_if(reports->begin(), reports->end(), failed);
  if (bad) return make_error(Errc::Unauthenticated, fmt::format("{} of {} faults not as expected", bad, reports->size()));
  return Ok{};
}

}  // namespace

void add_scenario_run_command(CLI::App& scenario, GlobalOptions& g, int& rc) {
  auto a = std::make_shared<RunArgs>();
  auto* r = scenario.add_subcommand("run", "Arm each fault in turn, watch the phone's next boot in the event log, and "
                                           "judge its reaction (needs serve running on this data folder, or --simulate)");
  r->add_option("device", a->device, "The phone under test, SEP + 12 hex digits")->required();
  r->add_option("--faults", a->faults, "Comma-separated fault names, in this order");
  r->add_flag("--all", a->all, "Every fault of `scenario list` (planned ones are reported as skipped)");
  r->add_option("--per-boot-timeout", a->per_boot_timeout, "Seconds to wait for each boot (1..3600)")->default_val(300);
  r->add_option("--quiet", a->quiet, "A boot is over after this many seconds without a request from the phone")
      ->default_val(10);
  r->add_flag("--simulate", a->simulate,
              "Boot our phone simulator instead of waiting for a real phone, against servers of its own in a copy of "
              "the data folder (the lab's devices and events are untouched)");
  r->add_option("--profile", a->profile, "With --simulate: the simulator's firmware profile, 88xx or 79xx")->default_val("88xx");
  r->add_flag("--json", a->json, "The report as JSON");
  r->add_option("--junit", a->junit, "Also write the report as JUnit XML to this file");
  r->callback([&g, &rc, a] { rc = guarded([&] { return run(g, *a); }); });
}

}  // namespace cucm::app
