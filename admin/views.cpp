// Record views.
#include "admin/views.hpp"

#include "core/encoding.hpp"
#include "signer/cert.hpp"
#include "signer/keys.hpp"
#include "signer/trust_list.hpp"

namespace cucm::admin {

nlohmann::json device_json(const db::Device& d) {
  nlohmann::json lines = nlohmann::json::array();
  for (const auto& l : d.lines) {
    lines.push_back({{"index", l.index}, {"directory_number", l.directory_number}, {"display_name", l.display_name},
                     {"auth_name", l.auth_name}, {"has_password", !l.auth_password.empty()}});
  }
  nlohmann::json j = {{"name", d.name},
                      {"description", d.description},
                      {"product", d.product},
                      {"protocol", d.protocol},
                      {"profile", d.profile},
                      {"md5hash", d.md5hash},
                      {"load_information", d.load_information},
                      {"vpn_group", d.vpn_group},
                      {"config_version", d.config_version},
                      {"capf", {{"operation", d.capf.operation}, {"has_auth_string", !d.capf.auth_string.empty()},
                                {"deadline", d.capf.deadline}, {"status", d.capf.status},
                                {"last_attempt", d.capf.last_attempt}}},
                      {"lines", lines}};
  if (d.cert) {
    j["certificate"] = {{"type", d.cert->type}, {"serial", d.cert->serial}, {"issuer", d.cert->issuer},
                        {"not_before", d.cert->not_before}, {"not_after", d.cert->not_after},
                        {"public_key_bytes", d.cert->public_key.size()}};
  } else {
    j["certificate"] = nullptr;
  }
  return j;
}

nlohmann::json profile_json(const db::SecurityProfile& p) {
  return {{"name", p.name},           {"description", p.description},   {"product", p.product},
          {"protocol", p.protocol},   {"security_mode", p.security_mode}, {"tftp_encrypted", p.tftp_encrypted},
          {"capf_auth_mode", p.capf_auth_mode}, {"key_order", p.key_order}, {"rsa_key_size", p.rsa_key_size},
          {"ec_key_size", p.ec_key_size}, {"sip_phone_port", p.sip_phone_port}, {"builtin", p.builtin}};
}

nlohmann::json event_json(const db::Event& e) {
  return {{"id", e.id},         {"time", e.time}, {"service", e.service}, {"source", e.source},
          {"device", e.device}, {"what", e.what}, {"result", e.result}};
}

nlohmann::json registrations_json(const std::vector<db::SipRegistration>& regs, std::time_t now) {
  nlohmann::json out = nlohmann::json::array();
  for (const auto& r : regs) {
    out.push_back({{"device", r.device}, {"line", r.line_index}, {"directory_number", r.directory_number},
                   {"contact", r.contact}, {"transport", r.transport}, {"source", r.source},
                   {"certificate", r.cert_type}, {"user_agent", r.user_agent},
                   {"registered", signer::format_utc(r.registered_unix)}, {"expires", signer::format_utc(r.expires_unix)},
                   {"expires_in_seconds", r.expires_unix - now}});
  }
  return out;
}

nlohmann::json identity_json(signer::PkiRole r, const signer::Identity& id) {
  const X509& c = *id.cert;
  return {{"role", std::string(signer::pki_role_name(r))},
          {"trust_role", signer::role_name(static_cast<std::uint16_t>(signer::trust_role(r)))},
          {"subject", signer::subject_name(c)},
          {"issuer", signer::issuer_name(c)},
          {"serial", to_hex(signer::serial_bytes(c))},
          {"not_before", signer::format_utc(signer::not_before(c))},
          {"not_after", signer::format_utc(signer::not_after(c))},
          {"key", signer::describe_key(*id.key)},
          {"sha1_fingerprint", signer::cert_fingerprint(c, signer::HashAlg::Sha1)},
          {"md5_fingerprint", signer::cert_md5_fingerprint(c)},
          {"chain_length", id.chain.size()}};
}

nlohmann::json certificate_json(const X509& c) {
  std::string key = "?";
  if (auto pk = signer::cert_public_key(c)) key = signer::describe_key(**pk);
  return {{"subject", signer::subject_name(c)},
          {"issuer", signer::issuer_name(c)},
          {"serial", to_hex(signer::serial_bytes(c))},
          {"not_before", signer::format_utc(signer::not_before(c))},
          {"not_after", signer::format_utc(signer::not_after(c))},
          {"key", key},
          {"sha256", signer::cert_sha256_hex(c)},
          {"md5", signer::cert_md5_hex(c)}};
}

nlohmann::json trust_certificate_json(const db::TrustCertificateRow& row) {
  return {{"store", row.store},         {"sha256", row.sha256}, {"subject", row.subject}, {"issuer", row.issuer},
          {"serial", row.serial},       {"not_after", row.not_after}, {"source", row.source},
          {"added", row.added}};
}

nlohmann::json tvs_trust_json(const db::TrustRow& row) {
  return {{"sha256", row.sha256}, {"subject", row.subject}, {"issuer", row.issuer}, {"serial", row.serial},
          {"roles", row.roles},   {"ttl", row.ttl},         {"source", row.source}, {"added", row.added}};
}

}  // namespace cucm::admin
