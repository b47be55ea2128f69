// The cluster's identities as every command but `pki init` opens them: made only on the very
// first use of a data folder, never over a cluster that phones may already trust.
#pragma once

#include <filesystem>

#include "core/result.hpp"
#include "signer/cluster_pki.hpp"

namespace cucm::cluster {

// Loads `<data_dir>/pki`. Creates it (with the default options; `created` says so) only when it
// holds no identity file and the database is absent or holds no device. AlreadyExists, saying
// how to restore or start over, when pki/ is missing but the database has devices: new keys
// would strand every phone that trusted the old ITL. Errors reading pki/ are refusals naming the
// file (ClusterPki::load_or_create).
Result<signer::ClusterPki> open_identities(const std::filesystem::path& data_dir, bool* created = nullptr);

}  // namespace cucm::cluster
