// The files of the cluster identities in <data-dir>/pki, named in one place for every reader:
// the PKI itself, and `cucm-emu doctor`, which checks them without loading a PKI.
#pragma once

#include <filesystem>
#include <vector>

#include "core/result.hpp"
#include "signer/cluster_pki.hpp"

namespace cucm::signer {

std::filesystem::path identity_cert_path(const std::filesystem::path& pki_dir, PkiRole r);   // <role>.pem
std::filesystem::path identity_key_path(const std::filesystem::path& pki_dir, PkiRole r);    // <role>.key (0600)
std::filesystem::path identity_chain_path(const std::filesystem::path& pki_dir, PkiRole r);  // <role>-chain.pem

// Whether a file is there. Any answer but "there" or "not there" (a folder that cannot be read,
// a path through a file) is Unavailable naming the file: taking it for "absent" once made a new
// cluster over one that phones trusted.
Result<bool> pki_file_present(const std::filesystem::path& p);

// pki/identities (ClusterPki::kManifestName): the roles the folder holds, one a line.
struct PkiManifest {
  bool present = false;  // false: the folder predates the manifest
  std::vector<PkiRole> roles;
  // What the folder must hold: the roles listed, or, made before the manifest, every role but
  // those added_later() (which the next load makes).
  bool expects(PkiRole r) const;
};
// Writes every role.
Status write_manifest(const std::filesystem::path& pki_dir);
// InvalidArgument naming the file for a line that is not a role.
Result<PkiManifest> read_manifest(const std::filesystem::path& pki_dir);

}  // namespace cucm::signer
