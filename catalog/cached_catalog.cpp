// Version-keyed LRU cache over the catalog, with the builds on worker threads.
#include "catalog/cached_catalog.hpp"

#include <sys/stat.h>

#include <future>

#include <fmt/format.h>

namespace cucm::catalog {
using SteadyClock = std::chrono::steady_clock;

CachedCatalog::CachedCatalog(CacheOptions opts) : opts_(std::move(opts)), pool_(opts_.workers, "cucm-build") {}

CachedCatalog::~CachedCatalog() { pool_.drain(); }

Result<std::unique_ptr<CachedCatalog>> CachedCatalog::start(const DbOpener& open_db, const signer::ClusterPki& pki,
                                                            CacheOptions opts) {
  std::unique_ptr<CachedCatalog> c(new CachedCatalog(std::move(opts)));
  for (std::size_t i = 0; i < c->pool_.size(); ++i) {
    CUCM_TRY(db::Database db, open_db());
    auto w = std::make_unique<Worker>(Worker{std::move(db), nullptr});
    w->catalog = std::make_unique<Catalog>(w->db, pki, c->opts_.catalog);
    c->workers_.push_back(std::move(w));
  }
  return c;
}

// A query per request was 12-15% of the HTTP server's CPU (two fcntl locks and a read transaction
// each). Versions are kept while this process has committed nothing, so CAPF's write is seen by
// the very next request, and for at most kMemoTtl, which bounds how late a change made by another
// process is seen. A burst then costs one query per device per millisecond.
void CachedCatalog::refresh_memo_locked(SteadyClock::time_point now) {
  std::uint64_t commits = opts_.commits ? opts_.commits->count() : 0;
  if (commits != memo_commits_ || now - memo_time_ > kMemoTtl) {
    memo_.clear();
    memo_commits_ = commits;
    memo_time_ = now;
    ++memo_generation_;
  }
}

// A static file's version key, from the descriptor cache (a stat() at most once a second): its
// bytes depend on the file alone. A file that cannot be opened gets no suffix, and
// Catalog::fetch then says why.
std::string CachedCatalog::static_key(const std::string& name) {
  std::string key = "static";
  if (opts_.catalog.static_dir.empty()) return key;
  if (auto f = open_static(name)) key += fmt::format("/{}/{}/{}", f->size, f->inode, f->mtime_ns);
  return key;
}

std::optional<CachedFile> CachedCatalog::hit_locked(const std::string& name, const std::string& key) {
  auto it = entries_.find(name);
  if (it == entries_.end() || it->second.key != key) return std::nullopt;
  ++stats_.hits;
  lru_.splice(lru_.begin(), lru_, it->second.lru);
  CachedFile hit = it->second.file;
  hit.cache_hit = true;
  return hit;
}

std::optional<CachedFile> CachedCatalog::lookup(std::string_view name_in) {
  std::string name(name_in);
  RequestedFile file = classify(name);
  if (file.kind == FileKind::Other) {
    std::string key = static_key(name);  // under the descriptor cache's own lock
    std::lock_guard lock(mutex_);
    return hit_locked(name, key);
  }
  if (may_fault(file)) return std::nullopt;
  // A device file: the memo and the cache under one lock, taken once per request.
  std::lock_guard lock(mutex_);
  refresh_memo_locked(SteadyClock::now());
  auto it = memo_.find(version_scope(file));
  if (it == memo_.end()) return std::nullopt;
  return hit_locked(name, it->second);
}

void CachedCatalog::fetch_async(std::string_view name_in, Done done) {
  std::string name(name_in);
  if (may_fault(classify(name))) {
    // Not joined with other requests: each application is one request's, and counts.
    pool_.post([this, name, done = std::move(done)](std::size_t worker) mutable {
      build_with_fault(*workers_[worker], name, std::move(done));
    });
    return;
  }
  fetch_built(name, std::move(done));
}

void CachedCatalog::fetch_built(const std::string& name, Done done) {
  {
    std::lock_guard lock(mutex_);
    auto [it, first] = building_.try_emplace(name);
    it->second.push_back(std::move(done));
    if (!first) {
      ++stats_.joined;
      return;
    }
  }
  pool_.post([this, name](std::size_t worker) { build(*workers_[worker], name); });
}

Result<CachedFile> CachedCatalog::fetch(std::string_view name) {
  if (auto hit = lookup(name)) return std::move(*hit);
  std::promise<Result<CachedFile>> promise;
  auto result = promise.get_future();
  fetch_async(name, [&promise](Result<CachedFile> r) { promise.set_value(std::move(r)); });
  return result.get();
}

std::uint64_t CachedCatalog::memo_generation() {
  std::lock_guard lock(mutex_);
  refresh_memo_locked(SteadyClock::now());
  return memo_generation_;
}

void CachedCatalog::remember_version_locked(const std::string& device, const std::string& version,
                                            std::uint64_t generation) {
  refresh_memo_locked(SteadyClock::now());
  // Remembered only in the memo that was current when the database was read: a commit or the
  // memo's expiry in between starts another memo, which this answer may be too old for.
  if (memo_generation_ == generation) memo_[device] = version;
}

void CachedCatalog::insert_locked(const std::string& name, std::string key, const CachedFile& file) {
  if (auto it = entries_.find(name); it != entries_.end()) {
    stats_.bytes -= it->second.file.bytes->size();
    lru_.erase(it->second.lru);
    entries_.erase(it);
  }
  std::size_t size = file.bytes->size();
  if (size > opts_.max_bytes) return;
  while (stats_.bytes + size > opts_.max_bytes && !lru_.empty()) {
    auto victim = entries_.find(lru_.back());
    stats_.bytes -= victim->second.file.bytes->size();
    entries_.erase(victim);
    lru_.pop_back();
    ++stats_.evictions;
  }
  lru_.push_front(name);
  entries_.emplace(name, Entry{std::move(key), file, lru_.begin()});
  stats_.bytes += size;
  stats_.entries = entries_.size();
}

// On a worker: the version, the cache once more (another build may have finished), else the
// build; then every request that waited for this name gets the result. A device file's version
// and the records its bytes are built from come from one read of the database (Catalog::read),
// so an entry's bytes are exactly those of its version.
void CachedCatalog::build(Worker& w, const std::string& name) {
  RequestedFile file = classify(name);
  auto began = SteadyClock::now();
  bool found_built = false;  // another build finished first: no build of ours to time
  auto built = [&]() -> Result<CachedFile> {
    std::string key;
    std::optional<Snapshot> snapshot;
    if (file.kind == FileKind::Other) {
      key = static_key(name);
    } else {
      std::uint64_t generation = memo_generation();
      CUCM_TRY(snapshot, w.catalog->read(name));
      key = snapshot->version();
      std::lock_guard lock(mutex_);
      remember_version_locked(version_scope(file), key, generation);
    }
    {
      std::lock_guard lock(mutex_);
      if (auto hit = hit_locked(name, key)) {
        found_built = true;
        return std::move(*hit);
      }
    }
    if (opts_.before_build) opts_.before_build(name);
    CUCM_TRY(Served served, snapshot ? w.catalog->build(*snapshot) : w.catalog->fetch(name));
    CachedFile out{std::make_shared<const Bytes>(std::move(served.bytes)), served.variant, std::move(served.rule),
                   std::move(served.device), false, {}};
    std::lock_guard lock(mutex_);
    ++stats_.builds;
    insert_locked(name, std::move(key), out);
    return out;
  }();
  if (!found_built) build_seconds_.observe(SteadyClock::now() - began);
  std::vector<Done> waiting;
  {
    std::lock_guard lock(mutex_);
    auto it = building_.find(name);
    waiting = std::move(it->second);
    building_.erase(it);
  }
  for (auto& done : waiting) done(built);
}

Result<StaticFile> CachedCatalog::open_static(std::string_view name_in) {
  std::string name(name_in);
  auto now = SteadyClock::now();
  std::lock_guard lock(static_mutex_);
  if (auto it = open_static_.find(name); it != open_static_.end()) {
    OpenStatic& o = it->second;
    if (now - o.checked < kStaticRecheck) return o.file;
    struct stat st {};
    std::string path = (opts_.catalog.static_dir / name).string();
    if (::stat(path.c_str(), &st) == 0 && static_cast<std::uint64_t>(st.st_dev) == o.device &&
        static_cast<std::uint64_t>(st.st_ino) == o.file.inode && static_cast<std::uint64_t>(st.st_size) == o.file.size &&
        st.st_mtim.tv_sec * 1'000'000'000LL + st.st_mtim.tv_nsec == o.file.mtime_ns) {
      o.checked = now;
      return o.file;
    }
    open_static_.erase(it);  // replaced, changed or gone: open it again below
  }
  CUCM_TRY(OpenedFile f, open_static_file(opts_.catalog.static_dir, name));
  if (open_static_.size() >= kMaxOpenStatic) open_static_.clear();  // in-flight sends keep their handles
  StaticFile file{std::make_shared<const FileHandle>(std::move(f.handle)), f.size, f.inode, f.mtime_ns};
  open_static_.emplace(std::move(name), OpenStatic{file, f.device, now});
  return file;
}

void CachedCatalog::forget_static_files() {
  std::lock_guard lock(static_mutex_);
  open_static_.clear();
}

CacheStats CachedCatalog::stats() const {
  std::lock_guard lock(mutex_);
  return stats_;
}

}  // namespace cucm::catalog
