// Phone security profiles (System > Security > Phone Security Profile): the path the CLI's
// `profile` commands and the admin site's /api/v1/profiles share.
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "admin/audit.hpp"
#include "db/model.hpp"
#include "db/sqlite.hpp"

namespace cucm::admin {

// The fields an administrator sets; an empty one is not changed (on add: takes its default).
struct ProfileChanges {
  std::optional<std::string> description, product, protocol, security_mode, capf_auth_mode, key_order;
  std::optional<bool> tftp_encrypted;
  std::optional<int> rsa_key_size, ec_key_size, sip_phone_port;
};

// "non-secure", "authenticated", "encrypted" or 1..3: CUCM's Device Security Mode.
Result<int> security_mode_code(std::string_view s);

// add needs a product and a protocol. InvalidArgument, AlreadyExists, NotFound, and
// PermissionDenied for a predefined profile or (delete) one in use, with the store's messages.
Result<db::SecurityProfile> add_profile(const db::Database& db, std::string_view name, const ProfileChanges& c,
                                        const Actor& by);
Result<db::SecurityProfile> change_profile(const db::Database& db, std::string_view name, const ProfileChanges& c,
                                           const Actor& by);
Result<db::SecurityProfile> copy_profile(const db::Database& db, std::string_view from, std::string_view new_name,
                                         const Actor& by);
Status delete_profile(const db::Database& db, std::string_view name, const Actor& by);

}  // namespace cucm::admin
