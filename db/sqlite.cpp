// SQLite wrappers: every call checked, errors carry SQLite's own message.
#include "db/sqlite.hpp"

#include <atomic>

#include <fmt/format.h>

#include "core/encoding.hpp"

namespace cucm::db {
namespace {

Error sqlite_error(sqlite3* db, int rc, std::string_view what) {
  int primary = rc & 0xff;
  Errc code = primary == SQLITE_CONSTRAINT || primary == SQLITE_MISMATCH || primary == SQLITE_ERROR
                  ? Errc::InvalidArgument
              : primary == SQLITE_READONLY || primary == SQLITE_PERM || primary == SQLITE_AUTH
                  ? Errc::PermissionDenied
              : primary == SQLITE_BUSY || primary == SQLITE_LOCKED ? Errc::Unavailable
              : primary == SQLITE_FULL || primary == SQLITE_TOOBIG ? Errc::ResourceExhausted
                                                                   : Errc::Unavailable;
  return make_error(code, fmt::format("db: {}: {}", what, db ? sqlite3_errmsg(db) : sqlite3_errstr(rc)));
}

}  // namespace

Statement::~Statement() {
  if (in_use_ && raw_) {
    sqlite3_reset(raw_);
    sqlite3_clear_bindings(raw_);
    *in_use_ = false;
  }
}

Statement& Statement::bind(int index, std::int64_t v) {
  if (sqlite3_bind_int64(raw_, index, v) != SQLITE_OK && bind_status_) bind_status_ = bind_error(index);
  return *this;
}

Statement& Statement::bind(int index, std::string_view v) {
  // A default-constructed view has no data pointer, which SQLite binds as NULL: text it is.
  if (sqlite3_bind_text64(raw_, index, v.data() ? v.data() : "", v.size(), SQLITE_TRANSIENT, SQLITE_UTF8) != SQLITE_OK &&
      bind_status_) {
    bind_status_ = bind_error(index);
  }
  return *this;
}

Statement& Statement::bind(int index, ByteView v) {
  // A zero-length blob must still be a blob, not NULL: pass a non-null pointer.
  static const std::uint8_t kEmpty = 0;
  const void* p = v.empty() ? &kEmpty : v.data();
  if (sqlite3_bind_blob64(raw_, index, p, v.size(), SQLITE_TRANSIENT) != SQLITE_OK && bind_status_) {
    bind_status_ = bind_error(index);
  }
  return *this;
}

Statement& Statement::bind_null(int index) {
  if (sqlite3_bind_null(raw_, index) != SQLITE_OK && bind_status_) bind_status_ = bind_error(index);
  return *this;
}

Statement& Statement::bind(int index, const Value& v) {
  switch (v.kind) {
    case Value::Kind::Null: return bind_null(index);
    case Value::Kind::Int: return bind(index, v.i);
    case Value::Kind::Text: return bind(index, std::string_view(v.s));
    case Value::Kind::Blob: return bind(index, ByteView(v.b));
  }
  return *this;
}

Error Statement::bind_error(int index) const {
  return make_error(Errc::Internal, fmt::format("db: cannot bind parameter {}: {}", index, sqlite3_errmsg(db_)));
}

Result<bool> Statement::step() {
  if (!bind_status_) return bind_status_.error();
  int rc = sqlite3_step(raw_);
  if (rc == SQLITE_ROW) return true;
  if (rc == SQLITE_DONE) return false;
  return sqlite_error(db_, sqlite3_extended_errcode(db_), "statement failed");
}

Status Statement::run() {
  while (true) {
    CUCM_TRY(bool row, step());
    if (!row) return Ok{};
  }
}

std::string Statement::text(int col) const {
  const unsigned char* p = sqlite3_column_text(raw_, col);
  int n = sqlite3_column_bytes(raw_, col);
  return p ? std::string(reinterpret_cast<const char*>(p), static_cast<std::size_t>(n)) : std::string();  // NOLINT
}

Bytes Statement::blob(int col) const {
  const void* p = sqlite3_column_blob(raw_, col);
  int n = sqlite3_column_bytes(raw_, col);
  if (!p || n <= 0) return {};
  auto* b = static_cast<const std::uint8_t*>(p);
  return Bytes(b, b + n);
}

std::string Statement::display(int col) const {
  switch (sqlite3_column_type(raw_, col)) {
    case SQLITE_NULL: return "NULL";
    case SQLITE_BLOB: return to_hex(blob(col));
    default: return text(col);
  }
}

namespace {

// Runs after each commit of a WAL connection. Installing it replaces SQLite's automatic
// checkpoint, so it checkpoints the same way: passively, once the WAL holds 1000 pages.
int on_wal_commit(void* counter, sqlite3* db, const char* schema, int wal_pages) {
  if (counter) static_cast<CommitCounter*>(counter)->add();
  if (wal_pages >= 1000) (void)sqlite3_wal_checkpoint_v2(db, schema, SQLITE_CHECKPOINT_PASSIVE, nullptr, nullptr);
  return SQLITE_OK;
}

int on_commit(void* counter) {
  if (counter) static_cast<CommitCounter*>(counter)->add();
  return 0;  // 0 lets the commit proceed
}

}  // namespace

Result<Database> Database::open(const std::filesystem::path& path, bool read_only,
                                std::shared_ptr<CommitCounter> commits) {
  // By default SQLite counts every allocation under a global mutex, for statistics nothing here
  // reads (about a tenth of the event writer's time). It can only be turned off before SQLite
  // initialises, that is before the first open; later it returns SQLITE_MISUSE and changes nothing.
  [[maybe_unused]] static const int no_memstatus = sqlite3_config(SQLITE_CONFIG_MEMSTATUS, 0);
  sqlite3* raw = nullptr;
  int flags = read_only ? SQLITE_OPEN_READONLY : (SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE);
  int rc = sqlite3_open_v2(path.c_str(), &raw, flags | SQLITE_OPEN_NOMUTEX, nullptr);
  Database db;
  db.commits_ = std::move(commits);
  db.db_.reset(raw);
  if (rc != SQLITE_OK) return sqlite_error(raw, rc, fmt::format("cannot open {}", path.string()));
  sqlite3_busy_timeout(raw, 5000);  // writers from other processes (the CLI while serving)
  sqlite3_extended_result_codes(raw, 1);
  CUCM_CHECK(db.exec("PRAGMA foreign_keys = ON"));
  if (!read_only) {
    CUCM_TRY(auto mode, db.prepare("PRAGMA journal_mode = WAL"));
    CUCM_TRY(bool row, mode.step());
    bool wal = row && mode.text(0) == "wal";
    CUCM_CHECK(db.exec("PRAGMA synchronous = NORMAL"));
    if (wal) {
      sqlite3_wal_hook(raw, on_wal_commit, db.commits_.get());
    } else {
      // A file system without shared memory (some network mounts) keeps the rollback journal.
      // The commit hook runs just before a commit is visible, so caches may see it up to their
      // refresh bound (1 ms) late instead of at once.
      sqlite3_commit_hook(raw, on_commit, db.commits_.get());
    }
  }
  return db;
}

Result<Statement> Database::prepare(std::string_view sql) const {
  auto it = cache_.find(sql);
  if (it != cache_.end() && !*it->second.in_use) {
    *it->second.in_use = true;
    return Statement(db_.get(), it->second.stmt.get(), it->second.in_use.get());
  }
  bool cacheable = it == cache_.end() && cache_.size() < 256;
  sqlite3_stmt* raw = nullptr;
  int rc = sqlite3_prepare_v3(db_.get(), sql.data(), static_cast<int>(sql.size()),
                              cacheable ? SQLITE_PREPARE_PERSISTENT : 0, &raw, nullptr);
  if (rc != SQLITE_OK) return sqlite_error(db_.get(), rc, "cannot prepare statement");
  if (!raw) return make_error(Errc::InvalidArgument, "db: empty statement");
  if (!cacheable) return Statement(db_.get(), StmtPtr(raw));
  auto& slot = cache_[std::string(sql)];
  slot.stmt.reset(raw);
  *slot.in_use = true;
  return Statement(db_.get(), raw, slot.in_use.get());
}

Status Database::exec(std::string_view sql) const {
  std::string s(sql);
  char* msg = nullptr;
  int rc = sqlite3_exec(db_.get(), s.c_str(), nullptr, nullptr, &msg);
  if (rc != SQLITE_OK) {
    std::string m = msg ? msg : sqlite3_errstr(rc);
    sqlite3_free(msg);
    return sqlite_error(nullptr, rc, m);
  }
  return Ok{};
}

namespace {

// BEGIN, COMMIT and ROLLBACK from the connection's statement cache: sqlite3_exec would compile
// each one again for every transaction.
Status run_cached(const Database& db, std::string_view sql) {
  CUCM_TRY(auto s, db.prepare(sql));
  return s.run();
}

}  // namespace

Result<Transaction> Transaction::begin(const Database& db) {
  CUCM_CHECK(run_cached(db, "BEGIN IMMEDIATE"));
  return Transaction(db);
}

Transaction::~Transaction() {
  if (!done_) (void)run_cached(*db_, "ROLLBACK");
}

Status Transaction::commit() {
  CUCM_CHECK(run_cached(*db_, "COMMIT"));
  done_ = true;
  return Ok{};
}

Result<ReadTransaction> ReadTransaction::begin(const Database& db) {
  if (sqlite3_get_autocommit(db.handle()) == 0) return ReadTransaction(nullptr);  // one is open
  CUCM_CHECK(run_cached(db, "BEGIN"));
  return ReadTransaction(&db);
}

ReadTransaction::~ReadTransaction() {
  if (!db_) return;
  // A read transaction has nothing to commit: COMMIT only ends it. Should it fail (it cannot
  // while only reads ran), ROLLBACK ends it as well, so that the connection never stays on an
  // old snapshot.
  if (run_cached(*db_, "COMMIT")) return;
  if (sqlite3_get_autocommit(db_->handle()) == 0) (void)run_cached(*db_, "ROLLBACK");
}

}  // namespace cucm::db
