// sip_bench --split: the server's work per registration beyond the TLS handshake, part by part.
#pragma once

#include <filesystem>

#include "cluster/cluster.hpp"

namespace cucm::bench {

// Times each part `n` times on this thread (phone 0 of `data`); prints a table on stderr and one
// JSON line on stdout. 0, 1 when a part did not do what it should, 2 when it could not start.
int run_split(cluster::Cluster& cl, const std::filesystem::path& data, int n);

}  // namespace cucm::bench
