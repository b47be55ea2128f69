// The cluster's own identities, kept in the data directory and never silently regenerated:
// a phone that trusted an ITL is bricked by a new signer key.
#pragma once

#include <array>
#include <filesystem>
#include <string>
#include <string_view>
#include <vector>

#include "core/result.hpp"
#include "signer/digest.hpp"
#include "signer/keys.hpp"
#include "signer/ossl.hpp"
#include "signer/trust_list.hpp"

namespace cucm::signer {

// The certificates CUCM keeps for phone security (PROTOCOLS §7.1).
enum class PkiRole { CallManager, Capf, ItlRecovery, Tvs };
inline constexpr std::array<PkiRole, 4> kAllPkiRoles{PkiRole::CallManager, PkiRole::Capf,
                                                     PkiRole::ItlRecovery, PkiRole::Tvs};

std::string_view pki_role_name(PkiRole r);   // "callmanager", "capf", "itlrecovery", "tvs"
Result<PkiRole> parse_pki_role(std::string_view name);
Role trust_role(PkiRole r);  // CallManager -> CCM+TFTP, Capf -> CAPF, ItlRecovery -> SAST, Tvs -> TVS

struct Identity {
  X509Ptr cert;
  PkeyPtr key;
  std::vector<X509Ptr> chain;  // issuers of an imported CA-signed certificate, leaf excluded
};

struct PkiOptions {
  std::string node_name = "cucm-emu";
  std::string organisation = "cucm-emu Lab";
  std::string unit = "Phone Security";
  KeySpec key;       // CallManager and ITLRecovery (file signers: RSA only)
  KeySpec capf_key;  // CAPF may be RSA or EC
  KeySpec tvs_key;   // TVS may be RSA or EC
  HashAlg cert_digest = HashAlg::Sha256;
  int days = 3650;
};

class ClusterPki {
 public:
  // Loads every identity from `<data_dir>/pki`, creating all of them when the folder holds none.
  // Refuses (AlreadyExists/NotFound with advice) when only some files are there, a key does not
  // match its certificate, or options ask for an EC file signer. `created` tells which happened.
  // Whether `<data_dir>/pki` holds any identity file; Unavailable naming the file when that
  // cannot be told (a folder that cannot be read is not an empty one).
  static Result<bool> any_present(const std::filesystem::path& data_dir);
  static Result<ClusterPki> load_or_create(const std::filesystem::path& data_dir,
                                           const PkiOptions& opts, bool* created = nullptr);
  // Loads an existing PKI; NotFound with the init command when there is none.
  static Result<ClusterPki> load(const std::filesystem::path& data_dir);

  Identity& identity(PkiRole r) { return ids_[static_cast<std::size_t>(r)]; }
  const Identity& identity(PkiRole r) const { return ids_[static_cast<std::size_t>(r)]; }
  const std::filesystem::path& dir() const { return dir_; }

  // Replaces a role with an externally issued certificate and key (e.g. a CallManager certificate
  // signed by an enterprise CA). InvalidArgument when the key does not match the certificate or a
  // file signer is not RSA. The previous files are kept with a ".bak-<time>" suffix.
  Status import(PkiRole r, ByteView cert_pem, ByteView key_pem, ByteView chain_pem);

  // Every identity as a trust-list entry with its role, ITLRecovery first.
  std::vector<TrustEntry> itl_entries() const;
  std::vector<TrustEntry> ctl_entries() const;  // no TVS in a CTL (PROTOCOLS §5.5)

 private:
  std::filesystem::path dir_;
  std::array<Identity, 4> ids_;
};

}  // namespace cucm::signer
