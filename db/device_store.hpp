// Devices (phones): their profile, lines, CAPF state and the certificate CAPF recorded.
#pragma once

#include <functional>
#include <string>
#include <string_view>
#include <vector>

#include "db/model.hpp"
#include "db/sqlite.hpp"

namespace cucm::db {

struct RowError {
  std::size_t row;  // 1-based, as a spreadsheet counts data rows
  std::string message;
};

class DeviceStore {
 public:
  explicit DeviceStore(const Database& db) : db_(db) {}

  // Validates name, texts, lines, CAPF settings, and that the profile exists and applies to the
  // device's product and protocol. AlreadyExists for a duplicate name. One transaction.
  Status add(const Device& d);
  // All or nothing: when any row is bad nothing is written and every bad row is in `errors`.
  // `progress(done)` is called every 500 rows. Returns the number added.
  Result<std::size_t> add_all(const std::vector<Device>& devices, std::vector<RowError>& errors,
                              const std::function<void(std::size_t)>& progress = {});
  Result<Device> get(std::string_view name) const;  // NotFound
  Result<std::vector<Device>> list() const;
  // One page of the devices in name order, with the number of all that match: those whose name
  // or description holds `contains` (any case; empty: every device). Lines are read for the page
  // only, so a page of 100 of 10,000 devices costs 100 rows, not 10,000.
  struct Page {
    std::size_t total = 0;
    std::vector<Device> devices;
  };
  Result<Page> page(std::size_t offset, std::size_t limit, std::string_view contains = {}) const;
  // Replaces the editable fields and the lines of an existing device (found by name).
  Status update(const Device& d);
  Status remove(std::string_view name);

  // What CAPF does once a phone confirmed: certificate, public key and MD5 in one write.
  Status record_certificate(std::string_view name, const RecordedCert& cert);
  Status clear_certificate(std::string_view name);
  // A CAPF session's certificate change and status, in one transaction. NotFound for an unknown
  // device (nothing written).
  Status apply_capf_outcome(std::string_view name, const CapfOutcome& outcome);
  // Schedules or cancels a CAPF operation; checks the auth string when the profile needs one.
  Status set_capf(std::string_view name, const CapfState& capf);

 private:
  Status insert(const Device& d, std::int64_t profile_id);
  Status replace_lines(const Device& d);
  Result<std::int64_t> checked_profile(const Device& d) const;
  Status write_certificate(const std::string& name, const RecordedCert& cert);
  Status erase_certificate(const std::string& name);
  const Database& db_;
};

}  // namespace cucm::db
