// Migration runner.
#include "db/schema.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <system_error>

#include <fmt/format.h>

namespace cucm::db {

int schema_version(const Database& db) {
  auto st = db.prepare("PRAGMA user_version");
  if (!st) return -1;
  auto row = st->step();
  return row && *row ? static_cast<int>(st->int64(0)) : -1;
}

Status migrate(const Database& db, int target) {
  const auto& all = migrations();
  int latest = static_cast<int>(all.size());
  if (target < 0 || target > latest) target = latest;
  int current = schema_version(db);
  if (current > latest) {
    return make_error(Errc::InvalidArgument,
                      fmt::format("db: the database is at schema version {} but this cucm-emu knows only {}: "
                                  "use a newer cucm-emu", current, latest));
  }
  for (int v = current; v < target; ++v) {
    CUCM_TRY(auto tx, Transaction::begin(db));
    if (auto st = db.exec(all[static_cast<std::size_t>(v)].sql); !st) {
      return make_error(st.error().code, fmt::format("db: migration {} failed: {}", all[static_cast<std::size_t>(v)].name,
                                                     st.error().message));
    }
    CUCM_CHECK(db.exec(fmt::format("PRAGMA user_version = {}", v + 1)));
    CUCM_CHECK(tx.commit());
  }
  return Ok{};
}

namespace {

// The database holds line passwords and CAPF authentication strings: only its owner may read it,
// whatever the umask. The file is made 0600 before SQLite opens it, since SQLite gives the -wal
// and -shm files the database file's mode; files left looser by an older version are tightened.
//
// An existing file is changed by path, never through a descriptor of our own: closing any
// descriptor of a file drops every POSIX lock this process holds on it, including those of the
// SQLite connections it already has open (serve opens several), while SQLite still believes it
// holds them. Another process then found itself the last user of the database, checkpointed and
// deleted the WAL under ours, and the database was corrupted.
Status make_private(const std::filesystem::path& db_path) {
  int fd = ::open(db_path.c_str(), O_RDWR | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
  if (fd >= 0) {
    ::close(fd);  // a file this call created: no connection of ours has locks on it yet
  } else if (errno != EEXIST) {
    return make_error(Errc::Unavailable, fmt::format("db: cannot create {}: {}", db_path.string(), std::strerror(errno)));
  }
  for (const char* side : {"", "-wal", "-shm", "-journal"}) {
    std::string p = db_path.string() + side;
    if (::chmod(p.c_str(), 0600) != 0 && errno != ENOENT) {
      return make_error(Errc::Unavailable, fmt::format("db: cannot chmod {}: {}", p, std::strerror(errno)));
    }
  }
  return Ok{};
}

}  // namespace

Result<Database> open_cluster_db(const std::filesystem::path& data_dir, bool read_only,
                                 std::shared_ptr<CommitCounter> commits) {
  std::error_code ec;
  if (!read_only && !std::filesystem::exists(data_dir, ec)) {
    // A folder made here is the owner's alone (0700). One that exists is left as it is: it may
    // be the user's choice (--data-dir), and the files in it are private anyway.
    std::filesystem::create_directories(data_dir, ec);
    if (!ec) std::filesystem::permissions(data_dir, std::filesystem::perms::owner_all, std::filesystem::perm_options::replace, ec);
  }
  if (ec) return make_error(Errc::Unavailable, fmt::format("db: cannot create {}: {}", data_dir.string(), ec.message()));
  auto path = data_dir / "cucm.db";
  if (!read_only) CUCM_CHECK(make_private(path));
  if (read_only && !std::filesystem::exists(path)) {
    return make_error(Errc::NotFound, fmt::format("db: no database at {} yet (any admin command creates it)", path.string()));
  }
  CUCM_TRY(Database db, Database::open(path, read_only, std::move(commits)));
  if (!read_only) CUCM_CHECK(migrate(db));
  return db;
}

}  // namespace cucm::db
