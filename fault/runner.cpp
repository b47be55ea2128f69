// The runner: arm, watch (or boot the simulator), judge, clear; one fault at a time.
#include "fault/runner.hpp"

#include <thread>

#include "db/device_store.hpp"
#include "db/event_log.hpp"

namespace cucm::fault {
namespace {
using SteadyClock = std::chrono::steady_clock;

// The newest event's id now: what comes after it belongs to the boot being watched.
Result<std::int64_t> newest_event(const db::Database& db) {
  CUCM_TRY(auto last, db::EventLog(db).tail("", 1));
  return last.empty() ? std::int64_t{0} : last.back().id;
}

// A real phone's boot: from its first event after `after` until it has been quiet for o.quiet,
// and never longer than o.per_boot_timeout. The phone is outside our process: polling the event
// log is the only way to see it.
Result<std::vector<db::Event>> watch_boot(const db::Database& db, const RunOptions& o, std::int64_t after) {
  std::vector<db::Event> events;
  auto start = SteadyClock::now();
  auto last_seen = start;
  std::int64_t cursor = after;
  for (;;) {
    CUCM_TRY(auto more, db::EventLog(db).since(cursor, o.device, 1000));
    auto now = SteadyClock::now();
    if (!more.empty()) {
      cursor = more.back().id;
      events.insert(events.end(), std::make_move_iterator(more.begin()), std::make_move_iterator(more.end()));
      last_seen = now;
    }
    if (!events.empty() && now - last_seen >= o.quiet) break;
    if (now - start >= o.per_boot_timeout) break;
    std::this_thread::sleep_for(o.poll);
  }
  return events;
}

}  // namespace

bool needs_enrolled_phone(const FaultSpec& f) {
  std::string_view n = f.name;
  return n == "itl-bad-signature" || n == "itl-untrusted-signer" || n == "certhash-empty" || n == "enc-wrong-key" ||
         n == "enc-bad-padding" || n == "enc-bad-digest";
}

bool needs_install(const FaultSpec& f) {
  return f.name.starts_with("capf-lsc-") || f.name == "capf-drop-before-store";
}

namespace {

// As `cucm-emu capf install SEP…` would: kept as it is when an install is already pending (with
// the auth string the lab gave it).
Status schedule_install(const db::Database& db, const std::string& device) {
  db::DeviceStore store(db);
  CUCM_TRY(auto d, store.get(device));
  if (d.capf.operation == "install") return Ok{};
  db::CapfState s;
  s.operation = "install";
  s.status = "Operation Pending";
  return store.set_capf(device, s);
}

}  // namespace

Result<std::vector<FaultReport>> run_scenarios(const db::Database& db, const RunOptions& o,
                                               const std::function<void(const FaultReport&)>& report) {
  FaultStore store(db);
  if (auto cleared = store.clear("", o.device); !cleared) return std::move(cleared).error();
  std::vector<FaultReport> out;
  for (const FaultSpec* f : o.faults) {
    FaultReport r;
    r.spec = f;
    if (!f->ready) {
      r.skipped = true;
      report(r);
      out.push_back(std::move(r));
      continue;
    }
    if (o.prepare) CUCM_CHECK(o.prepare(*f));
    if (needs_install(*f)) CUCM_CHECK(schedule_install(db, o.device));
    CUCM_TRY(std::int64_t after, newest_event(db));
    ArmRequest a;
    a.fault = std::string(f->name);
    a.device = o.device;
    if (auto armed = store.arm(a, std::chrono::system_clock::now()); !armed) return std::move(armed).error();
    Result<std::vector<db::Event>> events = std::vector<db::Event>{};
    if (o.boot) {
      Status booted = o.boot(*f);
      events = booted ? db::EventLog(db).since(after, o.device, 100'000) : Result<std::vector<db::Event>>(booted.error());
    } else {
      if (o.waiting) o.waiting(*f);
      events = watch_boot(db, o, after);
    }
    auto cleared = store.clear(f->name, o.device);  // before any error: nothing stays armed
    if (!events) return std::move(events).error();
    if (!cleared) return std::move(cleared).error();
    r.observed = observe(*events, f->name);
    r.judgement = judge(*f, r.observed, static_cast<bool>(o.boot));
    report(r);
    out.push_back(std::move(r));
  }
  return out;
}

}  // namespace cucm::fault
