// Persistence of the cluster identities under <data-dir>/pki: <role>.pem, <role>.key (0600) and
// an optional <role>-chain.pem.
#include "signer/cluster_pki.hpp"

#include <ctime>
#include <system_error>

#include <fmt/format.h>

#include "core/file_io.hpp"
#include "signer/cert.hpp"
#include "signer/cert_builder.hpp"

namespace cucm::signer {
namespace fs = std::filesystem;

std::string_view pki_role_name(PkiRole r) {
  switch (r) {
    case PkiRole::CallManager: return "callmanager";
    case PkiRole::Capf: return "capf";
    case PkiRole::ItlRecovery: return "itlrecovery";
    case PkiRole::Tvs: return "tvs";
  }
  return "unknown";
}

Result<PkiRole> parse_pki_role(std::string_view name) {
  for (auto r : kAllPkiRoles) if (pki_role_name(r) == name) return r;
  return make_error(Errc::InvalidArgument,
                    fmt::format("pki: unknown role '{}' (callmanager, capf, itlrecovery, tvs)", name));
}

Role trust_role(PkiRole r) {
  switch (r) {
    case PkiRole::CallManager: return Role::CcmTftp;
    case PkiRole::Capf: return Role::Capf;
    case PkiRole::ItlRecovery: return Role::Sast;
    case PkiRole::Tvs: return Role::Tvs;
  }
  return Role::Ccm;
}

namespace {

bool signs_files(PkiRole r) { return r == PkiRole::CallManager || r == PkiRole::ItlRecovery; }

fs::path cert_path(const fs::path& dir, PkiRole r) { return dir / fmt::format("{}.pem", pki_role_name(r)); }
fs::path key_path(const fs::path& dir, PkiRole r) { return dir / fmt::format("{}.key", pki_role_name(r)); }
fs::path chain_path(const fs::path& dir, PkiRole r) { return dir / fmt::format("{}-chain.pem", pki_role_name(r)); }

// Whether a file is there. Any answer but "there" or "not there" (a folder that cannot be read,
// a path through a file) is an error naming the file: taking it for "absent" once made a new
// cluster over one that phones trusted.
Result<bool> file_present(const fs::path& p) {
  std::error_code ec;
  auto st = fs::status(p, ec);
  if (ec && ec != std::errc::no_such_file_or_directory) {
    return make_error(Errc::Unavailable, fmt::format("pki: cannot check {}: {} (errno {})", p.string(), ec.message(), ec.value()));
  }
  return fs::exists(st);
}

bool file_exists(const fs::path& p) {
  auto present = file_present(p);
  return present && *present;
}

Status check_signer_key(PkiRole r, const EVP_PKEY& key) {
  if (signs_files(r) && key_kind(key) != KeyKind::Rsa) {
    return make_error(Errc::InvalidArgument,
                      fmt::format("pki: {} signs .sgn/.tlv files and needs an RSA key, not {}",
                                  pki_role_name(r), describe_key(key)));
  }
  return Ok{};
}

Result<Identity> load_identity(const fs::path& dir, PkiRole r) {
  CUCM_TRY(Bytes cert_bytes, read_file(cert_path(dir, r)));
  CUCM_TRY(Bytes key_bytes, read_file(key_path(dir, r)));
  Identity id;
  auto cert = load_cert(cert_bytes);
  if (!cert) return make_error(Errc::InvalidArgument, fmt::format("pki: {}: {}", cert_path(dir, r).string(), cert.error().message));
  auto key = load_private_key(key_bytes);
  if (!key) return make_error(Errc::InvalidArgument, fmt::format("pki: {}: {}", key_path(dir, r).string(), key.error().message));
  id.cert = std::move(*cert);
  id.key = std::move(*key);
  if (!same_public_key(*X509_get0_pubkey(id.cert.get()), *id.key)) {
    return make_error(Errc::InvalidArgument,
                      fmt::format("pki: {} does not match {}: restore the right pair from a backup",
                                  key_path(dir, r).string(), cert_path(dir, r).string()));
  }
  if (file_exists(chain_path(dir, r))) {
    CUCM_TRY(Bytes chain_bytes, read_file(chain_path(dir, r)));
    CUCM_TRY(id.chain, load_certs(chain_bytes));
  }
  return id;
}

Status save_identity(const fs::path& dir, PkiRole r, Identity& id) {
  CUCM_TRY(Bytes key_pem, private_key_pem(*id.key));
  CUCM_CHECK(write_file_atomic(key_path(dir, r), key_pem, 0600));
  CUCM_CHECK(write_file_atomic(cert_path(dir, r), cert_pem(*id.cert), 0644));
  if (!id.chain.empty()) {
    Bytes chain;
    for (auto& c : id.chain) {
      Bytes pem = cert_pem(*c);
      chain.insert(chain.end(), pem.begin(), pem.end());
    }
    CUCM_CHECK(write_file_atomic(chain_path(dir, r), chain, 0644));
  }
  return Ok{};
}

std::string common_name(PkiRole r, const std::string& node) {
  switch (r) {
    case PkiRole::CallManager: return node;
    case PkiRole::Capf: return "CAPF-" + node;
    case PkiRole::ItlRecovery: return "ITLRECOVERY_" + node;
    case PkiRole::Tvs: return "TVS-" + node;
  }
  return node;
}

Result<Identity> create_identity(PkiRole r, const PkiOptions& opts) {
  const KeySpec& spec = r == PkiRole::Capf ? opts.capf_key : r == PkiRole::Tvs ? opts.tvs_key : opts.key;
  if (signs_files(r) && spec.kind != KeyKind::Rsa) {
    return make_error(Errc::InvalidArgument,
                      fmt::format("pki: {} signs .sgn/.tlv files and needs an RSA key, not {}",
                                  pki_role_name(r), describe(spec)));
  }
  Identity id;
  CUCM_TRY(id.key, generate_key(spec));
  auto req = mkcert_profile(*id.key,
                            {{"CN", common_name(r, opts.node_name)}, {"OU", opts.unit}, {"O", opts.organisation}},
                            opts.days, opts.cert_digest);
  CUCM_TRY(id.cert, make_self_signed(*id.key, req));
  return id;
}

}  // namespace

Result<ClusterPki> ClusterPki::load(const fs::path& data_dir) {
  ClusterPki pki;
  pki.dir_ = data_dir / "pki";
  CUCM_TRY(bool there, file_present(cert_path(pki.dir_, PkiRole::CallManager)));
  if (!there) {
    return make_error(Errc::NotFound,
                      fmt::format("pki: no cluster identities in {} (run 'cucm-emu pki init --data-dir {}')",
                                  pki.dir_.string(), data_dir.string()));
  }
  for (auto r : kAllPkiRoles) {
    CUCM_TRY(pki.ids_[static_cast<std::size_t>(r)], load_identity(pki.dir_, r));
  }
  return pki;
}

Result<bool> ClusterPki::any_present(const fs::path& data_dir) {
  fs::path dir = data_dir / "pki";
  for (auto r : kAllPkiRoles) {
    for (const auto& p : {cert_path(dir, r), key_path(dir, r)}) {
      CUCM_TRY(bool there, file_present(p));
      if (there) return true;
    }
  }
  return false;
}

Result<ClusterPki> ClusterPki::load_or_create(const fs::path& data_dir, const PkiOptions& opts, bool* created) {
  fs::path dir = data_dir / "pki";
  int present = 0;
  std::string missing;
  for (auto r : kAllPkiRoles) {
    for (const auto& p : {cert_path(dir, r), key_path(dir, r)}) {
      CUCM_TRY(bool there, file_present(p));
      if (there) ++present;
      else missing += (missing.empty() ? "" : ", ") + p.filename().string();
    }
  }
  if (created) *created = present == 0;
  if (present > 0 && !missing.empty()) {
    return make_error(Errc::NotFound,
                      fmt::format("pki: {} is incomplete (missing {}); refusing to regenerate part of a "
                                  "cluster that phones may already trust: restore the files from a "
                                  "backup, or move the folder away to start a new cluster", dir.string(), missing));
  }
  if (present > 0) return load(data_dir);

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
  CUCM_CHECK(check_signer_key(r, *id.key));
  if (!chain_bytes.empty()) {
    CUCM_TRY(id.chain, load_certs(chain_bytes));
  }
  std::string suffix = fmt::format(".bak-{}", std::time(nullptr));
  for (const auto& p : {cert_path(dir_, r), key_path(dir_, r), chain_path(dir_, r)}) {
    std::error_code ec;
    if (file_exists(p)) fs::rename(p, fs::path(p) += suffix, ec);
    if (ec) return make_error(Errc::Unavailable, fmt::format("pki: cannot back up {}: {}", p.string(), ec.message()));
  }
  CUCM_CHECK(save_identity(dir_, r, id));
  ids_[static_cast<std::size_t>(r)] = std::move(id);
  return Ok{};
}

std::vector<TrustEntry> ClusterPki::itl_entries() const {
  return {{identity(PkiRole::ItlRecovery).cert.get(), Role::Sast},
          {identity(PkiRole::CallManager).cert.get(), Role::CcmTftp},
          {identity(PkiRole::Capf).cert.get(), Role::Capf},
          {identity(PkiRole::Tvs).cert.get(), Role::Tvs}};
}

std::vector<TrustEntry> ClusterPki::ctl_entries() const {
  return {{identity(PkiRole::ItlRecovery).cert.get(), Role::Sast},
          {identity(PkiRole::CallManager).cert.get(), Role::CcmTftp},
          {identity(PkiRole::Capf).cert.get(), Role::Capf}};
}

}  // namespace cucm::signer
