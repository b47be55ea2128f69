// CUCM's certificate trust stores (OS Admin > Security > Certificate Management): what each is
// for, adding and listing their certificates, and what the servers take from them. One code path
// for every front door (the CLI today, the admin API later).
#pragma once

#include <array>
#include <cstddef>
#include <filesystem>
#include <string>
#include <string_view>
#include <vector>

#include "core/bytes.hpp"
#include "core/result.hpp"
#include "db/sqlite.hpp"
#include "db/trust_certificates.hpp"
#include "signer/cluster_pki.hpp"
#include "signer/ossl.hpp"

namespace cucm::cluster {

enum class TrustStore { CallManager, Capf, PhoneVpn, Tomcat };
inline constexpr std::array<TrustStore, 4> kAllTrustStores{TrustStore::CallManager, TrustStore::Capf,
                                                           TrustStore::PhoneVpn, TrustStore::Tomcat};

// "CallManager-trust", "CAPF-trust", "Phone-VPN-trust", "tomcat-trust": CUCM's spelling.
std::string_view trust_store_name(TrustStore s);
// Any case; InvalidArgument listing the names otherwise.
Result<TrustStore> parse_trust_store(std::string_view name);
// What the store is for, in a line.
std::string_view trust_store_purpose(TrustStore s);
// The store a CA-signed certificate of `role` must chain to (cert import): CallManager and TVS
// to CallManager-trust (seed 003), CAPF to CAPF-trust, HTTPS to tomcat-trust (seed 002).
TrustStore trust_store_for(signer::PkiRole role);

// A file holding more certificates than this is refused: a trust store is a short list.
inline constexpr std::size_t kMaxCertificatesPerFile = 64;

// Adds every certificate of a PEM bundle (or one DER certificate) to `store`, in one transaction;
// the rows added. InvalidArgument for bytes that hold no certificate or too many.
Result<std::vector<db::TrustCertificateRow>> add_trusted(const db::Database& db, TrustStore store,
                                                         ByteView pem_or_der, const std::string& source = "admin");
// The certificates of a store, as the servers use them.
Result<std::vector<signer::X509Ptr>> trusted_certificates(const db::Database& db, TrustStore store);

// Puts the lab manufacturing CA (the simulated phones' MIC issuer) in CAPF-trust, replacing an
// older one of the lab's: what serve does at start unless --no-lab-manufacturer.
Status trust_lab_manufacturer(const db::Database& db, const X509& ca);

// Before the stores, CAPF read its trusted CAs from <data_dir>/capf/trust. The first open of a
// data folder that has it moves its certificates into CAPF-trust (one transaction) and renames
// the folder to capf/trust.moved, so that nothing is lost and nothing is read twice. Files that
// hold no certificate stay in the renamed folder and are listed in `skipped`.
struct FolderMove {
  std::size_t certificates = 0;
  std::vector<std::string> skipped;  // "file: why"
  std::filesystem::path renamed_to;  // empty when there was no folder
};
Result<FolderMove> move_capf_trust_folder(const db::Database& db, const std::filesystem::path& data_dir);

}  // namespace cucm::cluster
