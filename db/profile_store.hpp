// Phone security profiles (System > Security > Phone Security Profile).
#pragma once

#include <string>
#include <vector>

#include "db/model.hpp"
#include "db/sqlite.hpp"

namespace cucm::db {

class ProfileStore {
 public:
  explicit ProfileStore(const Database& db) : db_(db) {}

  // InvalidArgument (validation), AlreadyExists (name taken).
  Result<SecurityProfile> add(SecurityProfile p);
  Result<SecurityProfile> get(std::string_view name) const;  // NotFound
  Result<std::vector<SecurityProfile>> list() const;
  // Replaces every field but id, name and builtin. PermissionDenied for a builtin profile.
  Status update(const SecurityProfile& p);
  // A new, editable profile with the settings of `from`.
  Result<SecurityProfile> copy(std::string_view from, std::string_view new_name);
  // PermissionDenied for builtin profiles and profiles in use (naming how many devices).
  Status remove(std::string_view name);

 private:
  const Database& db_;
};

}  // namespace cucm::db
