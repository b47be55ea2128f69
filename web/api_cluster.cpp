// /api/v1/profiles, settings, faults, certificates and trust stores.
#include <chrono>

#include <fmt/format.h>

#include "admin/capf_ops.hpp"
#include "admin/faults.hpp"
#include "admin/profiles.hpp"
#include "admin/views.hpp"
#include "capf/issued_log.hpp"
#include "cluster/trust_stores.hpp"
#include "db/profile_store.hpp"
#include "db/settings_store.hpp"
#include "db/trust_certificates.hpp"
#include "db/trust_store.hpp"
#include "fault/catalog.hpp"
#include "fault/store.hpp"
#include "web/api.hpp"
#include "web/json_fields.hpp"

namespace cucm::web {
namespace {

Result<admin::ProfileChanges> profile_changes(const Fields& f, bool with_name) {
  CUCM_CHECK(f.only({"description", "product", "protocol", "security_mode", "tftp_encrypted", "capf_auth_mode", "key_order",
                     "rsa_key_size", "ec_key_size", "sip_phone_port"},
                    with_name ? "name" : ""));
  admin::ProfileChanges c;
  CUCM_TRY(c.description, f.text("description"));
  CUCM_TRY(c.product, f.text("product"));
  CUCM_TRY(c.protocol, f.text("protocol"));
  // The mode as a number (the profile's JSON) or as the CLI's word.
  if (auto n = f.integer("security_mode"); n && *n) {
    c.security_mode = std::to_string(**n);
  } else {
    CUCM_TRY(c.security_mode, f.text("security_mode"));
  }
  CUCM_TRY(c.tftp_encrypted, f.flag("tftp_encrypted"));
  CUCM_TRY(c.capf_auth_mode, f.text("capf_auth_mode"));
  CUCM_TRY(c.key_order, f.text("key_order"));
  CUCM_TRY(c.rsa_key_size, f.integer("rsa_key_size"));
  CUCM_TRY(c.ec_key_size, f.integer("ec_key_size"));
  CUCM_TRY(c.sip_phone_port, f.integer("sip_phone_port"));
  return c;
}

}  // namespace

Response Api::profiles(const Request& r, const std::vector<std::string>& parts, const admin::Actor& by) {
  const std::string& m = r.method;
  if (parts.size() == 1) {
    if (m == "GET" || m == "HEAD") {
      auto all = db::ProfileStore(db_).list();
      if (!all) return error_response(all.error());
      auto list = nlohmann::json::array();
      for (const auto& p : *all) list.push_back(admin::profile_json(p));
      return json_response(200, {{"profiles", list}});
    }
    if (m != "POST") return error_response(405, "GET lists the profiles, POST adds one");
    auto f = Fields::parse(r.body);
    if (!f) return error_response(f.error());
    auto c = profile_changes(*f, true);
    if (!c) return error_response(c.error());
    auto name = f->text("name");
    if (!name) return error_response(name.error());
    auto p = admin::add_profile(db_, name->value_or(""), *c, by);
    if (!p) return error_response(p.error());
    return json_response(201, admin::profile_json(*p));
  }
  if (parts.size() != 2) return error_response(404, "no such resource");
  const std::string& name = parts[1];
  if (m == "GET" || m == "HEAD") {
    auto p = db::ProfileStore(db_).get(name);
    if (!p) return error_response(p.error());
    return json_response(200, admin::profile_json(*p));
  }
  if (m == "PATCH") {
    auto f = Fields::parse(r.body);
    if (!f) return error_response(f.error());
    auto c = profile_changes(*f, false);
    if (!c) return error_response(c.error());
    auto p = admin::change_profile(db_, name, *c, by);
    if (!p) return error_response(p.error());
    return json_response(200, admin::profile_json(*p));
  }
  if (m == "DELETE") {
    if (auto st = admin::delete_profile(db_, name, by); !st) return error_response(st.error());
    return no_content();
  }
  return error_response(405, "GET, PATCH or DELETE a profile");
}

Response Api::settings(const Request& r, const std::vector<std::string>& parts, const admin::Actor& by) {
  if (parts.size() == 1) {
    if (r.method != "GET" && r.method != "HEAD") return error_response(405, "GET the settings; PUT /api/v1/settings/<key> changes one");
    auto all = db::SettingsStore(db_).all();
    if (!all) return error_response(all.error());
    return json_response(200, nlohmann::json(*all));
  }
  if (parts.size() != 2) return error_response(404, "no such resource");
  if (r.method != "PUT") return error_response(405, "PUT {\"value\": ...} changes a setting");
  auto f = Fields::parse(r.body);
  if (!f) return error_response(f.error());
  if (auto st = f->only({"value"}); !st) return error_response(st.error());
  auto value = f->text("value");
  if (!value) return error_response(value.error());
  if (!*value) return error_response(400, "give the setting's new value as {\"value\": \"...\"}");
  if (auto st = admin::set_setting(db_, parts[1], **value, by); !st) return error_response(st.error());
  return json_response(200, {{"key", parts[1]}, {"value", **value}});
}

Response Api::faults(const Request& r, const admin::Actor& by) {
  const std::string& m = r.method;
  if (m == "GET" || m == "HEAD") {
    auto armed = fault::FaultStore(db_).list();
    if (!armed) return error_response(armed.error());
    auto now = std::chrono::system_clock::now();
    auto list = nlohmann::json::array();
    for (const auto& a : *armed) list.push_back(admin::armed_fault_json(a, now));
    auto catalog = nlohmann::json::array();
    for (const auto& f : fault::all_faults()) catalog.push_back(admin::fault_spec_json(f));
    return json_response(200, {{"armed", list}, {"catalog", catalog}});
  }
  if (m == "DELETE") {
    std::string name = r.query.count("fault") ? r.query.at("fault") : "";
    std::string device = r.query.count("device") ? r.query.at("device") : "";
    auto n = admin::clear_faults(db_, name, device, by);
    if (!n) return error_response(n.error());
    return json_response(200, {{"cleared", *n}});
  }
  if (m != "POST") return error_response(405, "GET lists the faults, POST arms one, DELETE clears");
  auto f = Fields::parse(r.body);
  if (!f) return error_response(f.error());
  if (auto st = f->only({"fault", "device", "all", "count", "until", "params"}); !st) return error_response(st.error());
  fault::ArmRequest req;
  auto name = f->text("fault");
  auto device = f->text("device");
  auto all = f->flag("all");
  auto count = f->integer("count");
  auto until = f->text("until");
  auto params = f->texts("params");
  for (const Error* e : {failed(name), failed(device), failed(all), failed(count), failed(until), failed(params)}) {
    if (e) return error_response(*e);
  }
  req.fault = name->value_or("");
  req.device = device->value_or("");
  req.all = all->value_or(false);
  if (*count) req.count = **count;
  req.until = *until;
  req.params = params->value_or(std::vector<std::string>{});
  auto armed = admin::arm_fault(db_, req, by);
  if (!armed) return error_response(armed.error());
  auto j = admin::armed_fault_json(*armed, std::chrono::system_clock::now());
  j["expected"] = admin::expected_reaction(*armed->spec);
  return json_response(201, j);
}

Response Api::certificates() {
  auto identities = nlohmann::json::array();
  if (shared_.pki) {
    for (auto role : signer::kAllPkiRoles) identities.push_back(admin::identity_json(role, shared_.pki->identity(role)));
  }
  auto issued = capf::read_issued(shared_.data_dir);
  if (!issued) return error_response(issued.error());
  auto lscs = nlohmann::json::array();
  for (const auto& [device, cert] : *issued) {
    auto j = admin::certificate_json(*cert);
    j["device"] = device;
    lscs.push_back(std::move(j));
  }
  return json_response(200, {{"identities", identities}, {"issued", lscs}});
}

Response Api::trust_stores() {
  auto stores = nlohmann::json::array();
  auto rows = db::TrustCertificates(db_).list();
  if (!rows) return error_response(rows.error());
  for (auto store : cluster::kAllTrustStores) {
    std::string name(cluster::trust_store_name(store));
    auto certs = nlohmann::json::array();
    for (const auto& row : *rows) {
      if (row.store == name) certs.push_back(admin::trust_certificate_json(row));
    }
    stores.push_back({{"name", name}, {"certificates", certs}});
  }
  auto tvs = db::TrustStore(db_).list();
  if (!tvs) return error_response(tvs.error());
  auto vouched = nlohmann::json::array();
  for (const auto& row : *tvs) vouched.push_back(admin::tvs_trust_json(row));
  stores.push_back({{"name", "TVS"}, {"certificates", vouched}});
  return json_response(200, {{"stores", stores}});
}

}  // namespace cucm::web
