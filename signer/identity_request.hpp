// A certificate signing request for one of the cluster's identities (cucm-emu cert csr), and the
// new key kept pending in pki/ until the CA's certificate comes back (cert import): CUCM's
// "Generate CSR" and "Upload Certificate" (seed 003).
#pragma once

#include <filesystem>
#include <optional>
#include <string>

#include "core/bytes.hpp"
#include "core/result.hpp"
#include "signer/cluster_pki.hpp"
#include "signer/digest.hpp"
#include "signer/keys.hpp"
#include "signer/ossl.hpp"

namespace cucm::signer {

using X509ReqPtr = std::unique_ptr<X509_REQ, CDeleter<&X509_REQ_free>>;

// What a role's certificate is used for, asked for in its CSR and checked on import.
struct RoleUsage {
  bool ca = false;          // CAPF issues LSCs: CA:TRUE, pathlen:0 (PROTOCOLS §7.1, 14SU2)
  std::string key_usage;    // OpenSSL config form
  std::string ext_key_usage;
};
RoleUsage role_usage(PkiRole role, KeyKind kind);

struct CsrOptions {
  std::string cn;   // empty: the current certificate's CN
  std::string san;  // "DNS:a,IP:10.0.0.1"; empty: the current certificate's names, or DNS:<cn> for a new CN
  std::optional<KeySpec> key;  // empty: like the current key
  HashAlg digest = HashAlg::Sha256;
};

struct IdentityRequest {
  PkeyPtr key;
  X509ReqPtr csr;
  Bytes csr_pem;
};

// The roles a CSR can be made for: not ITLRecovery, which CUCM keeps self-signed.
Status check_csr_role(PkiRole role);
// A new key and a CSR for `role`, with the current certificate's subject (CN replaced when asked)
// and the role's usage. Does not touch the PKI folder.
Result<IdentityRequest> make_identity_request(const ClusterPki& pki, PkiRole role, const CsrOptions& opts);

// pki/<role>.pending.key (0600) and pki/<role>.csr. A pending request made earlier is kept as
// .bak-<time>: its certificate may still be on its way from the CA.
std::filesystem::path pending_key_path(const std::filesystem::path& pki_dir, PkiRole role);
std::filesystem::path pending_csr_path(const std::filesystem::path& pki_dir, PkiRole role);
Status save_pending(const std::filesystem::path& pki_dir, PkiRole role, const IdentityRequest& req);
// NotFound, saying how to make one, when no CSR is pending for the role.
Result<PkeyPtr> load_pending_key(const std::filesystem::path& pki_dir, PkiRole role);
// After an import the key lives on as <role>.key: the pending files go.
Status clear_pending(const std::filesystem::path& pki_dir, PkiRole role);

}  // namespace cucm::signer
