// Trust stores: names, rows from certificates, and the move from CAPF's old trust folder.
#include "cluster/trust_stores.hpp"

#include <algorithm>
#include <cctype>

#include <fmt/format.h>

#include "core/encoding.hpp"
#include "core/file_io.hpp"
#include "core/log.hpp"
#include "signer/cert.hpp"

namespace cucm::cluster {

namespace fs = std::filesystem;

namespace {

constexpr std::string_view kNames = "CallManager-trust, CAPF-trust, Phone-VPN-trust, tomcat-trust";

bool same_ignoring_case(std::string_view a, std::string_view b) {
  return a.size() == b.size() && std::equal(a.begin(), a.end(), b.begin(), [](char x, char y) {
           return std::tolower(static_cast<unsigned char>(x)) == std::tolower(static_cast<unsigned char>(y));
         });
}

db::TrustCertificateRow row_for(TrustStore store, const X509& cert, const std::string& source) {
  db::TrustCertificateRow r;
  r.store = std::string(trust_store_name(store));
  r.sha256 = signer::cert_sha256_hex(cert);
  r.subject = signer::subject_name(cert);
  r.issuer = signer::issuer_name(cert);
  r.serial = to_hex(signer::serial_bytes(cert));
  r.not_after = signer::format_utc(signer::not_after(cert));
  if (r.not_after.ends_with(" UTC")) r.not_after.resize(r.not_after.size() - 4);
  auto pem = signer::cert_pem(cert);
  r.pem.assign(pem.begin(), pem.end());
  r.source = source;
  return r;
}

Result<std::vector<signer::X509Ptr>> load_bounded(ByteView bytes) {
  CUCM_TRY(auto certs, signer::load_certs(bytes));
  if (certs.size() > kMaxCertificatesPerFile) {
    return make_error(Errc::InvalidArgument,
                      fmt::format("{} certificates in one file: a trust store takes at most {} at a time",
                                  certs.size(), kMaxCertificatesPerFile));
  }
  return certs;
}

}  // namespace

std::string_view trust_store_name(TrustStore s) {
  switch (s) {
    case TrustStore::CallManager: return "CallManager-trust";
    case TrustStore::Capf: return "CAPF-trust";
    case TrustStore::PhoneVpn: return "Phone-VPN-trust";
    case TrustStore::Tomcat: return "tomcat-trust";
  }
  return "?";
}

Result<TrustStore> parse_trust_store(std::string_view name) {
  for (auto s : kAllTrustStores) {
    if (same_ignoring_case(name, trust_store_name(s))) return s;
  }
  return make_error(Errc::InvalidArgument, fmt::format("unknown trust store '{}' (stores: {})", name, kNames));
}

std::string_view trust_store_purpose(TrustStore s) {
  switch (s) {
    case TrustStore::CallManager: return "CAs of SIP TLS peers and of a CA-signed CallManager or TVS certificate";
    case TrustStore::Capf: return "CAs of phone MICs for CAPF's By Existing Certificate, and of a CA-signed CAPF";
    case TrustStore::PhoneVpn: return "VPN headend certificates (the VPN groups' certHash1)";
    case TrustStore::Tomcat: return "CAs of a CA-signed HTTPS certificate";
  }
  return "?";
}

TrustStore trust_store_for(signer::PkiRole role) {
  switch (role) {
    case signer::PkiRole::Capf: return TrustStore::Capf;
    case signer::PkiRole::Https: return TrustStore::Tomcat;
    case signer::PkiRole::CallManager:
    case signer::PkiRole::Tvs:
    case signer::PkiRole::ItlRecovery: break;
  }
  return TrustStore::CallManager;
}

Result<std::vector<db::TrustCertificateRow>> add_trusted(const db::Database& db, TrustStore store, ByteView bytes,
                                                         const std::string& source) {
  CUCM_TRY(auto certs, load_bounded(bytes));
  std::vector<db::TrustCertificateRow> rows;
  for (const auto& c : certs) rows.push_back(row_for(store, *c, source));
  CUCM_CHECK(db::TrustCertificates(db).put(rows));
  return rows;
}

Result<std::vector<signer::X509Ptr>> trusted_certificates(const db::Database& db, TrustStore store) {
  CUCM_TRY(auto rows, db::TrustCertificates(db).list(trust_store_name(store)));
  std::vector<signer::X509Ptr> out;
  for (const auto& r : rows) {
    auto cert = signer::load_cert(as_bytes(r.pem));
    if (!cert) {
      return make_error(Errc::Internal, fmt::format("{}: the row for {} (sha256 {}) holds no certificate: {}", r.store,
                                                    r.subject, r.sha256, cert.error().message));
    }
    out.push_back(std::move(*cert));
  }
  return out;
}

Status trust_lab_manufacturer(const db::Database& db, const X509& ca) {
  CUCM_TRY(bool changed, db::TrustCertificates(db).replace_source(row_for(TrustStore::Capf, ca, "lab")));
  if (changed) log::get("capf")->info("CAPF-trust: trusting the lab manufacturing CA {}", signer::subject_name(ca));
  return Ok{};
}

Result<FolderMove> move_capf_trust_folder(const db::Database& db, const fs::path& data_dir) {
  FolderMove out;
  fs::path dir = data_dir / "capf" / "trust";
  std::error_code ec;
  if (!fs::is_directory(dir, ec)) return out;
  std::vector<fs::path> files;
  for (fs::directory_iterator it(dir, ec), end; !ec && it != end; it.increment(ec)) {
    if (it->is_regular_file(ec)) files.push_back(it->path());
  }
  if (ec) return make_error(Errc::Unavailable, fmt::format("cannot read {}: {}", dir.string(), ec.message()));
  std::sort(files.begin(), files.end());
  std::vector<db::TrustCertificateRow> rows;
  for (const auto& f : files) {
    auto bytes = read_file(f);
    auto certs = bytes ? load_bounded(*bytes) : Result<std::vector<signer::X509Ptr>>(bytes.error());
    if (!certs) {
      out.skipped.push_back(fmt::format("{}: {}", f.filename().string(), certs.error().message));
      continue;
    }
    // The lab CA's copy was serve's doing: it comes back as the 'lab' row when serve starts.
    std::string source = f.filename() == "cucm-emu-lab-manufacturing-ca.pem" ? "lab" : "capf/trust";
    for (const auto& c : *certs) rows.push_back(row_for(TrustStore::Capf, *c, source));
  }
  CUCM_CHECK(db::TrustCertificates(db).put(rows));
  out.certificates = rows.size();
  out.renamed_to = data_dir / "capf" / "trust.moved";
  if (fs::exists(out.renamed_to, ec)) out.renamed_to += fmt::format("-{}", std::time(nullptr));
  fs::rename(dir, out.renamed_to, ec);
  if (ec) {
    return make_error(Errc::Unavailable, fmt::format("moved {} certificate(s) from {} into CAPF-trust but cannot rename "
                                                     "the folder to {}: {}",
                                                     rows.size(), dir.string(), out.renamed_to.string(), ec.message()));
  }
  auto lg = log::get("capf");
  lg->warn("moved {} certificate(s) from {} into the CAPF-trust store ('cucm-emu trust list --store CAPF-trust'); "
           "the folder is kept as {}",
           rows.size(), dir.string(), out.renamed_to.string());
  for (const auto& s : out.skipped) lg->warn("not moved into CAPF-trust (not a certificate): {}", s);
  return out;
}

}  // namespace cucm::cluster
