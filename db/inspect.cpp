// The read-only inspection: no -wal or -shm file made where there was none.
#include "db/inspect.hpp"

#include <sqlite3.h>

#include <charconv>

#include <fmt/format.h>

#include "db/schema.hpp"
#include "db/sqlite.hpp"

namespace cucm::db {
namespace fs = std::filesystem;
namespace {

// A path as an SQLite URI ("file:///…"): the characters a URI gives a meaning to are escaped.
std::string file_uri(const fs::path& path, const char* query) {
  std::string uri = "file://";
  for (unsigned char c : fs::absolute(path).string()) {
    if (c == '%' || c == '?' || c == '#' || c < 0x21 || c > 0x7e) uri += fmt::format("%{:02X}", c);
    else uri += static_cast<char>(c);
  }
  return uri + "?" + query;
}

Error inspect_error(sqlite3* db, int rc, const fs::path& path) {
  int primary = rc & 0xff;
  Errc code = primary == SQLITE_NOTADB || primary == SQLITE_CORRUPT ? Errc::InvalidArgument
              : primary == SQLITE_PERM || primary == SQLITE_AUTH    ? Errc::PermissionDenied
                                                                    : Errc::Unavailable;
  return make_error(code, fmt::format("db: {}: {}", path.string(), db ? sqlite3_errmsg(db) : sqlite3_errstr(rc)));
}

// Every row of a one-column statement (a pragma, a count), as text.
Result<std::vector<std::string>> rows_as_text(sqlite3* db, const char* sql, const fs::path& path) {
  sqlite3_stmt* raw = nullptr;
  int rc = sqlite3_prepare_v2(db, sql, -1, &raw, nullptr);
  StmtPtr stmt(raw);
  if (rc != SQLITE_OK) return inspect_error(db, rc, path);
  std::vector<std::string> rows;
  while ((rc = sqlite3_step(stmt.get())) == SQLITE_ROW) {
    const unsigned char* text = sqlite3_column_text(stmt.get(), 0);
    rows.emplace_back(text ? reinterpret_cast<const char*>(text) : "");  // NOLINT: SQLite's UTF-8 text
  }
  if (rc != SQLITE_DONE) return inspect_error(db, rc, path);
  return rows;
}

}  // namespace

Result<DbInspection> inspect_cluster_db(const fs::path& data_dir) {
  fs::path path = data_dir / "cucm.db";
  std::error_code ec;
  if (!fs::exists(path, ec)) {
    if (ec) {
      Errc code = ec == std::errc::permission_denied ? Errc::PermissionDenied : Errc::Unavailable;
      return make_error(code, fmt::format("db: cannot check {}: {}", path.string(), ec.message()));
    }
    return make_error(Errc::NotFound, fmt::format("db: no database at {}", path.string()));
  }
  // Read-only alone is not enough: a reader of a WAL database makes the -wal and -shm files when
  // they are missing, and leaves them. They exist while any connection is open (serve running) or
  // after a crash, and then the reader uses them as they are. Otherwise every commit is in the
  // main file, which is read as immutable: no locks and no side files. The one race: a serve
  // starting during the check and checkpointing into the file may make it report damage that is
  // not there; a second run tells.
  bool journal = fs::exists(path.string() + "-wal", ec) || fs::exists(path.string() + "-journal", ec);
  std::string uri = file_uri(path, journal ? "mode=ro" : "mode=ro&immutable=1");
  sqlite3* raw = nullptr;
  int rc = sqlite3_open_v2(uri.c_str(), &raw, SQLITE_OPEN_READONLY | SQLITE_OPEN_URI | SQLITE_OPEN_NOMUTEX, nullptr);
  DbPtr db(raw);
  if (rc != SQLITE_OK) return inspect_error(raw, rc, path);
  sqlite3_busy_timeout(raw, 5000);  // serve may be writing
  sqlite3_extended_result_codes(raw, 1);
  DbInspection out;
  CUCM_TRY(out.integrity, rows_as_text(raw, "PRAGMA integrity_check(5)", path));
  static_assert(kMaxIntegrityLines == 5, "the pragma's limit above");
  CUCM_TRY(auto version, rows_as_text(raw, "PRAGMA user_version", path));
  if (version.empty() || std::from_chars(version.front().data(), version.front().data() + version.front().size(),
                                         out.schema_version).ec != std::errc{}) {
    return make_error(Errc::Internal, fmt::format("db: {}: PRAGMA user_version gave no number", path.string()));
  }
  out.known_version = static_cast<int>(migrations().size());
  if (out.ok()) {
    CUCM_TRY(auto tables, rows_as_text(raw, "SELECT count(*) FROM sqlite_schema WHERE type = 'table' AND name = 'device'", path));
    if (!tables.empty() && tables.front() == "1") {
      CUCM_TRY(auto count, rows_as_text(raw, "SELECT count(*) FROM device", path));
      if (!count.empty()) std::from_chars(count.front().data(), count.front().data() + count.front().size(), out.devices);
    }
  }
  return out;
}

}  // namespace cucm::db
