// The admin site's users and API tokens in the cluster database (migration 013): what
// `cucm-emu admin passwd` and `admin token …` write and the web server checks logins against.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "auth/password.hpp"
#include "core/result.hpp"
#include "db/sqlite.hpp"

namespace cucm::auth {

// What a user may do on the site: an admin everything, a viewer read (and change its own password).
enum class Role { Admin, Viewer };
std::string_view role_name(Role r);  // "admin", "viewer"
// InvalidArgument naming both roles for anything else.
Result<Role> parse_role(std::string_view text);

struct Account {
  std::string name;
  Role role;
};

// What a session is checked against on each request: the user's role, and a fingerprint of its
// stored password hash (hex SHA-256 of it; the salt is new at every set, so any password set, by
// the site or by `admin passwd`, gives a new one). A session made before the last set, or for an
// earlier user of the same name, no longer matches.
struct Standing {
  Role role;
  std::string credential;
};

// A token as listed: never the token itself, which is not kept.
struct TokenInfo {
  std::int64_t id;
  std::string user, name, created, last_used;  // UTC 'YYYY-MM-DD HH:MM:SS'; last_used '' if never
};

// "cucm_" + 43 base64url characters: what create_token returns and a bearer header carries.
inline constexpr std::string_view kTokenPrefix = "cucm_";
inline constexpr std::size_t kTokenSize = 48;

class AccountStore {
 public:
  explicit AccountStore(const db::Database& db) : db_(db) {}

  // Creates the user or changes its password, and its role when one is given (a new user without
  // one is an admin), in one transaction. InvalidArgument from check_user_name,
  // check_new_password or the parameters' bounds, or for making the last admin a viewer (set_role).
  Status set_password(std::string_view user, std::string_view password, const ScryptParams& params = {},
                      std::optional<Role> role = std::nullopt);
  // Changes only the role. NotFound for an unknown user. Making the last admin a viewer is refused
  // (InvalidArgument): the site could then change nothing.
  Status set_role(std::string_view user, Role role);
  // The user's role, or nullopt for no such user.
  Result<std::optional<Role>> role_of(std::string_view user) const;
  // The user's role and credential fingerprint, or nullopt for no such user (one row read).
  Result<std::optional<Standing>> standing(std::string_view user) const;
  // Whether any user has a password (until then the site refuses every login).
  Result<bool> any_password() const;
  Result<std::vector<Account>> accounts() const;  // sorted by name
  // False for a wrong password or an unknown user. For an unknown user it still runs one scrypt,
  // with the parameters of a stored hash (the default's when there is none), so the time taken
  // does not tell which names exist.
  Result<bool> check_password(std::string_view user, std::string_view password) const;
  // check_password, giving the standing of the very row whose hash matched (nullopt when none
  // did), so a session never carries the fingerprint of a password set after the check.
  Result<std::optional<Standing>> verify(std::string_view user, std::string_view password) const;

  // A new token for `user`, labelled `name` (at most 64 characters, no control character);
  // returned once, only its SHA-256 is stored. NotFound for an unknown user; InvalidArgument for
  // a bad name.
  Result<std::string> create_token(std::string_view user, std::string_view name);
  // The user a token belongs to, or nullopt for anything else (malformed, unknown, revoked).
  // Records the use in last_used, at most once a minute per token.
  Result<std::optional<std::string>> user_of_token(std::string_view token) const;
  Result<std::vector<TokenInfo>> tokens() const;  // by id
  Status revoke_token(std::int64_t id);           // NotFound
  // Its tokens go with it. NotFound; InvalidArgument for the last admin while other users remain.
  Status remove_user(std::string_view user);

 private:
  const db::Database& db_;
};

}  // namespace cucm::auth
