// Records as JSON, one shape for the CLI's --json and the admin site's API (docs/admin-api.md).
#pragma once

#include <ctime>
#include <vector>

#include <nlohmann/json.hpp>

#include "db/model.hpp"
#include "db/sip_store.hpp"
#include "db/trust_certificates.hpp"
#include "db/trust_store.hpp"
#include "signer/cluster_pki.hpp"

namespace cucm::admin {

nlohmann::json device_json(const db::Device& d);
nlohmann::json profile_json(const db::SecurityProfile& p);
nlohmann::json event_json(const db::Event& e);
nlohmann::json registrations_json(const std::vector<db::SipRegistration>& regs, std::time_t now);
// A cluster identity: role, subject, issuer, serial, validity, key and fingerprints.
nlohmann::json identity_json(signer::PkiRole r, const signer::Identity& id);
// Any certificate: subject, issuer, serial, validity, key, SHA-256 and MD5.
nlohmann::json certificate_json(const X509& cert);
nlohmann::json trust_certificate_json(const db::TrustCertificateRow& row);
nlohmann::json tvs_trust_json(const db::TrustRow& row);

}  // namespace cucm::admin
