// A CUCM cluster as one object: its identities (PKI), its database, its event log and the catalog
// of files it serves, opened together from a data folder. Every front door (serve, demo, the
// integration tests, the benchmarks) opens one instead of wiring the parts by hand.
#pragma once

#include <chrono>
#include <cstddef>
#include <filesystem>
#include <functional>
#include <memory>
#include <optional>
#include <string>

#include "catalog/cached_catalog.hpp"
#include "core/result.hpp"
#include "db/event_writer.hpp"
#include "db/sqlite.hpp"
#include "fault/board.hpp"
#include "signer/cluster_pki.hpp"
#include "signer/digest.hpp"

namespace cucm::cluster {

struct Config {
  signer::HashAlg digest = signer::HashAlg::Sha1;  // of built .sgn, .enc.sgn and trust lists
  std::filesystem::path static_dir;                // firmware loads; empty: <data_dir>/static
  std::size_t cache_bytes = 256u << 20;            // memory for built files
  std::size_t build_workers = 0;                   // threads that build cache misses; 0: one per core
  bool events = true;                              // write the event log (a background thread)
  db::EventWriterOptions event_options;            // its size budget, maximum age and refusal limit
  // Apply the faults armed with `cucm-emu scenario set` (serve): a thread reads them every 250 ms.
  // Off, nothing armed is ever applied (the CLI's own reads, benchmarks of the normal path).
  bool faults = false;
  std::chrono::milliseconds fault_poll{250};
  // Called on a build worker before each build, with the file name: tests hold a build with it.
  std::function<void(const std::string&)> before_build;
};

class Cluster {
 public:
  // Loads (or, on an empty data folder, creates) the PKI, opens and migrates `<data_dir>/cucm.db`,
  // starts the event writer and the catalog. Errors name the file or setting at fault.
  static Result<std::unique_ptr<Cluster>> open(const std::filesystem::path& data_dir, Config cfg = {});
  ~Cluster();
  Cluster(const Cluster&) = delete;
  Cluster& operator=(const Cluster&) = delete;

  const std::filesystem::path& data_dir() const { return data_dir_; }
  const Config& config() const { return cfg_; }
  // True when open() made the identities (the first use of the data folder).
  bool created_identities() const { return created_; }
  const signer::ClusterPki& pki() const { return pki_; }
  // The connection for the opening thread (administration, tests). Servers and workers open
  // their own with open_db(), since a connection is used by one thread at a time.
  db::Database& db() { return db_; }
  Result<db::Database> open_db() const;
  // Null unless the config asked for faults.
  fault::Board* faults() { return faults_.get(); }
  // Null when the config turned the event log off.
  db::EventWriter* events() { return events_.get(); }
  catalog::CachedCatalog& catalog() { return *catalog_; }
  // Counts this process's commits, for the catalog to notice them at once.
  const db::CommitCounter& commits() const { return *commits_; }

 private:
  Cluster(std::filesystem::path dir, Config cfg, signer::ClusterPki pki, bool created);

  std::filesystem::path data_dir_;
  Config cfg_;
  signer::ClusterPki pki_;
  bool created_ = false;
  std::shared_ptr<db::CommitCounter> commits_;
  db::Database db_;
  std::unique_ptr<db::EventWriter> events_;
  std::shared_ptr<fault::Board> faults_;
  std::unique_ptr<catalog::CachedCatalog> catalog_;  // last: it uses the members above
};

}  // namespace cucm::cluster
