// A cluster identity replaced by a new key and certificate "like the old one": the same subject,
// key type and size, validity length, and certificate digest; the old files kept as .bak-<time>.
// What CUCM's certificate regeneration does (PROTOCOLS §7.1).
#pragma once

#include "signer/cluster_pki.hpp"

namespace cucm::signer {

// InvalidArgument when the old certificate cannot be copied (an imported CA-signed identity: a
// self-signed successor would silently change its trust; import a new one instead).
Status rotate_identity(ClusterPki& pki, PkiRole role);

}  // namespace cucm::signer
