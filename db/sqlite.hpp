// SQLite ownership: a connection, prepared statements with typed binds and columns, and
// transactions that roll back unless committed.
#pragma once

#include <cstdint>
#include <atomic>
#include <filesystem>
#include <functional>
#include <memory>
#include <optional>
#include <unordered_map>
#include <string>
#include <string_view>
#include <vector>

#include <sqlite3.h>

#include "core/bytes.hpp"
#include "core/result.hpp"

namespace cucm::db {

template <auto Free>
struct SqliteDeleter {
  template <class T>
  void operator()(T* p) const noexcept { Free(p); }
};
using DbPtr = std::unique_ptr<sqlite3, SqliteDeleter<&sqlite3_close_v2>>;
using StmtPtr = std::unique_ptr<sqlite3_stmt, SqliteDeleter<&sqlite3_finalize>>;

// A bound value: NULL, integer, text or blob.
struct Value {
  enum class Kind { Null, Int, Text, Blob } kind = Kind::Null;
  std::int64_t i = 0;
  std::string s;
  Bytes b;
  static Value null() { return {}; }
  static Value of(std::int64_t v) { Value x; x.kind = Kind::Int; x.i = v; return x; }
  static Value of(std::string v) { Value x; x.kind = Kind::Text; x.s = std::move(v); return x; }
  static Value of(Bytes v) { Value x; x.kind = Kind::Blob; x.b = std::move(v); return x; }
};

class Statement {
 public:
  explicit Statement(sqlite3* db, StmtPtr stmt) : db_(db), stmt_(std::move(stmt)), raw_(stmt_.get()) {}
  // A statement borrowed from the connection's cache: reset and handed back when destroyed.
  Statement(sqlite3* db, sqlite3_stmt* cached, bool* in_use) : db_(db), raw_(cached), in_use_(in_use) {}
  Statement(Statement&& o) noexcept
      : db_(o.db_), stmt_(std::move(o.stmt_)), raw_(o.raw_), in_use_(o.in_use_), bind_status_(std::move(o.bind_status_)) {
    o.raw_ = nullptr;
    o.in_use_ = nullptr;
  }
  Statement& operator=(Statement&&) = delete;
  ~Statement();

  Statement& bind(int index, std::int64_t v);
  Statement& bind(int index, std::string_view v);
  Statement& bind(int index, ByteView v);
  Statement& bind_null(int index);
  Statement& bind(int index, const Value& v);

  // true while a row is available; Unavailable/InvalidArgument on errors (constraint failures
  // are InvalidArgument with SQLite's message).
  Result<bool> step();
  // Runs to completion, ignoring rows.
  Status run();
  // Ready to run again with new bindings (the statement is prepared once).
  void reset() { sqlite3_reset(raw_); sqlite3_clear_bindings(raw_); }

  bool is_null(int col) const { return sqlite3_column_type(raw_, col) == SQLITE_NULL; }
  std::int64_t int64(int col) const { return sqlite3_column_int64(raw_, col); }
  std::string text(int col) const;
  Bytes blob(int col) const;
  int columns() const { return sqlite3_column_count(raw_); }
  std::string column_name(int col) const { return sqlite3_column_name(raw_, col); }
  // A column as text whatever its type (blobs as lowercase hex), "NULL" for NULL: for `sql` output.
  std::string display(int col) const;
  bool read_only() const { return sqlite3_stmt_readonly(raw_) != 0; }

 private:
  Error bind_error(int index) const;
  sqlite3* db_;
  StmtPtr stmt_;             // owned, or empty when borrowed from the cache
  sqlite3_stmt* raw_;
  bool* in_use_ = nullptr;   // the cache slot to release, when borrowed
  Status bind_status_ = Ok{};
};

// Counts the commits of the connections opened with it, once each commit is visible to other
// connections (SQLite's WAL hook). A cache of database-derived data compares the count to notice
// its own process's writes without a query. Owned by whoever opens the connections (the cluster).
class CommitCounter {
 public:
  std::uint64_t count() const { return n_.load(std::memory_order_acquire); }
  void add() { n_.fetch_add(1, std::memory_order_release); }

 private:
  std::atomic<std::uint64_t> n_{0};
};

class Database {
 public:
  // Opens (creating if needed) with WAL, foreign keys on and a busy timeout. `commits`, when
  // given, counts this connection's commits.
  static Result<Database> open(const std::filesystem::path& path, bool read_only = false,
                               std::shared_ptr<CommitCounter> commits = nullptr);

  // Statements are compiled once per connection and reused (compiling dominated the cost of a
  // lookup); a statement already in use, e.g. in a nested loop, gets a fresh one.
  Result<Statement> prepare(std::string_view sql) const;
  Status exec(std::string_view sql) const;  // one or more statements, no parameters
  std::int64_t changes() const { return sqlite3_changes64(db_.get()); }
  std::int64_t last_insert_rowid() const { return sqlite3_last_insert_rowid(db_.get()); }
  sqlite3* handle() const { return db_.get(); }

 private:
  struct Cached {
    StmtPtr stmt;
    std::unique_ptr<bool> in_use = std::make_unique<bool>(false);
  };
  // Looks a statement up by its text without copying it into a std::string first.
  struct SqlHash {
    using is_transparent = void;
    std::size_t operator()(std::string_view s) const noexcept { return std::hash<std::string_view>{}(s); }
  };
  std::shared_ptr<CommitCounter> commits_;  // the hooks' argument: outlives the connection
  DbPtr db_;
  // Declared after db_, so every cached statement is finalized before the connection closes.
  mutable std::unordered_map<std::string, Cached, SqlHash, std::equal_to<>> cache_;
};

// BEGIN IMMEDIATE now; ROLLBACK in the destructor unless commit() succeeded.
class Transaction {
 public:
  static Result<Transaction> begin(const Database& db);
  Transaction(Transaction&& o) noexcept : db_(o.db_), done_(o.done_) { o.done_ = true; }
  Transaction& operator=(Transaction&&) = delete;
  ~Transaction();
  Status commit();

 private:
  explicit Transaction(const Database& db) : db_(&db) {}
  const Database* db_;
  bool done_ = false;
};

// A deferred read transaction: the reads made while it lives see one snapshot of the database,
// and SQLite takes its read lock (fcntl calls on the WAL index) once for all of them instead of
// once per statement. Inside a transaction already open on the connection it does nothing. For
// reads only; never held across an async wait.
class ReadTransaction {
 public:
  static Result<ReadTransaction> begin(const Database& db);
  ReadTransaction(ReadTransaction&& o) noexcept : db_(o.db_) { o.db_ = nullptr; }
  ReadTransaction& operator=(ReadTransaction&&) = delete;
  ~ReadTransaction();  // ends the snapshot

 private:
  explicit ReadTransaction(const Database* db) : db_(db) {}
  const Database* db_;  // nullptr when nested, or moved from
};

}  // namespace cucm::db
