// The admin site's certificate, CUCM's "tomcat" identity: an EC P-256 key and a self-signed
// certificate for the node name, localhost, 127.0.0.1 and ::1, kept in <data_dir>/pki as
// tomcat.pem and tomcat.key and made on first use. It is not a phone identity: it is in no trust
// list, and making it changes no file a phone is served.
#pragma once

#include <filesystem>

#include "core/result.hpp"
#include "signer/cluster_pki.hpp"

namespace cucm::web {

struct AdminIdentity {
  signer::X509Ptr cert;
  signer::PkeyPtr key;
  bool created = false;  // made by this call
};

// Loads pki/tomcat.pem and pki/tomcat.key, or makes them with the subject of the CallManager
// certificate (its node, organisation and unit). InvalidArgument when the key does not match.
Result<AdminIdentity> load_or_create_admin_identity(const signer::ClusterPki& pki);

}  // namespace cucm::web
