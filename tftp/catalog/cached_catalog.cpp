// Version-keyed LRU cache over the catalog.
#include "tftp/catalog/cached_catalog.hpp"

#include <sys/stat.h>

#include <fmt/format.h>

namespace cucm::catalog {

CachedCatalog::CachedCatalog(const db::Database& db, const signer::ClusterPki& pki, CatalogOptions opts,
                             std::size_t max_bytes)
    : catalog_(db, pki, opts), db_(db), opts_(std::move(opts)), max_bytes_(max_bytes) {}

Result<std::string> CachedCatalog::db_version(const std::string& device) {
  // A query per request was 12-15% of the HTTP server's CPU (two fcntl locks and a read
  // transaction each). Answers are kept while this process has committed nothing, so CAPF's
  // write is seen by the very next request, and for at most 1 ms, which bounds how late a change
  // made by another process (the CLI, sqlite3) is seen. A burst then costs one query per device
  // per millisecond.
  auto now = std::chrono::steady_clock::now();
  std::uint64_t commits = db::local_commit_count();
  if (commits != memo_commits_ || now - memo_time_ > kMemoTtl) {
    memo_.clear();
    memo_commits_ = commits;
    memo_time_ = now;
  }
  if (auto it = memo_.find(device); it != memo_.end()) return it->second;
  // One query: the cluster epoch and, for a per-device name, the device's config version.
  CUCM_TRY(auto s, db_.prepare("SELECT (SELECT version FROM cluster_epoch), "
                               "(SELECT config_version FROM device WHERE name = ?1)"));
  s.bind(1, std::string_view(device));
  CUCM_TRY(bool row, s.step());
  if (!row) return make_error(Errc::Internal, "catalog: version query returned no row");
  std::string key = fmt::format("{}/{}", s.int64(0), s.is_null(1) ? -1 : s.int64(1));
  memo_.emplace(device, key);
  return key;
}

Result<std::string> CachedCatalog::version_key(const std::string& name, const RequestedFile& file) {
  if (file.kind == FileKind::Other) {
    // A static file's bytes depend on the file alone, not on the database: no query. Through the
    // descriptor cache, so no stat() per request either. A file that cannot be opened gets no
    // suffix, and Catalog::fetch then says why.
    std::string key = "static";
    if (opts_.static_dir.empty()) return key;
    if (auto f = open_static(name)) key += fmt::format("/{}/{}/{}", f->size, f->inode, f->mtime_ns);
    return key;
  }
  return db_version(file.device);
}

Result<CachedFile> CachedCatalog::fetch(std::string_view name_in) {
  std::string name(name_in);
  RequestedFile file = classify(name);
  std::lock_guard lock(mutex_);
  CUCM_TRY(std::string key, version_key(name, file));
  if (auto it = entries_.find(name); it != entries_.end()) {
    if (it->second.key == key) {
      ++stats_.hits;
      lru_.splice(lru_.begin(), lru_, it->second.lru);
      CachedFile hit = it->second.file;
      hit.cache_hit = true;
      return hit;
    }
    stats_.bytes -= it->second.file.bytes->size();
    lru_.erase(it->second.lru);
    entries_.erase(it);
  }
  ++stats_.misses;
  CUCM_TRY(Served served, catalog_.fetch(name));
  CachedFile out{std::make_shared<const Bytes>(std::move(served.bytes)), served.variant, std::move(served.rule),
                 std::move(served.device), false};
  std::size_t size = out.bytes->size();
  if (size <= max_bytes_) {
    while (stats_.bytes + size > max_bytes_ && !lru_.empty()) {
      auto victim = entries_.find(lru_.back());
      stats_.bytes -= victim->second.file.bytes->size();
      entries_.erase(victim);
      lru_.pop_back();
      ++stats_.evictions;
    }
    lru_.push_front(name);
    entries_.emplace(name, Entry{std::move(key), out, lru_.begin()});
    stats_.bytes += size;
  }
  stats_.entries = entries_.size();
  return out;
}

Result<StaticFile> CachedCatalog::open_static(std::string_view name_in) {
  std::string name(name_in);
  auto now = std::chrono::steady_clock::now();
  std::lock_guard lock(static_mutex_);
  if (auto it = open_static_.find(name); it != open_static_.end()) {
    OpenStatic& o = it->second;
    if (now - o.checked < kStaticRecheck) return o.file;
    struct stat st {};
    std::string path = (opts_.static_dir / name).string();
    if (::stat(path.c_str(), &st) == 0 && static_cast<std::uint64_t>(st.st_dev) == o.device &&
        static_cast<std::uint64_t>(st.st_ino) == o.file.inode && static_cast<std::uint64_t>(st.st_size) == o.file.size &&
        st.st_mtim.tv_sec * 1'000'000'000LL + st.st_mtim.tv_nsec == o.file.mtime_ns) {
      o.checked = now;
      return o.file;
    }
    open_static_.erase(it);  // replaced, changed or gone: open it again below
  }
  CUCM_TRY(OpenedFile f, catalog_.open_static(name));
  if (open_static_.size() >= kMaxOpenStatic) open_static_.clear();  // in-flight sends keep their handles
  StaticFile file{std::make_shared<const FileHandle>(std::move(f.handle)), f.size, f.inode, f.mtime_ns};
  open_static_.emplace(std::move(name), OpenStatic{file, f.device, now});
  return file;
}

CacheStats CachedCatalog::stats() const {
  std::lock_guard lock(mutex_);
  return stats_;
}

}  // namespace cucm::catalog
