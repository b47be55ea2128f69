// LSC issuing with the CAPF CA held in memory (never reloaded per certificate).
#include "signer/lsc.hpp"

#include <optional>

#include <fmt/format.h>

#include "signer/cert_builder.hpp"
#include "signer/keys.hpp"

namespace cucm::signer {

namespace {

Result<X509Ptr> issue(const std::string& device, EVP_PKEY& phone_key, X509& ca, EVP_PKEY& ca_key, int days,
                      std::optional<std::time_t> not_before, std::optional<std::array<std::uint8_t, 16>> serial,
                      const std::string& extended_key_usage) {
  if (days < 1 || days > 3650) return make_error(Errc::InvalidArgument, fmt::format("capf: LSC validity {} days outside 1..3650", days));
  CertRequest req;
  req.subject = {{"CN", device}};
  const X509_NAME* ca_name = X509_get_subject_name(&ca);
  for (int i = 0; i < X509_NAME_entry_count(ca_name); ++i) {
    const X509_NAME_ENTRY* e = X509_NAME_get_entry(ca_name, i);
    int nid = OBJ_obj2nid(X509_NAME_ENTRY_get_object(e));
    if (nid != NID_organizationName && nid != NID_organizationalUnitName && nid != NID_localityName &&
        nid != NID_stateOrProvinceName && nid != NID_countryName) {
      continue;
    }
    unsigned char* utf8 = nullptr;
    int len = ASN1_STRING_to_UTF8(&utf8, X509_NAME_ENTRY_get_data(e));
    if (len < 0) continue;
    req.subject.emplace_back(OBJ_nid2sn(nid), std::string(reinterpret_cast<char*>(utf8), static_cast<std::size_t>(len)));  // NOLINT
    OPENSSL_free(utf8);
  }
  req.days = days;
  req.digest = HashAlg::Sha256;
  req.is_ca = false;
  req.key_usage = "critical,digitalSignature,keyEncipherment";
  req.extended_key_usage = extended_key_usage;
  req.subject_alt_name = "URI:" + device;
  req.not_before = not_before;
  req.serial = serial;
  return issue_cert(phone_key, req, ca, ca_key);
}

}  // namespace

Result<X509Ptr> issue_lsc(const std::string& device, EVP_PKEY& phone_key, X509& ca, EVP_PKEY& ca_key, int days) {
  return issue(device, phone_key, ca, ca_key, days, std::nullopt, std::nullopt, kLscExtendedKeyUsage);
}

Result<X509Ptr> issue_lsc(const std::string& device, EVP_PKEY& phone_key, X509& ca, EVP_PKEY& ca_key, int days,
                          std::time_t not_before, const std::array<std::uint8_t, 16>& serial,
                          const std::string& extended_key_usage) {
  return issue(device, phone_key, ca, ca_key, days, not_before, serial, extended_key_usage);
}

}  // namespace cucm::signer
