// The admin site's answers: every route of docs/admin-api.md, authentication, CSRF and the
// error mapping, as a function from a parsed request to a response. No sockets here: the server
// (web/server.cpp) reads the bytes under its limits and writes what this returns, so the whole
// API is tested without TLS and the server without the database.
#pragma once

#include <cstdint>
#include <filesystem>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include <nlohmann/json.hpp>

#include "admin/audit.hpp"
#include "auth/account_store.hpp"
#include "auth/login_limiter.hpp"
#include "auth/session_store.hpp"
#include "core/result.hpp"
#include "db/sqlite.hpp"
#include "signer/cluster_pki.hpp"

namespace cucm::web {

struct Request {
  std::string method;  // GET, HEAD, POST, PUT, PATCH, DELETE
  std::string path;    // percent-decoded, without the query
  std::map<std::string, std::string> query;
  std::string cookie;         // the Cookie header
  std::string authorization;  // the Authorization header
  std::string csrf;           // X-CSRF-Token
  std::string content_type;
  std::string last_event_id;  // Last-Event-ID (an EventSource reconnecting)
  std::string body;
  std::string peer;  // the client's address, without the port
};

// GET /api/v1/events/stream, once authenticated: the server keeps the connection and streams.
struct StreamRequest {
  std::string device;      // empty: every device
  std::int64_t after = 0;  // the last id the client has
};

struct Response {
  int status = 200;
  std::string content_type = "application/json";
  std::string body;
  std::vector<std::pair<std::string, std::string>> headers;
  std::optional<StreamRequest> stream;
};

// What every loop's Api shares: the sessions, the login limiter, the PKI (read-only).
struct ApiShared {
  ApiShared(std::filesystem::path dir, const signer::ClusterPki* p, auth::SessionStore::Options s,
            auth::LoginLimiter::Options l)
      : data_dir(std::move(dir)), pki(p), sessions(s), logins(l) {}
  std::filesystem::path data_dir;
  const signer::ClusterPki* pki = nullptr;
  auth::SessionStore sessions;
  auth::LoginLimiter logins;
  std::function<void()> wrote;  // after a write: the event stream reads the audit event at once
};

// Limits of a request body, checked by the server before it reads one.
inline constexpr std::uint64_t kMaxBody = 1u << 20;      // JSON
inline constexpr std::uint64_t kMaxCsvBody = 16u << 20;  // POST /api/v1/devices.csv
std::uint64_t body_limit(const std::string& method, const std::string& path);

// One per thread: it holds that thread's database connection.
class Api {
 public:
  Api(ApiShared& shared, db::Database db) : shared_(shared), db_(std::move(db)) {}
  Response handle(const Request& r);

 private:
  struct Who {
    std::string user;
    bool by_cookie = false;
    auth::Role role = auth::Role::Admin;
  };
  // A cookie's session that still holds: its user exists, with the credential it logged in with.
  struct LiveSession {
    auth::Session session;
    auth::Standing standing;
  };
  Result<Who> authenticate(const Request& r);
  std::optional<Response> held_back(const Request& r, std::string_view what) const;
  Response login(const Request& r);
  Response logout(const Request& r);
  Response session(const Request& r);
  Response change_password(const Request& r, const Who& who);
  Result<LiveSession> live_session(const std::string& cookie);
  Response route(const Request& r, std::vector<std::string> parts, const Who& who);
  Response devices(const Request& r, const std::vector<std::string>& parts, const admin::Actor& by);
  Response device_list(const Request& r);
  Response profiles(const Request& r, const std::vector<std::string>& parts, const admin::Actor& by);
  Response capf(const Request& r, const std::string& name, const admin::Actor& by);
  Response settings(const Request& r, const std::vector<std::string>& parts, const admin::Actor& by);
  Response faults(const Request& r, const admin::Actor& by);
  Response certificates();
  Response trust_stores();
  Response events(const Request& r, const std::string& device);
  Response fleet();

  // The device list's pages as rendered, kept while the database is as it was when they were
  // made: SQLite's data_version moves when another connection commits (the event writer, the
  // other loops, the CLI), and this connection's own writes clear them. A page of 100 devices
  // costs ~1.6 ms to render and a few microseconds to find here.
  struct PageCache {
    std::int64_t version = -1;
    std::map<std::string, std::string> bodies;  // by offset, limit and filter
  };
  static constexpr std::size_t kMaxCachedPages = 512;
  Response cached_device_list(const Request& r);

  ApiShared& shared_;
  db::Database db_;
  PageCache pages_;
};

// Helpers the route files share.
Response json_response(int status, const nlohmann::json& body);
Response no_content();  // 204
Response error_response(const Error& e);  // the Errc's status and {"error": message}
Response error_response(int status, std::string message);
// The error of a failed result, or null.
template <class T>
const Error* failed(const Result<T>& r) {
  return r ? nullptr : &r.error();
}

}  // namespace cucm::web
