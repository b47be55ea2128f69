// The catalog behind the servers: every artefact built once per version and kept in a bounded
// LRU cache, so a hot path never re-signs. Thread-safe.
#pragma once

#include <chrono>
#include <cstdint>
#include <list>
#include <memory>
#include <mutex>
#include <string>
#include <unordered_map>

#include "tftp/catalog/catalog.hpp"

namespace cucm::catalog {

struct CachedFile {
  std::shared_ptr<const Bytes> bytes;
  Variant variant = Variant::NotFound;
  std::string rule;
  std::string device;
  bool cache_hit = false;
};

// A static file kept open for streaming; shared by every request that sends it.
struct StaticFile {
  std::shared_ptr<const FileHandle> handle;
  std::uint64_t size = 0;
  std::uint64_t inode = 0;
  std::int64_t mtime_ns = 0;
};

struct CacheStats {
  std::uint64_t hits = 0, misses = 0, evictions = 0;
  std::size_t entries = 0, bytes = 0;
};

class CachedCatalog {
 public:
  // `max_bytes` bounds the memory held by cached files (a file larger than it is served but not
  // kept).
  CachedCatalog(const db::Database& db, const signer::ClusterPki& pki, CatalogOptions opts, std::size_t max_bytes);

  // As Catalog::fetch. The version key of a file is the cluster epoch plus, for per-device names,
  // the device's config_version; for a static file, its size, inode and mtime alone (as
  // open_static sees them, so a static file replaced is served from memory for up to a second).
  Result<CachedFile> fetch(std::string_view name);
  // As Catalog::open_static, with the file kept open and its path checked with stat() at most
  // once a second (as nginx's open_file_cache_valid), instead of an open and a close per request:
  // a file replaced or removed is still served for up to a second.
  Result<StaticFile> open_static(std::string_view name);
  CacheStats stats() const;

  static constexpr std::chrono::milliseconds kStaticRecheck{1000};

 private:
  Result<std::string> version_key(const std::string& name, const RequestedFile& file);
  // "epoch/config_version" of a device ("epoch/-1" for names without one), remembered briefly.
  Result<std::string> db_version(const std::string& device);

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
  std::mutex static_mutex_;  // guards open_static_ only; taken after mutex_ when both are
  std::unordered_map<std::string, OpenStatic> open_static_;

  mutable std::mutex mutex_;  // guards the database connection and the cache
  Catalog catalog_;
  const db::Database& db_;
  CatalogOptions opts_;
  std::size_t max_bytes_;
  std::unordered_map<std::string, Entry> entries_;
  std::list<std::string> lru_;  // most recent first
  CacheStats stats_;
  // db_version answers, valid while this process commits nothing and for at most kMemoTtl.
  static constexpr std::chrono::milliseconds kMemoTtl{1};
  std::unordered_map<std::string, std::string> memo_;
  std::chrono::steady_clock::time_point memo_time_{};
  std::uint64_t memo_commits_ = 0;
};

}  // namespace cucm::catalog
