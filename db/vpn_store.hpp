// VPN groups: the headend URL and certHash1 a phone's vpnGroup carries (seed 001).
#pragma once

#include <string>
#include <vector>

#include "db/model.hpp"
#include "db/sqlite.hpp"

namespace cucm::db {

class VpnStore {
 public:
  explicit VpnStore(const Database& db) : db_(db) {}
  // Adds or replaces; InvalidArgument for an empty name/URL or a certHash1 that is not base64.
  Status put(const VpnGroup& g);
  Result<VpnGroup> get(std::string_view name) const;  // NotFound
  Result<std::vector<VpnGroup>> list() const;
  Status remove(std::string_view name);  // PermissionDenied while devices use it

 private:
  const Database& db_;
};

}  // namespace cucm::db
