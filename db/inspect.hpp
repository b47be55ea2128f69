// A look at the cluster database that changes nothing: for `cucm-emu doctor`, which must not
// create, migrate or write what it checks (a doctor that repairs hides the problem).
#pragma once

#include <cstdint>
#include <filesystem>
#include <string>
#include <vector>

#include "core/result.hpp"

namespace cucm::db {

struct DbInspection {
  // "ok", or the first problems SQLite's integrity_check found (at most kMaxIntegrityLines).
  std::vector<std::string> integrity;
  int schema_version = 0;  // PRAGMA user_version: the migrations applied
  int known_version = 0;   // the migrations this program has (migrations().size())
  // Devices on record, read when the integrity check passed: a database with devices and no
  // pki/ means pki/ was lost (cluster::open_identities refuses then).
  std::int64_t devices = 0;
  bool ok() const { return integrity.size() == 1 && integrity.front() == "ok"; }
};
inline constexpr int kMaxIntegrityLines = 5;

// Opens `<data_dir>/cucm.db` read-only and runs PRAGMA integrity_check. NotFound when there is no
// database; InvalidArgument with SQLite's words when the file is not a database or too damaged to
// open; PermissionDenied or Unavailable when it cannot be read.
Result<DbInspection> inspect_cluster_db(const std::filesystem::path& data_dir);

}  // namespace cucm::db
