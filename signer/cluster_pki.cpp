// Persistence of the cluster identities under <data-dir>/pki: <role>.pem, <role>.key (0600) and
// an optional <role>-chain.pem.
#include "signer/cluster_pki.hpp"

#include <fcntl.h>
#include <sys/file.h>
#include <unistd.h>

#include <algorithm>
#include <ctime>
#include <system_error>

#include <fmt/format.h>

#include "core/file_io.hpp"
#include "core/log.hpp"
#include "signer/cert.hpp"
#include "signer/cert_builder.hpp"
#include "signer/pki_files.hpp"

namespace cucm::signer {
namespace fs = std::filesystem;

std::string_view pki_role_name(PkiRole r) {
  switch (r) {
    case PkiRole::CallManager: return "callmanager";
    case PkiRole::Capf: return "capf";
    case PkiRole::ItlRecovery: return "itlrecovery";
    case PkiRole::Tvs: return "tvs";
    case PkiRole::Https: return "https";
  }
  return "unknown";
}

Result<PkiRole> parse_pki_role(std::string_view name) {
  for (auto r : kAllPkiRoles) if (pki_role_name(r) == name) return r;
  return make_error(Errc::InvalidArgument,
                    fmt::format("pki: unknown role '{}' (callmanager, capf, itlrecovery, tvs, https)", name));
}

Role trust_role(PkiRole r) {
  switch (r) {
    case PkiRole::CallManager: return Role::CcmTftp;
    case PkiRole::Capf: return Role::Capf;
    case PkiRole::ItlRecovery: return Role::Sast;
    case PkiRole::Tvs: return Role::Tvs;
    case PkiRole::Https: return Role::Tftp;
  }
  return Role::Ccm;
}

bool added_later(PkiRole r) { return r == PkiRole::Https; }

namespace {

bool signs_files(PkiRole r) { return r == PkiRole::CallManager || r == PkiRole::ItlRecovery; }

bool file_exists(const fs::path& p) {
  auto present = pki_file_present(p);
  return present && *present;
}

}  // namespace

// File signers must be RSA (the header has no EC signature code); HTTPS must be EC, the only key
// phones take on 6971 (PROTOCOLS §8.1).
Status check_key_kind(PkiRole r, KeyKind kind, const std::string& described) {
  if (signs_files(r) && kind != KeyKind::Rsa) {
    return make_error(Errc::InvalidArgument,
                      fmt::format("pki: {} signs .sgn/.tlv files and needs an RSA key, not {}", pki_role_name(r), described));
  }
  if (r == PkiRole::Https && kind != KeyKind::Ec) {
    return make_error(Errc::InvalidArgument,
                      fmt::format("pki: https serves TCP 6971, where phones take only an EC certificate (listed in the "
                                  "ITL as TFTP), not {}", described));
  }
  return Ok{};
}

namespace {

Result<Identity> load_identity(const fs::path& dir, PkiRole r) {
  CUCM_TRY(Bytes cert_bytes, read_file(identity_cert_path(dir, r)));
  CUCM_TRY(Bytes key_bytes, read_file(identity_key_path(dir, r)));
  Identity id;
  auto cert = load_cert(cert_bytes);
  if (!cert) return make_error(Errc::InvalidArgument, fmt::format("pki: {}: {}", identity_cert_path(dir, r).string(), cert.error().message));
  auto key = load_private_key(key_bytes);
  if (!key) return make_error(Errc::InvalidArgument, fmt::format("pki: {}: {}", identity_key_path(dir, r).string(), key.error().message));
  id.cert = std::move(*cert);
  id.key = std::move(*key);
  if (!same_public_key(*X509_get0_pubkey(id.cert.get()), *id.key)) {
    return make_error(Errc::InvalidArgument,
                      fmt::format("pki: {} does not match {}: restore the right pair from a backup",
                                  identity_key_path(dir, r).string(), identity_cert_path(dir, r).string()));
  }
  if (file_exists(identity_chain_path(dir, r))) {
    CUCM_TRY(Bytes chain_bytes, read_file(identity_chain_path(dir, r)));
    CUCM_TRY(id.chain, load_certs(chain_bytes));
  }
  return id;
}

Status save_identity(const fs::path& dir, PkiRole r, Identity& id) {
  CUCM_TRY(Bytes key_pem, private_key_pem(*id.key));
  CUCM_CHECK(write_file_atomic(identity_key_path(dir, r), key_pem, 0600));
  CUCM_CHECK(write_file_atomic(identity_cert_path(dir, r), cert_pem(*id.cert), 0644));
  if (!id.chain.empty()) {
    Bytes chain;
    for (auto& c : id.chain) {
      Bytes pem = cert_pem(*c);
      chain.insert(chain.end(), pem.begin(), pem.end());
    }
    CUCM_CHECK(write_file_atomic(identity_chain_path(dir, r), chain, 0644));
  }
  return Ok{};
}

std::string common_name(PkiRole r, const std::string& node) {
  switch (r) {
    case PkiRole::CallManager: return node;
    case PkiRole::Capf: return "CAPF-" + node;
    case PkiRole::ItlRecovery: return "ITLRECOVERY_" + node;
    case PkiRole::Tvs: return "TVS-" + node;
    case PkiRole::Https: return node + "-EC";  // as CUCM names its ECDSA certificates
  }
  return node;
}

const KeySpec& key_spec(PkiRole r, const PkiOptions& opts) {
  switch (r) {
    case PkiRole::Capf: return opts.capf_key;
    case PkiRole::Tvs: return opts.tvs_key;
    case PkiRole::Https: return opts.https_key;
    default: return opts.key;
  }
}

Result<Identity> create_identity(PkiRole r, const PkiOptions& opts) {
  const KeySpec& spec = key_spec(r, opts);
  CUCM_CHECK(check_key_kind(r, spec.kind, describe(spec)));
  Identity id;
  CUCM_TRY(id.key, generate_key(spec));
  auto req = mkcert_profile(*id.key,
                            {{"CN", common_name(r, opts.node_name)}, {"OU", opts.unit}, {"O", opts.organisation}},
                            opts.days, opts.cert_digest);
  if (r == PkiRole::Https) req.subject_alt_name = https_alt_names(opts.node_name);
  CUCM_TRY(id.cert, make_self_signed(*id.key, req));
  return id;
}

// The options an existing cluster was made with, as far as an identity added later needs them:
// its node, organisation and unit, from the CallManager certificate's subject.
PkiOptions options_of(const X509& callmanager) {
  PkiOptions o;
  const X509_NAME* name = X509_get_subject_name(&callmanager);
  auto field = [&](int nid, std::string& out) {
    int i = X509_NAME_get_index_by_NID(name, nid, -1);
    if (i < 0) return;
    unsigned char* utf8 = nullptr;
    int n = ASN1_STRING_to_UTF8(&utf8, X509_NAME_ENTRY_get_data(X509_NAME_get_entry(name, i)));
    if (n > 0) out.assign(reinterpret_cast<const char*>(utf8), static_cast<std::size_t>(n));  // NOLINT: bytes as chars
    OPENSSL_free(utf8);
  };
  field(NID_commonName, o.node_name);
  field(NID_organizationName, o.organisation);
  field(NID_organizationalUnitName, o.unit);
  return o;
}

// An exclusive lock on pki/ while identities are added: two commands started at once on an old
// folder would otherwise each write a key and a certificate, and could leave one's key with the
// other's certificate. Released when the descriptor closes.
class FolderLock {
 public:
  explicit FolderLock(const fs::path& dir) : fd_(::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC)) {
    if (fd_ >= 0) (void)::flock(fd_, LOCK_EX);  // best effort: without it, the old behaviour
  }
  ~FolderLock() {
    if (fd_ >= 0) ::close(fd_);
  }
  FolderLock(const FolderLock&) = delete;
  FolderLock& operator=(const FolderLock&) = delete;

 private:
  int fd_;
};

}  // namespace

std::string https_alt_names(const std::string& node) {
  std::string lower = node;
  std::transform(lower.begin(), lower.end(), lower.begin(), [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  std::string names = "DNS:" + lower;
  if (lower != "localhost") names += ",DNS:localhost";
  return names + ",IP:127.0.0.1,IP:::1";
}

// Just over 60 lines: the refusal of a folder missing what it had, then the load, then the
// identities added later; one reading of the folder, in that order.
Result<ClusterPki> ClusterPki::load(const fs::path& data_dir) {
  ClusterPki pki;
  pki.dir_ = data_dir / "pki";
  CUCM_TRY(bool any, any_present(data_dir));
  if (!any) {
    return make_error(Errc::NotFound,
                      fmt::format("pki: no cluster identities in {} (run 'cucm-emu pki init --data-dir {}')",
                                  pki.dir_.string(), data_dir.string()));
  }
  CUCM_TRY(auto manifest, read_manifest(pki.dir_));
  // What the folder must hold (PkiManifest::expects). Those it never had are made below; half of
  // a pair is a loss.
  auto expected = [&](PkiRole r) { return manifest.expects(r); };
  std::string missing;
  for (auto r : kAllPkiRoles) {
    int here = 0;
    std::string absent;
    for (const auto& p : {identity_cert_path(pki.dir_, r), identity_key_path(pki.dir_, r)}) {
      CUCM_TRY(bool there, pki_file_present(p));
      if (there) ++here;
      else absent += (absent.empty() ? "" : ", ") + p.filename().string();
    }
    bool lost = expected(r) ? here < 2 : here == 1;
    if (lost) missing += (missing.empty() ? "" : ", ") + absent;
  }
  if (!missing.empty()) {
    return make_error(Errc::NotFound,
                      fmt::format("pki: {} is incomplete (missing {}); refusing to regenerate part of a "
                                  "cluster that phones may already trust: restore the files from a "
                                  "backup, or move the folder away to start a new cluster", pki.dir_.string(), missing));
  }
  for (auto r : kAllPkiRoles) {
    if (!expected(r)) continue;
    CUCM_TRY(pki.ids_[static_cast<std::size_t>(r)], load_identity(pki.dir_, r));
  }
  bool complete = manifest.present;
  for (auto r : kAllPkiRoles) complete = complete && expected(r);
  if (!complete) CUCM_CHECK(pki.add_later_identities());
  return pki;
}

// Under the folder lock: another command may have added them meanwhile, and then they are loaded.
Status ClusterPki::add_later_identities() {
  FolderLock lock(dir_);
  PkiOptions opts = options_of(*identity(PkiRole::CallManager).cert);
  for (auto r : kAllPkiRoles) {
    if (identity(r).cert) continue;
    CUCM_TRY(bool there, pki_file_present(identity_cert_path(dir_, r)));
    if (there) {
      CUCM_TRY(ids_[static_cast<std::size_t>(r)], load_identity(dir_, r));
      continue;
    }
    CUCM_TRY(ids_[static_cast<std::size_t>(r)], create_identity(r, opts));
    CUCM_CHECK(save_identity(dir_, r, identity(r)));
    added_.push_back(r);
    log::get("pki")->warn("pki: made the {} identity in {} ({}, new in this version); phones get it with their next ITL",
                          pki_role_name(r), dir_.string(), subject_name(*identity(r).cert));
  }
  return write_manifest(dir_);
}

Result<bool> ClusterPki::any_present(const fs::path& data_dir) {
  fs::path dir = data_dir / "pki";
  for (auto r : kAllPkiRoles) {
    for (const auto& p : {identity_cert_path(dir, r), identity_key_path(dir, r)}) {
      CUCM_TRY(bool there, pki_file_present(p));
      if (there) return true;
    }
  }
  return false;
}

Result<ClusterPki> ClusterPki::load_or_create(const fs::path& data_dir, const PkiOptions& opts, bool* created) {
  fs::path dir = data_dir / "pki";
  CUCM_TRY(bool any, any_present(data_dir));
  if (created) *created = !any;
  if (any) return load(data_dir);

  std::error_code ec;
  // A data folder made here is the owner's alone, like pki/ (the database beside it holds line
  // passwords); one that exists is left as the user made it.
  bool new_data_dir = !fs::exists(data_dir, ec);
  fs::create_directories(dir, ec);
  if (ec) return make_error(Errc::Unavailable, fmt::format("pki: cannot create {}: {}", dir.string(), ec.message()));
  if (new_data_dir) fs::permissions(data_dir, fs::perms::owner_all, fs::perm_options::replace, ec);
  fs::permissions(dir, fs::perms::owner_all, fs::perm_options::replace, ec);
  ClusterPki pki;
  pki.dir_ = dir;
  // Generate all first, then save, so a failure leaves nothing half-made on disk.
  for (auto r : kAllPkiRoles) {
    CUCM_TRY(pki.ids_[static_cast<std::size_t>(r)], create_identity(r, opts));
  }
  for (auto r : kAllPkiRoles) {
    CUCM_CHECK(save_identity(dir, r, pki.identity(r)));
  }
  CUCM_CHECK(write_manifest(dir));
  return pki;
}

Status ClusterPki::import(PkiRole r, ByteView cert_bytes, ByteView key_bytes, ByteView chain_bytes) {
  Identity id;
  CUCM_TRY(id.cert, load_cert(cert_bytes));
  CUCM_TRY(id.key, load_private_key(key_bytes));
  if (!same_public_key(*X509_get0_pubkey(id.cert.get()), *id.key)) {
    return make_error(Errc::InvalidArgument,
                      fmt::format("pki: the private key ({}) does not match the certificate {} ({}); check "
                                  "that the CSR was made from this key", describe_key(*id.key),
                                  subject_name(*id.cert), describe_key(*X509_get0_pubkey(id.cert.get()))));
  }
  CUCM_CHECK(check_key_kind(r, key_kind(*id.key), describe_key(*id.key)));
  if (!chain_bytes.empty()) {
    CUCM_TRY(id.chain, load_certs(chain_bytes));
  }
  std::string suffix = fmt::format(".bak-{}", std::time(nullptr));
  for (const auto& p : {identity_cert_path(dir_, r), identity_key_path(dir_, r), identity_chain_path(dir_, r)}) {
    std::error_code ec;
    if (file_exists(p)) fs::rename(p, fs::path(p) += suffix, ec);
    if (ec) return make_error(Errc::Unavailable, fmt::format("pki: cannot back up {}: {}", p.string(), ec.message()));
  }
  CUCM_CHECK(save_identity(dir_, r, id));
  ids_[static_cast<std::size_t>(r)] = std::move(id);
  return Ok{};
}

std::vector<TrustEntry> ClusterPki::itl_entries(const ItlLayout& layout) const {
  std::vector<TrustEntry> out;
  if (layout.signer == PkiRole::CallManager) out.push_back({identity(PkiRole::CallManager).cert.get(), Role::Sast});
  out.push_back({identity(PkiRole::ItlRecovery).cert.get(), Role::Sast});
  if (!layout.rollback) out.push_back({identity(PkiRole::CallManager).cert.get(), Role::CcmTftp});
  out.push_back({identity(PkiRole::Capf).cert.get(), Role::Capf});
  if (!layout.rollback) {
    out.push_back({identity(PkiRole::Tvs).cert.get(), Role::Tvs});
    out.push_back({identity(PkiRole::Https).cert.get(), Role::Tftp});
  }
  return out;
}

std::vector<TrustEntry> ClusterPki::ctl_entries() const {
  return {{identity(PkiRole::ItlRecovery).cert.get(), Role::Sast},
          {identity(PkiRole::CallManager).cert.get(), Role::CcmTftp},
          {identity(PkiRole::Capf).cert.get(), Role::Capf},
          {identity(PkiRole::Https).cert.get(), Role::Tftp}};
}

}  // namespace cucm::signer
