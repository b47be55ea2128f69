// Armed faults in the database (table armed_fault, migration 011): armed by `cucm-emu scenario
// set`, they survive restarts, and a running serve sees a change within a second (fault/board).
#pragma once

#include <chrono>
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/result.hpp"
#include "db/sqlite.hpp"
#include "fault/catalog.hpp"

namespace cucm::fault {

using SystemTime = std::chrono::system_clock::time_point;

struct ArmedFault {
  std::int64_t id = 0;
  std::string fault;                      // a catalog name
  std::string device;                     // SEP<MAC>, or "" for every device
  std::optional<std::int64_t> remaining;  // applications left; nullopt: until cleared
  std::optional<SystemTime> until;        // no longer applied from then on; nullopt: no end
  std::map<std::string, std::int64_t> params;  // every parameter of the fault, defaults filled in
  SystemTime armed_at{};
  const FaultSpec* spec = nullptr;        // the catalog entry (never null for a stored row)
  bool active_at(SystemTime now) const { return (!until || now < *until) && (!remaining || *remaining > 0); }
};

struct ArmRequest {
  std::string fault;
  std::string device;                     // one device (any case), or empty with all = true
  bool all = false;
  std::optional<std::int64_t> count;      // 1..1'000'000
  std::optional<std::string> until;       // "2026-12-05T23:00:00Z", "2026-12-05 23:00:00" (UTC), or "90s", "10m", "2h", "1d" from now
  std::vector<std::string> params;        // "name=value"
};

// "2026-12-05 23:00:00" (UTC), as the event table writes times.
std::string format_time(SystemTime t);

class FaultStore {
 public:
  explicit FaultStore(const db::Database& db) : db_(db) {}

  // Checks everything first, stores nothing on an error, one line naming what is wrong
  // (InvalidArgument: an unknown or planned fault, a parameter it does not take or out of its
  // range, a count or time out of range, neither or both of device and all; NotFound: a device
  // the database does not have). Arming a fault already armed for the same device replaces it.
  Result<ArmedFault> arm(const ArmRequest& r, SystemTime now);
  // Every row, oldest first; rows of faults this build does not know are skipped.
  Result<std::vector<ArmedFault>> list() const;
  // Removes the rows of `fault` (empty: every fault) for `device` (empty: whatever device, the
  // all-devices rows included). InvalidArgument for an unknown fault name. Returns how many went.
  Result<int> clear(std::string_view fault, std::string_view device);
  // One application of row `id`: its count goes down by one, and the row goes when it reaches 0.
  // A row without a count, or gone already, is left as it is.
  Status consume(std::int64_t id);

 private:
  const db::Database& db_;
};

}  // namespace cucm::fault
