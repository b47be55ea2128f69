// Security profile administration.
#include "admin/profiles.hpp"

#include <fmt/format.h>

#include "db/profile_store.hpp"

namespace cucm::admin {
namespace {

Status apply(db::SecurityProfile& p, const ProfileChanges& c) {
  if (c.description) p.description = *c.description;
  if (c.product) p.product = *c.product;
  if (c.protocol) p.protocol = *c.protocol;
  if (c.security_mode) {
    CUCM_TRY(p.security_mode, security_mode_code(*c.security_mode));
  }
  if (c.tftp_encrypted) p.tftp_encrypted = *c.tftp_encrypted;
  if (c.capf_auth_mode) p.capf_auth_mode = *c.capf_auth_mode;
  if (c.key_order) p.key_order = *c.key_order;
  if (c.rsa_key_size) p.rsa_key_size = *c.rsa_key_size;
  if (c.ec_key_size) p.ec_key_size = *c.ec_key_size;
  if (c.sip_phone_port) p.sip_phone_port = *c.sip_phone_port;
  return Ok{};
}

}  // namespace

Result<int> security_mode_code(std::string_view s) {
  if (s == "1" || s == "non-secure") return 1;
  if (s == "2" || s == "authenticated") return 2;
  if (s == "3" || s == "encrypted") return 3;
  return make_error(Errc::InvalidArgument,
                    fmt::format("invalid security mode '{}': non-secure, authenticated or encrypted", s));
}

Result<db::SecurityProfile> add_profile(const db::Database& db, std::string_view name, const ProfileChanges& c,
                                        const Actor& by) {
  if (!c.product || !c.protocol) {
    return make_error(Errc::InvalidArgument, "a profile needs a product (e.g. \"Cisco 8845\") and a protocol (SIP or SCCP)");
  }
  db::SecurityProfile p;
  p.name = std::string(name);
  CUCM_CHECK(apply(p, c));
  CUCM_TRY(auto added, db::ProfileStore(db).add(p));
  audit(db, by, "", fmt::format("profile '{}' added", added.name));
  return added;
}

Result<db::SecurityProfile> change_profile(const db::Database& db, std::string_view name, const ProfileChanges& c,
                                           const Actor& by) {
  db::ProfileStore store(db);
  CUCM_TRY(auto p, store.get(name));
  CUCM_CHECK(apply(p, c));
  CUCM_CHECK(store.update(p));
  audit(db, by, "", fmt::format("profile '{}' changed", p.name));
  return store.get(p.name);
}

Result<db::SecurityProfile> copy_profile(const db::Database& db, std::string_view from, std::string_view new_name,
                                         const Actor& by) {
  CUCM_TRY(auto p, db::ProfileStore(db).copy(from, new_name));
  audit(db, by, "", fmt::format("profile '{}' copied to '{}'", from, p.name));
  return p;
}

Status delete_profile(const db::Database& db, std::string_view name, const Actor& by) {
  CUCM_CHECK(db::ProfileStore(db).remove(name));
  audit(db, by, "", fmt::format("profile '{}' deleted", name));
  return Ok{};
}

}  // namespace cucm::admin
