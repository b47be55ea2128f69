// The event log the services write and `cucm-emu events` reads.
#pragma once

#include <cstdint>
#include <string>
#include <utility>
#include <vector>

#include "db/model.hpp"
#include "db/sqlite.hpp"

namespace cucm::db {

class EventLog {
 public:
  explicit EventLog(const Database& db) : db_(db) {}
  Status append(const Event& e);
  // Events with id > after_id, oldest first, at most `limit`; only `device`'s when not empty.
  Result<std::vector<Event>> since(std::int64_t after_id, const std::string& device, int limit) const;
  // The newest `limit` events, oldest first.
  Result<std::vector<Event>> tail(const std::string& device, int limit) const;
  // The devices that were served an ITL, each with the time of the last one (the event log's
  // record of which phones hold this cluster's trust list), by device name.
  Result<std::vector<std::pair<std::string, std::string>>> itl_holders() const;

 private:
  const Database& db_;
};

}  // namespace cucm::db
