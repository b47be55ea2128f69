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

// The certificates CUCM keeps for phone security (PROTOCOLS §7.1), and the EC certificate of
// HTTPS on 6971 (PROTOCOLS §8.1: phones take only an EC certificate there, listed as TFTP).
enum class PkiRole { CallManager, Capf, ItlRecovery, Tvs, Https };
inline constexpr std::array<PkiRole, 5> kAllPkiRoles{PkiRole::CallManager, PkiRole::Capf,
                                                     PkiRole::ItlRecovery, PkiRole::Tvs, PkiRole::Https};

std::string_view pki_role_name(PkiRole r);   // "callmanager", "capf", "itlrecovery", "tvs", "https"
Result<PkiRole> parse_pki_role(std::string_view name);
// The names a client checks an HTTPS certificate of ours against (subjectAltName, OpenSSL config
// form): the node name in lower case, localhost, 127.0.0.1 and ::1, as a lab reaches HTTPS 6971
// and the admin site. Phones do not check names: they pin the certificate from the ITL.
std::string https_alt_names(const std::string& node);
// CallManager -> CCM+TFTP, Capf -> CAPF, ItlRecovery -> SAST, Tvs -> TVS, Https -> TFTP
Role trust_role(PkiRole r);
// Identities added after clusters already existed (Https): a pki/ folder made before holds none
// of their files and gets them on first use, as new identities, never as replacements.
bool added_later(PkiRole r);

// InvalidArgument when a role cannot have this kind of key: the file signers (CallManager,
// ITLRecovery) need RSA, HTTPS needs EC. `described` names the key in the message.
Status check_key_kind(PkiRole r, KeyKind kind, const std::string& described);

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
  KeySpec https_key{KeyKind::Ec, 2048, "prime256v1"};  // HTTPS 6971: EC only (PROTOCOLS §8.1)
  HashAlg cert_digest = HashAlg::Sha256;
  int days = 3650;
};

// How an ITL is made, from the cluster's settings (itl_signer, rollback_prep).
struct ItlLayout {
  // ItlRecovery signs it from CUCM 12.0 on, CallManager before (PROTOCOLS §7.1). The signer's
  // record has the SAST role, so before 12.0 the CallManager certificate is listed twice: as SAST
  // and as CCM+TFTP.
  PkiRole signer = PkiRole::ItlRecovery;
  // "Prepare Cluster for Rollback to pre-8.0": the TFTP and TVS entries left out, so that a phone
  // that takes this ITL trusts the next one whoever signed it. The SAST and CAPF entries stay.
  bool rollback = false;
};

class ClusterPki {
 public:
  // Whether `<data_dir>/pki` holds any identity file; Unavailable naming the file when that
  // cannot be told (a folder that cannot be read is not an empty one).
  static Result<bool> any_present(const std::filesystem::path& data_dir);
  // Loads every identity from `<data_dir>/pki`, creating all of them when the folder holds none
  // (`created` tells which happened); otherwise as load().
  static Result<ClusterPki> load_or_create(const std::filesystem::path& data_dir,
                                           const PkiOptions& opts, bool* created = nullptr);
  // Loads an existing PKI; NotFound with the init command when there is none. NotFound naming the
  // files when an identity the folder had is missing (never regenerated), InvalidArgument when a
  // key does not match its certificate. An identity added_later() that the folder never had is
  // made here, with the subject of the CallManager certificate (see kManifestName).
  static Result<ClusterPki> load(const std::filesystem::path& data_dir);

  // `pki/identities`: the roles the folder holds, one per line. A folder without it predates the
  // identities added later; a role listed there whose files are gone was lost, and is refused.
  static constexpr const char* kManifestName = "identities";

  Identity& identity(PkiRole r) { return ids_[static_cast<std::size_t>(r)]; }
  const Identity& identity(PkiRole r) const { return ids_[static_cast<std::size_t>(r)]; }
  const std::filesystem::path& dir() const { return dir_; }

  // Replaces a role with an externally issued certificate and key (e.g. a CallManager certificate
  // signed by an enterprise CA). InvalidArgument when the key does not match the certificate or a
  // file signer is not RSA. The previous files are kept with a ".bak-<time>" suffix.
  Status import(PkiRole r, ByteView cert_pem, ByteView key_pem, ByteView chain_pem);

  // Every identity as a trust-list entry with its role, the ITL's signer first.
  // HTTPS is listed as TFTP in both: the CTL lists the TFTP servers (PROTOCOLS §5.5), and a phone
  // that holds a CTL checks the ITL against it.
  std::vector<TrustEntry> itl_entries(const ItlLayout& layout = {}) const;
  std::vector<TrustEntry> ctl_entries() const;  // no TVS in a CTL (PROTOCOLS §5.5)
  // Roles made by the last load() because the folder predates them (for a notice).
  const std::vector<PkiRole>& added() const { return added_; }

 private:
  Status add_later_identities();

  std::filesystem::path dir_;
  std::array<Identity, kAllPkiRoles.size()> ids_;
  std::vector<PkiRole> added_;
};

}  // namespace cucm::signer
