// `cucm-emu scenario run` (issue 18, item 4): each fault in turn is armed for one device, the
// device's next boot is watched in the event log, and the judge compares what it did with what the
// catalog expects. For a real phone the runner waits for the boot; with --simulate the caller
// boots our simulator instead (the hooks below), which is how CI proves every verdict.
#pragma once

#include <chrono>
#include <functional>
#include <string>
#include <vector>

#include "core/result.hpp"
#include "db/sqlite.hpp"
#include "fault/catalog.hpp"
#include "fault/judge.hpp"
#include "fault/store.hpp"

namespace cucm::fault {

struct RunOptions {
  std::string device;                      // SEP<MAC>, known to the database
  std::vector<const FaultSpec*> faults;    // in this order; planned ones are reported as skipped
  std::chrono::milliseconds per_boot_timeout{std::chrono::minutes(5)};
  // A real phone's boot is over once it has asked for nothing this long (it has its config, or
  // has given up); with hooks, once `boot` returns.
  std::chrono::milliseconds quiet{std::chrono::seconds(10)};
  std::chrono::milliseconds poll{200};
  // --simulate: `prepare` runs before the fault is armed (a fresh or an enrolled phone, as the
  // fault needs), `boot` after it (a boot of the simulator, its events flushed when it returns).
  std::function<Status(const FaultSpec&)> prepare;
  std::function<Status(const FaultSpec&)> boot;
  // Told when a fault is armed and the runner waits for a real phone.
  std::function<void(const FaultSpec&)> waiting;
};

struct FaultReport {
  const FaultSpec* spec = nullptr;
  bool skipped = false;        // planned: not applied by this build
  Observation observed;
  Judgement judgement;
};

// Whether a fault shows only on a phone that already holds this cluster's ITL and has its key on
// record (ITL replacement, certHash and encrypted-config faults), rather than on a phone on its
// way to CAPF. --simulate prepares the simulator accordingly; a lab prepares its phone.
bool needs_enrolled_phone(const FaultSpec& f);

// Whether a fault acts only in a CAPF session that installs an LSC (the capf-lsc-* faults and
// capf-drop-before-store): the runner schedules an install for the device before it arms one.
bool needs_install(const FaultSpec& f);

// Runs the faults one after another. Each is cleared when its boot is judged, and every fault of
// the device is cleared before the first. Errors are the database's, or a hook's; `report` is
// called after each fault.
Result<std::vector<FaultReport>> run_scenarios(const db::Database& db, const RunOptions& o,
                                               const std::function<void(const FaultReport&)>& report);

}  // namespace cucm::fault
