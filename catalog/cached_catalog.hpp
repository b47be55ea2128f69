// The catalog behind the servers: every artefact built once per version and kept in a bounded
// LRU cache, so a hot path never re-signs. Builds (SQLite reads, RSA signatures) run on a small
// pool of workers, each with a database connection of its own, never on an event loop; concurrent
// requests for one file that is not built yet share one build. Thread-safe.
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <list>
#include <memory>
#include <mutex>
#include <string>
#include <unordered_map>
#include <vector>

#include "catalog/catalog.hpp"
#include "core/worker_pool.hpp"
#include "metrics/histogram.hpp"

namespace cucm::catalog {

struct CachedFile {
  std::shared_ptr<const Bytes> bytes;
  Variant variant = Variant::NotFound;
  std::string rule;
  std::string device;
  bool cache_hit = false;
  std::string injected;  // the file fault these bytes carry (never cached), or empty
};

// A static file kept open for streaming; shared by every request that sends it.
struct StaticFile {
  std::shared_ptr<const FileHandle> handle;
  std::uint64_t size = 0;
  std::uint64_t inode = 0;
  std::int64_t mtime_ns = 0;
};

struct CacheStats {
  std::uint64_t hits = 0;    // answered from memory
  std::uint64_t builds = 0;  // built by a worker (the cache's misses)
  std::uint64_t joined = 0;  // requests that waited for a build another request had started
  std::uint64_t evictions = 0;
  std::size_t entries = 0, bytes = 0;
};

struct CacheOptions {
  CatalogOptions catalog;
  std::size_t max_bytes = 256u << 20;  // a file larger than this is served but not kept
  std::size_t workers = 1;             // build threads, each with its own database connection
  // This process's commits: a change made here is seen by the very next request. Without it, a
  // change is seen within kMemoTtl, as one made by another process.
  std::shared_ptr<const db::CommitCounter> commits;
  // The armed faults (serve's); null: none is ever applied. A file fault armed for a device is
  // applied to that device's next requests of the files it acts on, off the cache.
  std::shared_ptr<fault::Board> faults;
  // Called on the worker before each build, with the file name; the tests hold a build with it.
  std::function<void(const std::string&)> before_build;
};

class CachedCatalog {
 public:
  using DbOpener = std::function<Result<db::Database>()>;
  // Opens one connection per worker with `open_db`; errors are the opener's.
  static Result<std::unique_ptr<CachedCatalog>> start(const DbOpener& open_db, const signer::ClusterPki& pki,
                                                      CacheOptions opts);
  ~CachedCatalog();  // finishes the builds under way, then stops the workers
  CachedCatalog(const CachedCatalog&) = delete;
  CachedCatalog& operator=(const CachedCatalog&) = delete;

  // The file from memory when it is built for the current version and that version is known
  // without a query; nullopt otherwise (then fetch_async). No SQLite, no signature, no lock held
  // across either: what an event loop calls.
  std::optional<CachedFile> lookup(std::string_view name);
  // Builds `name` (or finds it built) on a worker and calls `done` there, once. Requests for a
  // name whose build is under way wait for that build instead of starting another. Errors as
  // Catalog::fetch: NotFound carries the rule; others are real failures.
  using Done = std::function<void(Result<CachedFile>)>;
  void fetch_async(std::string_view name, Done done);
  // Blocking: lookup(), else fetch_async() and wait. For the CLI, tests and benchmarks, never for
  // an event loop.
  Result<CachedFile> fetch(std::string_view name);
  // Catalog::open_static with the file kept open and its path checked with stat() at most once a
  // second (as nginx's open_file_cache_valid), instead of an open and a close per request: a file
  // replaced or removed is still served for up to a second.
  Result<StaticFile> open_static(std::string_view name);
  // Forgets the static files kept open, so that the next request opens and stats each anew (a
  // reload: a file replaced a moment ago is served at once). Sends under way keep their handles.
  void forget_static_files();
  // Waits until no build is queued or running.
  void drain() { pool_.drain(); }
  CacheStats stats() const;
  // How long a worker took over each build it ran (the version read, the query and the signature),
  // failed ones too; not the wait in the queue, nor a request the worker found built already.
  const metrics::Histogram& build_seconds() const { return build_seconds_; }
  std::size_t workers() const { return pool_.size(); }
  // The armed faults the servers apply at their own layer (HTTP, TFTP, CAPF); null: none.
  fault::Board* faults() const { return opts_.faults.get(); }

  static constexpr std::chrono::milliseconds kStaticRecheck{1000};
  // How long a device's version, once read, is trusted while this process commits nothing: it
  // bounds how late a change made by another process (the CLI, sqlite3) is seen.
  static constexpr std::chrono::milliseconds kMemoTtl{1};

 private:
  struct Worker {
    db::Database db;
    std::unique_ptr<Catalog> catalog;
  };
  explicit CachedCatalog(CacheOptions opts);

  void build(Worker& w, const std::string& name);
  // A file fault may be armed for this file: whether lookup must leave it to a worker.
  bool may_fault(const RequestedFile& file) const;
  // On a worker: the fault applied, if it still is and acts on what the decision makes; else the
  // normal file, through the cache.
  void build_with_fault(Worker& w, const std::string& name, Done done);
  void fetch_built(const std::string& name, Done done);
  std::string static_key(const std::string& name);
  // The memo's generation now, before a worker reads a version from the database.
  std::uint64_t memo_generation();
  void remember_version_locked(const std::string& device, const std::string& version, std::uint64_t generation);
  std::optional<CachedFile> hit_locked(const std::string& name, const std::string& key);
  void insert_locked(const std::string& name, std::string key, const CachedFile& file);
  void refresh_memo_locked(std::chrono::steady_clock::time_point now);

  struct Entry {
    std::string key;
    CachedFile file;
    std::list<std::string>::iterator lru;
  };
  struct OpenStatic {
    StaticFile file;
    std::uint64_t device = 0;
    std::chrono::steady_clock::time_point checked;
  };
  static constexpr std::size_t kMaxOpenStatic = 256;  // names kept open; the map is cleared when full
  std::mutex static_mutex_;  // guards open_static_ only; never held with mutex_
  std::unordered_map<std::string, OpenStatic> open_static_;

  CacheOptions opts_;
  mutable std::mutex mutex_;  // guards the cache, the memo and the builds under way; held for
                              // map operations only
  std::unordered_map<std::string, Entry> entries_;
  std::list<std::string> lru_;  // most recent first
  CacheStats stats_;
  metrics::Histogram build_seconds_{metrics::kFastSeconds};
  // Versions ("epoch/config_version") read by the workers, per version_scope() device ("" for
  // names whose bytes depend on no device's record).
  std::unordered_map<std::string, std::string> memo_;
  std::chrono::steady_clock::time_point memo_time_{};
  std::uint64_t memo_commits_ = 0;
  std::uint64_t memo_generation_ = 0;  // moves each time the memo is emptied
  std::unordered_map<std::string, std::vector<Done>> building_;  // name -> who waits for it
  std::vector<std::unique_ptr<Worker>> workers_;
  core::WorkerPool pool_;  // last: its threads stop before the members they use go
};

}  // namespace cucm::catalog
