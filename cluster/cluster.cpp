// Opening a cluster's parts in the order they depend on each other.
#include "cluster/cluster.hpp"

#include <algorithm>
#include <thread>

#include "cluster/identities.hpp"
#include "cluster/trust_stores.hpp"
#include "db/schema.hpp"
#include "tvs/trust.hpp"

namespace cucm::cluster {

Cluster::Cluster(std::filesystem::path dir, Config cfg, signer::ClusterPki pki, bool created)
    : data_dir_(std::move(dir)), cfg_(std::move(cfg)), pki_(std::move(pki)), created_(created),
      commits_(std::make_shared<db::CommitCounter>()) {}

Cluster::~Cluster() = default;

Result<std::unique_ptr<Cluster>> Cluster::open(const std::filesystem::path& data_dir, Config cfg) {
  bool created = false;
  CUCM_TRY(auto pki, open_identities(data_dir, &created));
  if (cfg.static_dir.empty()) cfg.static_dir = data_dir / "static";
  std::unique_ptr<Cluster> c(new Cluster(data_dir, cfg, std::move(pki), created));
  CUCM_TRY(c->db_, c->open_db());
  // TVS vouches for the cluster's own certificates: the store follows pki/ (a rotation or an
  // import while the cluster was down shows here).
  CUCM_CHECK(tvs::mirror_cluster_identities(c->db_, c->pki_));
  CUCM_CHECK(move_capf_trust_folder(c->db_, data_dir));  // once, from before the trust stores
  if (cfg.events) {
    CUCM_TRY(c->events_, db::EventWriter::start(data_dir, cfg.event_options));
  }
  const Cluster* self = c.get();
  if (cfg.faults) {
    CUCM_TRY(c->faults_, fault::Board::start([self] { return self->open_db(); }, {cfg.fault_poll, {}}));
  }
  catalog::CacheOptions co;
  co.catalog = {cfg.static_dir, cfg.digest};
  co.max_bytes = cfg.cache_bytes;
  // RSA signing is the cost of a build: one worker per core keeps every core signing in a boot
  // storm, and more would only queue on the same cores.
  co.workers = cfg.build_workers ? cfg.build_workers : std::max(1u, std::thread::hardware_concurrency());
  co.commits = c->commits_;
  co.before_build = cfg.before_build;
  co.faults = c->faults_;
  CUCM_TRY(c->catalog_, catalog::CachedCatalog::start([self] { return self->open_db(); }, c->pki_, std::move(co)));
  return c;
}

Result<db::Database> Cluster::open_db() const { return db::open_cluster_db(data_dir_, false, commits_); }

}  // namespace cucm::cluster
