// Admin users and API tokens on SQLite.
#include "auth/account_store.hpp"

#include <fmt/format.h>

#include "core/encoding.hpp"
#include "db/model.hpp"
#include "signer/digest.hpp"
#include "signer/random.hpp"

namespace cucm::auth {
namespace {

std::string token_sha256(std::string_view token) { return to_hex(signer::digest(signer::HashAlg::Sha256, as_bytes(token))); }

std::string credential_of(std::string_view password_hash) { return token_sha256(password_hash); }

// The shape create_token makes; anything else is not looked up.
bool well_formed_token(std::string_view token) {
  if (token.size() != kTokenSize || token.substr(0, kTokenPrefix.size()) != kTokenPrefix) return false;
  for (char c : token.substr(kTokenPrefix.size())) {
    bool ok = (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' || c == '_';
    if (!ok) return false;
  }
  return true;
}

Error unknown_user(std::string_view user) {
  return make_error(Errc::NotFound, fmt::format("admin user {} not found (cucm-emu admin users lists them)", user));
}

// Inside the caller's transaction, before `user` stops being an admin: the last admin is never
// made a viewer (the site could then change nothing), nor removed while other users remain (they
// could write nothing from it). The last user of all may go: the site then says how to set a
// password.
enum class Leaving { AsViewer, Removed };
Status keep_an_admin(const db::Database& db, std::string_view user, Leaving how) {
  CUCM_TRY(auto s, db.prepare("SELECT coalesce((SELECT role FROM admin_user WHERE name = ?1), '') = 'admin', "
                              "(SELECT count(*) FROM admin_user WHERE role = 'admin' AND name <> ?1), "
                              "(SELECT count(*) FROM admin_user WHERE name <> ?1)"));
  s.bind(1, user);
  CUCM_TRY(bool row, s.step());
  if (!row || s.int64(0) == 0 || s.int64(1) > 0) return Ok{};
  const std::int64_t others = s.int64(2);
  if (how == Leaving::AsViewer) {
    return make_error(Errc::InvalidArgument,
                      fmt::format("{} is the last admin: with none the site could change nothing; make another one "
                                  "first (cucm-emu admin role NAME admin, or admin passwd --user NAME for a new user)",
                                  user));
  }
  if (others == 0) return Ok{};
  return make_error(Errc::InvalidArgument,
                    fmt::format("{} is the last admin and {} other user(s) would be left with no admin: make another "
                                "one first (cucm-emu admin role NAME admin)",
                                user, others));
}

}  // namespace

std::string_view role_name(Role r) { return r == Role::Viewer ? "viewer" : "admin"; }

Result<Role> parse_role(std::string_view text) {
  if (text == "admin") return Role::Admin;
  if (text == "viewer") return Role::Viewer;
  return make_error(Errc::InvalidArgument,
                    fmt::format("unknown role '{}': admin (reads and writes) or viewer (reads only)", text.substr(0, 32)));
}

Status AccountStore::set_password(std::string_view user, std::string_view password, const ScryptParams& params,
                                  std::optional<Role> role) {
  CUCM_CHECK(check_user_name(user));
  CUCM_CHECK(check_new_password(password));
  CUCM_TRY(std::string hash, hash_password(password, params));
  CUCM_TRY(auto tx, db::Transaction::begin(db_));
  if (role == Role::Viewer) CUCM_CHECK(keep_an_admin(db_, user, Leaving::AsViewer));
  // ?3 NULL: a new user is an admin and an existing one keeps its role.
  CUCM_TRY(auto s, db_.prepare("INSERT INTO admin_user (name, password_hash, role) VALUES (?1, ?2, coalesce(?3, 'admin')) "
                               "ON CONFLICT (name) DO UPDATE SET password_hash = excluded.password_hash, "
                               "role = coalesce(?3, role), changed = strftime('%Y-%m-%d %H:%M:%S', 'now')"));
  s.bind(1, user).bind(2, std::string_view(hash));
  if (role) s.bind(3, role_name(*role));
  CUCM_CHECK(s.run());
  return tx.commit();
}

Status AccountStore::set_role(std::string_view user, Role role) {
  CUCM_TRY(auto tx, db::Transaction::begin(db_));
  if (role == Role::Viewer) CUCM_CHECK(keep_an_admin(db_, user, Leaving::AsViewer));
  CUCM_TRY(auto s, db_.prepare("UPDATE admin_user SET role = ?2 WHERE name = ?1"));
  s.bind(1, user).bind(2, role_name(role));
  CUCM_CHECK(s.run());
  if (db_.changes() == 0) return unknown_user(user);
  return tx.commit();
}

Result<std::optional<Standing>> AccountStore::standing(std::string_view user) const {
  CUCM_TRY(auto s, db_.prepare("SELECT role, password_hash FROM admin_user WHERE name = ?1"));
  s.bind(1, user);
  CUCM_TRY(bool found, s.step());
  if (!found) return std::optional<Standing>{};
  CUCM_TRY(Role r, parse_role(s.text(0)));
  return std::optional<Standing>{Standing{r, credential_of(s.text(1))}};
}

Result<std::optional<Role>> AccountStore::role_of(std::string_view user) const {
  CUCM_TRY(auto s, db_.prepare("SELECT role FROM admin_user WHERE name = ?1"));
  s.bind(1, user);
  CUCM_TRY(bool found, s.step());
  if (!found) return std::optional<Role>{};
  CUCM_TRY(Role r, parse_role(s.text(0)));
  return std::optional<Role>{r};
}

Result<std::vector<Account>> AccountStore::accounts() const {
  CUCM_TRY(auto s, db_.prepare("SELECT name, role FROM admin_user ORDER BY name"));
  std::vector<Account> out;
  while (true) {
    CUCM_TRY(bool row, s.step());
    if (!row) return out;
    CUCM_TRY(Role r, parse_role(s.text(1)));
    out.push_back({s.text(0), r});
  }
}

Result<bool> AccountStore::any_password() const {
  CUCM_TRY(auto s, db_.prepare("SELECT EXISTS (SELECT 1 FROM admin_user)"));
  CUCM_TRY(bool row, s.step());
  return row && s.int64(0) != 0;
}

Result<bool> AccountStore::check_password(std::string_view user, std::string_view password) const {
  CUCM_TRY(auto standing, verify(user, password));
  return standing.has_value();
}

Result<std::optional<Standing>> AccountStore::verify(std::string_view user, std::string_view password) const {
  CUCM_TRY(auto s, db_.prepare("SELECT role, password_hash FROM admin_user WHERE name = ?1"));
  s.bind(1, user);
  CUCM_TRY(bool found, s.step());
  if (found) {
    std::string hash = s.text(1);
    const bool ok = verify_password(password, hash);
    if (!ok) return std::optional<Standing>{};
    CUCM_TRY(Role r, parse_role(s.text(0)));
    return std::optional<Standing>{Standing{r, credential_of(hash)}};
  }
  // An unknown user: the same work as a known one's check, against a hash nothing matches.
  ScryptHash decoy{ScryptParams{}, Bytes(kSaltSize, 0), Bytes(kHashSize, 0)};
  CUCM_TRY(auto any, db_.prepare("SELECT password_hash FROM admin_user ORDER BY name LIMIT 1"));
  CUCM_TRY(bool has_any, any.step());
  if (has_any) {
    if (auto stored = parse_scrypt_hash(any.text(0))) decoy.params = stored->params;
  }
  (void)verify_password(password, build_scrypt_hash(decoy));
  return std::optional<Standing>{};
}

Result<std::string> AccountStore::create_token(std::string_view user, std::string_view name) {
  CUCM_CHECK(db::validate_text("token name", name, 64));
  std::string token = std::string(kTokenPrefix) + to_base64url(signer::random_bytes(32));
  CUCM_TRY(auto tx, db::Transaction::begin(db_));
  CUCM_TRY(auto exists, db_.prepare("SELECT 1 FROM admin_user WHERE name = ?1"));
  exists.bind(1, user);
  CUCM_TRY(bool found, exists.step());
  if (!found) return unknown_user(user);
  CUCM_TRY(auto s, db_.prepare("INSERT INTO admin_token (user, name, sha256) VALUES (?1, ?2, ?3)"));
  s.bind(1, user).bind(2, name).bind(3, std::string_view(token_sha256(token)));
  CUCM_CHECK(s.run());
  CUCM_CHECK(tx.commit());
  return token;
}

Result<std::optional<std::string>> AccountStore::user_of_token(std::string_view token) const {
  if (!well_formed_token(token)) return std::optional<std::string>{};
  CUCM_TRY(auto s, db_.prepare("SELECT id, user, last_used = '' OR last_used <= datetime('now', '-60 seconds') "
                               "FROM admin_token WHERE sha256 = ?1"));
  s.bind(1, std::string_view(token_sha256(token)));
  CUCM_TRY(bool found, s.step());
  if (!found) return std::optional<std::string>{};
  std::int64_t id = s.int64(0);
  std::optional<std::string> user = s.text(1);
  if (s.int64(2) == 0) return user;
  CUCM_TRY(auto tx, db::Transaction::begin(db_));
  CUCM_TRY(auto touch, db_.prepare("UPDATE admin_token SET last_used = strftime('%Y-%m-%d %H:%M:%S', 'now') "
                                   "WHERE id = ?1"));
  touch.bind(1, id);
  CUCM_CHECK(touch.run());
  CUCM_CHECK(tx.commit());
  return user;
}

Result<std::vector<TokenInfo>> AccountStore::tokens() const {
  CUCM_TRY(auto s, db_.prepare("SELECT id, user, name, created, last_used FROM admin_token ORDER BY id"));
  std::vector<TokenInfo> out;
  while (true) {
    CUCM_TRY(bool row, s.step());
    if (!row) return out;
    out.push_back({s.int64(0), s.text(1), s.text(2), s.text(3), s.text(4)});
  }
}

Status AccountStore::revoke_token(std::int64_t id) {
  CUCM_TRY(auto tx, db::Transaction::begin(db_));
  CUCM_TRY(auto s, db_.prepare("DELETE FROM admin_token WHERE id = ?1"));
  s.bind(1, id);
  CUCM_CHECK(s.run());
  if (db_.changes() == 0) {
    return make_error(Errc::NotFound, fmt::format("admin token {} not found (cucm-emu admin token list shows the ids)", id));
  }
  return tx.commit();
}

Status AccountStore::remove_user(std::string_view user) {
  CUCM_TRY(auto tx, db::Transaction::begin(db_));
  CUCM_CHECK(keep_an_admin(db_, user, Leaving::Removed));
  CUCM_TRY(auto s, db_.prepare("DELETE FROM admin_user WHERE name = ?1"));
  s.bind(1, user);
  CUCM_CHECK(s.run());
  if (db_.changes() == 0) return unknown_user(user);
  return tx.commit();
}

}  // namespace cucm::auth
