// Authentication, CSRF and dispatch of the admin API.
#include "web/api.hpp"

#include <fmt/format.h>
#include <openssl/crypto.h>

#include "auth/account_store.hpp"
#include "core/log.hpp"
#include "db/event_log.hpp"
#include "signer/cert.hpp"
#include "web/json_fields.hpp"
#include "web/request_parse.hpp"

namespace cucm::web {
namespace {

constexpr const char* kCookie = "cucm_session";
constexpr const char* kNoPassword = "no admin password is set: run `cucm-emu admin passwd` on the server";

bool is_write(const std::string& method) {
  return method == "POST" || method == "PUT" || method == "PATCH" || method == "DELETE";
}

std::string utc(std::chrono::system_clock::time_point t) {
  return signer::format_utc(std::chrono::system_clock::to_time_t(t));
}

bool same(const std::string& a, const std::string& b) {
  return a.size() == b.size() && CRYPTO_memcmp(a.data(), b.data(), a.size()) == 0;
}

void set_session_cookie(Response& res, const auth::SessionStore::Created& created) {
  auto max_age = std::chrono::duration_cast<std::chrono::seconds>(created.session.expires - std::chrono::system_clock::now());
  res.headers.emplace_back("Set-Cookie", fmt::format("{}={}; Path=/; HttpOnly; Secure; SameSite=Strict; Max-Age={}",
                                                     kCookie, created.token, std::max<std::int64_t>(max_age.count(), 0)));
}

}  // namespace

std::uint64_t body_limit(const std::string& method, const std::string& path) {
  if (!is_write(method)) return 0;
  return method == "POST" && path == "/api/v1/devices.csv" ? kMaxCsvBody : kMaxBody;
}

Response json_response(int status, const nlohmann::json& body) {
  Response r;
  r.status = status;
  // Invalid UTF-8 from the database (a row written by hand) is replaced, never thrown.
  r.body = body.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
  return r;
}

Response no_content() {
  Response r;
  r.status = 204;
  return r;
}

Response error_response(int status, std::string message) {
  return json_response(status, {{"error", std::move(message)}});
}

Response error_response(const Error& e) {
  switch (e.code) {
    case Errc::InvalidArgument: return error_response(400, e.message);
    case Errc::NotFound: return error_response(404, e.message);
    case Errc::AlreadyExists:
    case Errc::PermissionDenied: return error_response(409, e.message);
    case Errc::Unauthenticated: return error_response(401, e.message);
    case Errc::ResourceExhausted: return error_response(503, e.message);
    default:
      // The message may hold SQL or a path: logged, not shown.
      log::get("web")->error("admin API: {}", e.message);
      return error_response(500, "internal error; the server log has the details");
  }
}

Result<Api::Who> Api::authenticate(const Request& r) {
  auto unauthenticated = [] {
    return make_error(Errc::Unauthenticated, "log in first (POST /api/v1/login) or send a bearer token");
  };
  // The user's row is read on every request: a role change applies to sessions already open,
  // and a removed user's session ends.
  auto standing_of = [&](const std::string& user) -> Result<auth::Standing> {
    CUCM_TRY(auto standing, auth::AccountStore(db_).standing(user));
    if (!standing) return make_error(Errc::Unauthenticated, fmt::format("admin user {} no longer exists: log in again", user));
    return std::move(*standing);
  };
  if (std::string token = bearer_token(r.authorization); !token.empty()) {
    CUCM_TRY(auto user, auth::AccountStore(db_).user_of_token(token));
    if (!user) return make_error(Errc::Unauthenticated, "unknown or revoked bearer token (see `cucm-emu admin token list`)");
    CUCM_TRY(auto standing, standing_of(*user));
    return Who{std::move(*user), false, standing.role};
  }
  std::string cookie = cookie_value(r.cookie, kCookie);
  if (cookie.empty()) {
    CUCM_TRY(bool any, auth::AccountStore(db_).any_password());
    if (!any) return make_error(Errc::Unauthenticated, kNoPassword);
    return unauthenticated();
  }
  CUCM_TRY(auto s, live_session(cookie));
  if (is_write(r.method) && !same(r.csrf, s.session.csrf)) {
    return make_error(Errc::PermissionDenied, "missing or wrong X-CSRF-Token header: reload the page");
  }
  return Who{s.session.user, true, s.standing.role};
}

// The cookie's session and its user's standing now. A password set since the login (on the
// site or by `admin passwd`) or a user removed, even one made again under the same name, ends it.
Result<Api::LiveSession> Api::live_session(const std::string& cookie) {
  auto s = shared_.sessions.find(cookie);
  if (!s) return make_error(Errc::Unauthenticated, "the session has expired or ended: log in again");
  CUCM_TRY(auto standing, auth::AccountStore(db_).standing(s->user));
  if (!standing) {
    shared_.sessions.remove(cookie);
    return make_error(Errc::Unauthenticated, fmt::format("admin user {} no longer exists: log in again", s->user));
  }
  if (!same(standing->credential, s->credential)) {
    shared_.sessions.remove(cookie);
    return make_error(Errc::Unauthenticated,
                      fmt::format("the password of {} was set since this session began: log in again", s->user));
  }
  return LiveSession{std::move(*s), std::move(*standing)};
}

// 429 while the address is held back for wrong passwords (logins and password changes count
// together), with Retry-After.
std::optional<Response> Api::held_back(const Request& r, std::string_view what) const {
  auto wait = shared_.logins.blocked(r.peer);
  if (!wait) return std::nullopt;
  auto res = error_response(429, fmt::format("too many failed {} from {}: try again in {} s", what, r.peer, wait->count()));
  res.headers.emplace_back("Retry-After", std::to_string(wait->count()));
  return res;
}

Response Api::login(const Request& r) {
  if (auto refused = held_back(r, "logins")) return *refused;
  auto fields = Fields::parse(r.body);
  if (!fields) return error_response(fields.error());
  if (auto st = fields->only({"user", "password"}); !st) return error_response(st.error());
  auto user = fields->text("user");
  auto password = fields->text("password");
  if (!user) return error_response(user.error());
  if (!password) return error_response(password.error());
  auth::AccountStore accounts(db_);
  auto any = accounts.any_password();
  if (!any) return error_response(any.error());
  if (!*any) return error_response(503, kNoPassword);
  auto standing = accounts.verify(user->value_or(""), password->value_or(""));
  if (!standing) return error_response(standing.error());
  if (!*standing) {
    shared_.logins.failed(r.peer);
    admin::audit(db_, {"", "web", r.peer}, "", fmt::format("failed login as '{}'", user->value_or("").substr(0, 32)));
    return error_response(401, "wrong user name or password");
  }
  shared_.logins.succeeded(r.peer);
  auto created = shared_.sessions.create(**user, (*standing)->credential);
  admin::audit(db_, {**user, "web", r.peer}, "", "logged in");
  auto res = json_response(200, {{"user", **user},
                                 {"role", std::string(auth::role_name((*standing)->role))},
                                 {"csrf", created.session.csrf},
                                 {"expires", utc(created.session.expires)}});
  set_session_cookie(res, created);
  return res;
}

Response Api::logout(const Request& r) {
  std::string cookie = cookie_value(r.cookie, kCookie);
  if (auto s = shared_.sessions.find(cookie)) {
    shared_.sessions.remove(cookie);
    admin::audit(db_, {s->user, "web", r.peer}, "", "logged out");
  }
  Response res = no_content();
  res.headers.emplace_back("Set-Cookie", fmt::format("{}=; Path=/; HttpOnly; Secure; SameSite=Strict; Max-Age=0", kCookie));
  return res;
}

Response Api::session(const Request& r) {
  auto s = live_session(cookie_value(r.cookie, kCookie));
  if (!s) {
    if (s.error().code != Errc::Unauthenticated) return error_response(s.error());
    return error_response(401, "no session: log in (POST /api/v1/login)");
  }
  const auth::Session& live = s->session;
  return json_response(200, {{"user", live.user}, {"role", std::string(auth::role_name(s->standing.role))}, {"csrf", live.csrf},
                             {"expires", utc(live.expires)}});
}

// A user's own password, from the site: the current one again (a session left open on a lab PC
// must not be enough), then the CLI's rules for the new one. Wrong current passwords count as
// failed logins. The user's other sessions end. The caller's goes on under a new cookie and CSRF
// token, in this answer: a cookie copied before the change (often the reason for one) stops too.
Response Api::change_password(const Request& r, const Who& who) {
  if (r.method != "POST") return error_response(405, "change the password with POST");
  if (auto refused = held_back(r, "passwords")) return *refused;
  auto fields = Fields::parse(r.body);
  if (!fields) return error_response(fields.error());
  if (auto st = fields->only({"current", "new"}); !st) return error_response(st.error());
  auto current = fields->text("current");
  auto next = fields->text("new");
  if (!current) return error_response(current.error());
  if (!next) return error_response(next.error());
  if (!*current) return error_response(400, "field 'current' is required: the password used now");
  if (!*next) return error_response(400, "field 'new' is required: the new password");
  auth::AccountStore accounts(db_);
  auto ok = accounts.check_password(who.user, **current);
  if (!ok) return error_response(ok.error());
  if (!*ok) {
    shared_.logins.failed(r.peer);
    admin::audit(db_, {who.user, "web", r.peer}, "", "password change refused: wrong current password");
    return error_response(403, "the current password is wrong; nothing changed");
  }
  if (auto st = accounts.set_password(who.user, **next); !st) return error_response(st.error());
  shared_.logins.succeeded(r.peer);
  const std::string caller = who.by_cookie ? cookie_value(r.cookie, kCookie) : "";
  auto ended = shared_.sessions.end_user_sessions(who.user, caller);
  admin::audit(db_, {who.user, "web", r.peer}, "", fmt::format("password changed; {} other session(s) ended", ended));
  // A caller logged out meanwhile (another tab) stays logged out.
  if (caller.empty() || !shared_.sessions.remove(caller)) {
    return json_response(200, {{"user", who.user}, {"sessions_ended", ended}});
  }
  auto standing = accounts.standing(who.user);
  if (!standing) return error_response(standing.error());
  if (!*standing) return error_response(401, fmt::format("admin user {} no longer exists: log in again", who.user));
  auto renewed = shared_.sessions.create(who.user, (*standing)->credential);
  auto res = json_response(200, {{"user", who.user}, {"sessions_ended", ended}, {"csrf", renewed.session.csrf},
                                 {"expires", utc(renewed.session.expires)}});
  set_session_cookie(res, renewed);
  return res;
}

Response Api::handle(const Request& r) {
  auto parts = path_segments(r.path);
  if (parts.size() < 2 || parts[0] != "api" || parts[1] != "v1") {
    return error_response(404, fmt::format("no such page: {} (the API is under /api/v1)", r.path.substr(0, 200)));
  }
  std::string what = parts.size() > 2 ? parts[2] : "";
  if (what == "setup" && parts.size() == 3 && r.method == "GET") {
    auto any = auth::AccountStore(db_).any_password();
    if (!any) return error_response(any.error());
    return json_response(200, {{"password_set", *any}, {"how", "cucm-emu admin passwd [--user NAME]"}});
  }
  if (what == "login" && parts.size() == 3) {
    if (r.method != "POST") return error_response(405, "log in with POST");
    return login(r);
  }
  if (what == "logout" && parts.size() == 3) {
    if (r.method != "POST") return error_response(405, "log out with POST");
    return logout(r);
  }
  if (what == "session" && parts.size() == 3 && r.method == "GET") return session(r);
  auto who = authenticate(r);
  if (!who) {
    // A refused CSRF token is 403 here (PermissionDenied is 409 for the records' writes).
    if (who.error().code == Errc::PermissionDenied) return error_response(403, who.error().message);
    return error_response(who.error());
  }
  const bool own_password = what == "password" && parts.size() == 3;
  if (who->role == auth::Role::Viewer && is_write(r.method) && !own_password) {
    return error_response(403, fmt::format("{} is a viewer: it may read every page and change only its own password "
                                           "(an admin makes it one with `cucm-emu admin role {} admin`)",
                                           who->user, who->user));
  }
  Response res = own_password ? change_password(r, *who) : route(r, parts, *who);
  if (is_write(r.method)) {
    pages_.bodies.clear();  // this connection's own writes do not move its data_version
    if (res.status < 300 && shared_.wrote) shared_.wrote();
  }
  return res;
}

Response Api::route(const Request& r, std::vector<std::string> parts, const Who& who) {
  parts.erase(parts.begin(), parts.begin() + 2);  // api, v1
  admin::Actor by{who.user, "web", r.peer};
  const std::string& m = r.method;
  const std::string what = parts.empty() ? "" : parts[0];
  auto get_only = [&](auto f) { return m == "GET" || m == "HEAD" ? f() : error_response(405, "read-only: GET"); };
  if (what == "devices" || what == "devices.csv") return devices(r, parts, by);
  if (what == "profiles") return profiles(r, parts, by);
  if (what == "settings") return settings(r, parts, by);
  if (what == "faults" && parts.size() == 1) return faults(r, by);
  if (what == "capf" && parts.size() == 1) return get_only([&] { return capf(r, "", by); });
  if (what == "certificates" && parts.size() == 1) return get_only([&] { return certificates(); });
  if (what == "trust-stores" && parts.size() == 1) return get_only([&] { return trust_stores(); });
  if (what == "fleet" && parts.size() == 1) return get_only([&] { return fleet(); });
  if (what == "events" && parts.size() == 1) return get_only([&] { return events(r, ""); });
  if (what == "events" && parts.size() == 2 && parts[1] == "stream") {
    return get_only([&] {
      StreamRequest s;
      if (auto it = r.query.find("device"); it != r.query.end() && !it->second.empty()) {
        auto name = db::normalise_device_name(it->second);
        if (!name) return error_response(name.error());
        s.device = *name;
      }
      std::string last = r.last_event_id.empty() && r.query.count("after") ? r.query.at("after") : r.last_event_id;
      if (!last.empty()) {
        auto id = parse_count(last, "Last-Event-ID", kMaxCount);
        if (!id) return error_response(id.error());
        s.after = static_cast<std::int64_t>(*id);
      } else {
        // Only what comes from now on: the rows after the newest one committed now, read on this
        // connection (the hub's thread may not have read it yet).
        auto newest = db::EventLog(db_).tail("", 1);
        if (!newest) return error_response(newest.error());
        s.after = newest->empty() ? 0 : newest->back().id;
      }
      Response res;
      res.content_type = "text/event-stream";
      res.stream = s;
      return res;
    });
  }
  return error_response(404, fmt::format("no such resource: {} {}", m, r.path.substr(0, 200)));
}

}  // namespace cucm::web
