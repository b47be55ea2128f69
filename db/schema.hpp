// Schema versions: migration N brings PRAGMA user_version from N-1 to N, in one transaction.
#pragma once

#include <filesystem>
#include <string_view>
#include <vector>

#include "core/result.hpp"
#include "db/sqlite.hpp"

namespace cucm::db {

struct Migration {
  std::string_view name;  // "001_initial.sql"
  std::string_view sql;
};

// Every migration, in order (embedded from db/migrations at build time).
const std::vector<Migration>& migrations();

int schema_version(const Database& db);
// Applies migrations past the current version, up to `target` (default: all). Each migration and
// its version bump commit together. InvalidArgument when the file is newer than this program.
Status migrate(const Database& db, int target = -1);

// `<data_dir>/cucm.db`, opened and migrated to the latest version.
// `commits`, when given, counts the connection's commits (Database::open).
Result<Database> open_cluster_db(const std::filesystem::path& data_dir, bool read_only = false,
                                 std::shared_ptr<CommitCounter> commits = nullptr);

}  // namespace cucm::db
