// cucm-emu scenario list|set|show|clear: the named server-side faults of issue 18, armed in the
// database for a lab to watch how a phone reacts to a server that misbehaves.
#include <charconv>
#include <chrono>
#include <iostream>
#include <optional>

#include <CLI/CLI.hpp>
#include <fmt/format.h>

#include "admin/faults.hpp"
#include "app/common.hpp"
#include "app/table.hpp"
#include "db/model.hpp"
#include "fault/arm_text.hpp"
#include "fault/catalog.hpp"
#include "fault/store.hpp"

namespace cucm::app {

void add_scenario_run_command(CLI::App& scenario, GlobalOptions& g, int& rc);  // cmd_scenario_run.cpp

namespace {

std::string str(std::string_view v) { return std::string(v); }

// "port 1..65535 (3805)": what a fault takes, for the catalog's table.
std::string param_ranges(const fault::FaultSpec& f) {
  std::string out;
  for (const auto& p : f.params) {
    out += fmt::format("{}{} {}..{} ({})", out.empty() ? "" : ", ", p.name, p.min, p.max, p.fallback);
  }
  return out.empty() ? "-" : out;
}

Status list(bool json) {
  if (json) {
    auto arr = nlohmann::json::array();
    for (const auto& f : fault::all_faults()) arr.push_back(admin::fault_spec_json(f));
    print_json(arr);
    return Ok{};
  }
  std::vector<std::vector<std::string>> cells;
  for (const auto& f : fault::all_faults()) {
    cells.push_back({str(f.name), fault::layer_name(f.layer), f.ready ? "applied" : "planned",
                     fault::reaction_name(f.reaction), param_ranges(f), str(f.description)});
  }
  std::cout << format_table(
      {"fault", "layer", "state", "a correct phone", "params min..max (default)", "what the server does"}, cells);
  std::cout << "`cucm-emu scenario list --json` adds each reaction's source and what the fault reproduces.\n";
  return Ok{};
}

struct SetArgs {
  std::string fault, device, count, until;
  bool all = false;
  std::vector<std::string> params;
};

// --count is read here rather than by CLI11, so that a bad one is one line and exit code 1 like
// every other refusal of `scenario set`.
Result<std::optional<std::int64_t>> count_flag(const std::string& text) {
  if (text.empty()) return std::optional<std::int64_t>{};
  std::int64_t v = 0;
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), v);
  if (ec != std::errc{} || end != text.data() + text.size()) {
    return make_error(Errc::InvalidArgument,
                      fmt::format("--count {}: expected how many times to apply it, 1..1000000", text));
  }
  return std::optional<std::int64_t>{v};
}

Status set(const GlobalOptions& g, const SetArgs& s) {
  fault::ArmRequest r;
  r.fault = s.fault;
  r.device = s.device;
  r.all = s.all;
  CUCM_TRY(r.count, count_flag(s.count));
  if (!s.until.empty()) r.until = s.until;
  r.params = s.params;
  CUCM_TRY(auto db, cluster_db(g));
  CUCM_TRY(auto a, admin::arm_fault(db, r, admin::cli_actor()));
  std::string who = a.device.empty() ? "every device" : a.device;
  std::string params = a.params.empty() ? "" : fmt::format(" ({})", fault::params_text(a.params));
  std::cout << fmt::format("armed {} for {}: {}{}; {}\n", a.fault, who, admin::how_long(a), params,
                           admin::expected_reaction(*a.spec));
  return Ok{};
}

Status show(const GlobalOptions& g, bool json) {
  CUCM_TRY(auto db, cluster_db(g));
  CUCM_TRY(auto armed, fault::FaultStore(db).list());
  auto now = std::chrono::system_clock::now();
  if (json) {
    auto arr = nlohmann::json::array();
    for (const auto& a : armed) arr.push_back(admin::armed_fault_json(a, now));
    print_json(arr);
    return Ok{};
  }
  if (armed.empty()) {
    std::cout << "no fault is armed (`cucm-emu scenario set FAULT --device SEP<MAC>` or `--all` arms one)\n";
    return Ok{};
  }
  std::vector<std::vector<std::string>> cells;
  for (const auto& a : armed) {
    std::string until = a.until ? fault::format_time(*a.until) + (a.active_at(now) ? "" : " (passed)") : "-";
    cells.push_back({a.fault, a.device.empty() ? "all" : a.device,
                     a.remaining ? std::to_string(*a.remaining) : "until cleared", until,
                     a.params.empty() ? "-" : fault::params_text(a.params), fault::format_time(a.armed_at)});
  }
  std::cout << format_table({"fault", "device", "remaining", "until (UTC)", "params", "armed at (UTC)"}, cells);
  return Ok{};
}

Status clear(const GlobalOptions& g, const std::string& name, const std::string& device) {
  CUCM_TRY(auto db, cluster_db(g));
  CUCM_TRY(int n, admin::clear_faults(db, name, device, admin::cli_actor()));
  std::string dev = device.empty() ? "" : db::normalise_device_name(device).value();  // clear_faults took it
  std::string which = fmt::format("{} for {}", name.empty() ? "every fault" : name,
                                  dev.empty() ? "any device" : dev);
  std::cout << fmt::format("cleared {} armed fault{} ({})\n", n, n == 1 ? "" : "s", which);
  return Ok{};
}

}  // namespace

void add_scenario_commands(CLI::App& app, GlobalOptions& g, int& rc) {
  auto* sc = app.add_subcommand("scenario", "Named server-side faults (a bad signature, an HTTP error, ...) armed to "
                                            "see how a phone reacts");
  sc->require_subcommand(1);

  auto list_json = std::make_shared<bool>(false);
  auto* ls = sc->add_subcommand("list",
                                "Every fault this build knows: what the server does, what a correct phone does");
  ls->add_flag("--json", *list_json, "Every field, with the reaction's source and what the fault reproduces");
  ls->callback([&rc, list_json] { rc = guarded([&] { return list(*list_json); }); });

  auto a = std::make_shared<SetArgs>();
  auto* st = sc->add_subcommand("set", "Arm a fault for one device or every device (re-arming replaces it)");
  st->add_option("fault", a->fault, "The fault's name, as `scenario list` shows it")->required();
  st->add_option("--device", a->device, "The phone it is applied to, SEP + 12 hex digits");
  st->add_flag("--all", a->all, "Apply it to every device");
  st->add_option("--count", a->count, "Apply it this many times, then disarm it (1..1000000; default: until cleared)");
  st->add_option("--until", a->until,
                 "Apply it until this UTC time (2026-12-05T23:00:00Z, \"2026-12-05 23:00:00\") or for a duration "
                 "(90s, 10m, 2h, 1d)");
  st->add_option("--param", a->params, "NAME=VALUE for one of the fault's parameters (repeat, or comma-separate)")
      ->delimiter(',')
      ->allow_extra_args(false);
  st->callback([&g, &rc, a] { rc = guarded([&] { return set(g, *a); }); });

  auto show_json = std::make_shared<bool>(false);
  auto* sh = sc->add_subcommand("show", "The armed faults: device, applications left, end, parameters");
  sh->add_flag("--json", *show_json, "Machine-readable output");
  sh->callback([&g, &rc, show_json] { rc = guarded([&] { return show(g, *show_json); }); });

  auto name = std::make_shared<std::string>();
  auto device = std::make_shared<std::string>();
  auto* cl = sc->add_subcommand("clear", "Disarm a fault, or every fault, for one device or every device");
  cl->add_option("fault", *name, "Only this fault (default: every fault)");
  cl->add_option("--device", *device, "Only the faults armed for this phone (default: for any device, all included)");
  cl->callback([&g, &rc, name, device] { rc = guarded([&] { return clear(g, *name, *device); }); });

  add_scenario_run_command(*sc, g, rc);
}

}  // namespace cucm::app
