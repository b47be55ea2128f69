// First use versus a lost pki/ folder.
#include "cluster/identities.hpp"

#include <fmt/format.h>

#include "db/schema.hpp"

namespace cucm::cluster {

Result<signer::ClusterPki> open_identities(const std::filesystem::path& data_dir, bool* created) {
  CUCM_TRY(bool present, signer::ClusterPki::any_present(data_dir));
  if (!present) {
    auto db = db::open_cluster_db(data_dir, true);
    if (!db && db.error().code != Errc::NotFound) return std::move(db).error();
    if (db) {
      CUCM_TRY(auto count, db->prepare("SELECT count(*) FROM device"));
      CUCM_TRY(bool row, count.step());
      std::int64_t devices = row ? count.int64(0) : 0;
      if (devices > 0) {
        return make_error(Errc::AlreadyExists,
                          fmt::format("pki: {} holds no cluster identities but {} holds {} device(s): new keys would "
                                      "strand every phone that trusted this cluster's ITL. Restore pki/ from a backup; "
                                      "or, to start a new cluster on purpose, run 'cucm-emu --data-dir {} pki init' "
                                      "(phones must then have their ITL reset)",
                                      (data_dir / "pki").string(), (data_dir / "cucm.db").string(), devices,
                                      data_dir.string()));
      }
    }
  }
  return signer::ClusterPki::load_or_create(data_dir, signer::PkiOptions{}, created);
}

}  // namespace cucm::cluster
