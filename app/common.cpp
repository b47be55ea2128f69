// Shared plumbing of the command line.
#include "app/common.hpp"

#include "admin/audit.hpp"

#include <cstdio>
#include <cstdlib>
#include <ctime>
#include <iostream>

#include <fmt/format.h>

#include "cluster/identities.hpp"
#include "cluster/trust_stores.hpp"
#include "core/encoding.hpp"
#include "core/file_io.hpp"
#include "core/log.hpp"
#include "db/event_log.hpp"
#include "db/schema.hpp"
#include "signer/cert.hpp"
#include "signer/keys.hpp"
#include "signer/trust_list.hpp"
#include "tvs/trust.hpp"

namespace cucm::app {

std::filesystem::path default_data_dir() {
  if (const char* d = std::getenv("CUCM_EMU_DATA_DIR"); d && *d) return d;
  if (const char* x = std::getenv("XDG_DATA_HOME"); x && *x) return std::filesystem::path(x) / "cucm-emu";
  if (const char* h = std::getenv("HOME"); h && *h) return std::filesystem::path(h) / ".local/share/cucm-emu";
  return "cucm-emu-data";
}

int fail(const Error& e) {
  std::cerr << "cucm-emu: " << e.message << "\n";
  return 1;
}

Status write_output(const std::string& path, ByteView data) {
  if (path == "-") {
    std::fwrite(data.data(), 1, data.size(), stdout);
    std::fflush(stdout);
    return Ok{};
  }
  return write_file_atomic(path, data, 0644);
}

void print_json(const nlohmann::json& j) { std::cout << j.dump(2) << "\n"; }

Result<std::unique_ptr<cluster::Cluster>> open_cluster(const GlobalOptions& g, cluster::Config cfg) {
  CUCM_TRY(auto c, cluster::Cluster::open(g.data_dir, std::move(cfg)));
  if (c->created_identities()) std::cerr << "cucm-emu: created the cluster identities in " << c->pki().dir().string() << "\n";
  return c;
}

Result<signer::ClusterPki> cluster_pki(const GlobalOptions& g) {
  bool created = false;
  auto pki = cluster::open_identities(g.data_dir, &created);
  if (pki && created) {
    std::cerr << "cucm-emu: created the cluster identities in " << pki->dir().string() << "\n";
  }
  return pki;
}

Result<SigningIdentity> signing_identity(const GlobalOptions& g, const std::string& cert_path,
                                         const std::string& key_path, signer::PkiRole fallback) {
  SigningIdentity id;
  if (cert_path.empty() != key_path.empty()) {
    return make_error(Errc::InvalidArgument, "give both --cert and --key, or neither to use the cluster PKI");
  }
  if (cert_path.empty()) {
    CUCM_TRY(auto pki, cluster_pki(g));
    auto& ident = pki.identity(fallback);
    id.cert = std::move(ident.cert);
    id.key = std::move(ident.key);
    return id;
  }
  CUCM_TRY(Bytes cert_bytes, read_file(cert_path));
  CUCM_TRY(Bytes key_bytes, read_file(key_path));
  CUCM_TRY(id.cert, signer::load_cert(cert_bytes));
  CUCM_TRY(id.key, signer::load_private_key(key_bytes));
  if (!signer::same_public_key(*X509_get0_pubkey(id.cert.get()), *id.key)) {
    return make_error(Errc::InvalidArgument, fmt::format("{} does not match the certificate {}", key_path, cert_path));
  }
  return id;
}

Result<signer::PkeyPtr> verification_key(const GlobalOptions& g, const std::string& cert_path,
                                         const std::string& itl_path, const signer::Header& header,
                                         std::string& source) {
  if (!cert_path.empty()) {
    CUCM_TRY(Bytes bytes, read_file(cert_path));
    CUCM_TRY(auto cert, signer::load_cert(bytes));
    source = fmt::format("certificate {} ({})", cert_path, signer::subject_name(*cert));
    return signer::cert_public_key(*cert);
  }
  if (!itl_path.empty()) {
    CUCM_TRY(Bytes bytes, read_file(itl_path));
    CUCM_TRY(auto list, signer::parse_trust_list(bytes));
    for (const auto& rec : list.records) {
      if (rec.serial != header.serial || rec.issuer != header.issuer_name || rec.certificate.empty()) continue;
      CUCM_TRY(auto cert, signer::load_cert(rec.certificate));
      source = fmt::format("{} record {} (role {})", itl_path, rec.subject,
                           rec.role ? signer::role_name(*rec.role) : "none");
      return signer::cert_public_key(*cert);
    }
    return make_error(Errc::NotFound,
                      fmt::format("{} has no record for signer {} serial {}", itl_path, header.signer_name,
                                  to_hex(header.serial)));
  }
  CUCM_TRY(auto pki, signer::ClusterPki::load(g.data_dir));
  const auto& cm = pki.identity(signer::PkiRole::CallManager);
  source = fmt::format("cluster CallManager certificate ({})", signer::subject_name(*cm.cert));
  return signer::cert_public_key(*cm.cert);
}

Result<db::Database> cluster_db(const GlobalOptions& g) {
  // The first use of a data folder makes the identities and the database together, so that a
  // database with devices and no pki/ can only mean that pki/ was lost (cluster::open_identities).
  CUCM_TRY(auto pki, cluster_pki(g));
  CUCM_TRY(auto db, db::open_cluster_db(g.data_dir));
  // What TVS vouches for follows pki/ (see cluster::Cluster::open).
  CUCM_CHECK(tvs::mirror_cluster_identities(db, pki));
  CUCM_CHECK(cluster::move_capf_trust_folder(db, g.data_dir));  // once, from before the trust stores
  return db;
}

void log_admin_event(const db::Database& db, const std::string& device, const std::string& what) {
  admin::audit(db, admin::cli_actor(), device, what);
}

Result<std::shared_ptr<signer::TlsKeyLog>> open_tls_keylog(const std::string& flag, const std::string& what) {
  std::string file = flag;
  const char* env = std::getenv("SSLKEYLOGFILE");
  if (file.empty() && env && *env) file = env;
  if (file.empty()) return std::shared_ptr<signer::TlsKeyLog>{};
  CUCM_TRY(auto keylog, signer::TlsKeyLog::open(file));
  log::get("tls")->warn("TLS key log on: the secrets of every {} session go to {} ({}); anyone holding that file can "
                        "decrypt those sessions, so use it only in a lab", what, file,
                        flag.empty() ? "from SSLKEYLOGFILE" : "--tls-keylog");
  return keylog;
}

int guarded(const std::function<Status()>& body) {
  try {
    auto st = body();
    return st ? 0 : fail(st.error());
  } catch (const std::exception& e) {  // a library that threw where it should have returned
    return fail(Error{Errc::Internal, e.what()});
  }
}

Result<std::uint16_t> port_flag(const char* flag, int value) {
  if (value < 1 || value > 65535) return make_error(Errc::InvalidArgument, fmt::format("{} {}: a port is 1..65535", flag, value));
  return static_cast<std::uint16_t>(value);
}

std::uint32_t now_timestamp() { return static_cast<std::uint32_t>(std::time(nullptr)); }

}  // namespace cucm::app
