// The admin site's API over real HTTPS on an ephemeral loopback port, against a real cluster
// database: authentication required, sessions with CSRF, bearer tokens, the CLI's validation
// messages, limits (413, 429), concurrent writes, the live event stream, and curl checking the
// certificate by name.
#include <unistd.h>

#include <atomic>
#include <filesystem>
#include <fstream>
#include <thread>

#include <fmt/format.h>
#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "auth/account_store.hpp"
#include "cluster/cluster.hpp"
#include "db/device_store.hpp"
#include "db/event_log.hpp"
#include "db/model.hpp"
#include "tests/support/shell.hpp"
#include "tests/web/https_client.hpp"
#include "web/api.hpp"
#include "web/server.hpp"

namespace cucm::web {
namespace {
namespace fs = std::filesystem;
using nlohmann::json;
using test::HttpsClient;

constexpr const char* kPassword = "correct horse battery";
constexpr const char* kEncryptedProfile = "Cisco 8845 - Standard SIP Encrypted Config";

// Each test gets its own cluster and server (CTest runs every test in a process of its own):
// a password set, and one device, SEP0000000000C1.
class AdminApi : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = fs::temp_directory_path() / ("cucm-web-" + std::to_string(::getpid()));
    fs::remove_all(dir_);
    cluster::Config cfg;
    cfg.build_workers = 1;
    auto c = cluster::Cluster::open(dir_, cfg);
    ASSERT_TRUE(c) << c.error().message;
    cluster_ = std::move(*c);
    WebConfig wc;
    wc.port = 0;
    wc.logins.max_failures = 3;
    server_ = std::make_unique<WebServer>(*cluster_, wc);
    auto st = server_->start();
    ASSERT_TRUE(st) << st.error().message;
    if (with_password_) set_password();
    ASSERT_TRUE(add_directly("SEP0000000000C1"));
  }
  // A device written on another connection than the site's, as the CLI writes it.
  Status add_directly(const char* name) {
    db::Device d;
    d.name = name;
    d.product = "Cisco 8845";
    d.protocol = "SIP";
    d.profile = "Universal Device Template - Model-independent Security Profile";
    return db::DeviceStore(cluster_->db()).add(d);
  }
  void TearDown() override {
    server_.reset();
    cluster_.reset();
    fs::remove_all(dir_);
  }

  HttpsClient client() const { return HttpsClient(server_->port()); }

  // Cheap scrypt parameters: the stored string carries them, the server reads them from it.
  void set_password() {
    ASSERT_TRUE(auth::AccountStore(cluster_->db()).set_password("admin", kPassword, auth::ScryptParams{10, 8, 1}));
  }
  struct Login {
    std::string cookie, csrf;
  };
  Login login() {
    auto r = client().request("POST", "/api/v1/login", json{{"user", "admin"}, {"password", kPassword}}.dump());
    EXPECT_EQ(r.status, 200) << r.body << r.error;
    return session_of(r);
  }
  // The session an answer sets (a login, a password change that re-keys the caller's).
  static Login session_of(test::Reply& r) {
    Login l;
    auto set = r.headers["set-cookie"];
    l.cookie = set.substr(0, set.find(';'));
    l.csrf = json::parse(r.body, nullptr, false).value("csrf", "");
    return l;
  }
  static std::map<std::string, std::string> with(const Login& l, bool csrf = true) {
    std::map<std::string, std::string> h{{"Cookie", l.cookie}};
    if (csrf) h["X-CSRF-Token"] = l.csrf;
    return h;
  }

  bool with_password_ = true;
  fs::path dir_;
  std::unique_ptr<cluster::Cluster> cluster_;
  std::unique_ptr<WebServer> server_;
};

class AdminApiNoPassword : public AdminApi {
 protected:
  AdminApiNoPassword() { with_password_ = false; }
};

TEST_F(AdminApiNoPassword, EveryCallSaysHowToSetOne) {
  auto setup = client().request("GET", "/api/v1/setup");
  EXPECT_EQ(setup.status, 200);
  EXPECT_FALSE(json::parse(setup.body)["password_set"].get<bool>());
  auto list = client().request("GET", "/api/v1/devices");
  EXPECT_EQ(list.status, 401);
  EXPECT_NE(list.body.find("cucm-emu admin passwd"), std::string::npos) << list.body;
  auto in = client().request("POST", "/api/v1/login", R"({"user":"admin","password":""})");
  EXPECT_EQ(in.status, 503);
  EXPECT_NE(in.body.find("cucm-emu admin passwd"), std::string::npos) << in.body;
}

TEST_F(AdminApi, NothingIsServedWithoutCredentials) {
  for (const char* path : {"/api/v1/devices", "/api/v1/profiles", "/api/v1/settings", "/api/v1/certificates",
                           "/api/v1/trust-stores", "/api/v1/faults", "/api/v1/events", "/api/v1/fleet", "/api/v1/capf",
                           "/api/v1/devices.csv", "/api/v1/events/stream"}) {
    auto r = client().request("GET", path);
    EXPECT_EQ(r.status, 401) << path;
    EXPECT_NE(r.body.find("log in first"), std::string::npos) << path << ": " << r.body;
  }
  auto forged = client().request("GET", "/api/v1/devices", "", {{"Cookie", "cucm_session=forged"}});
  EXPECT_EQ(forged.status, 401);
  auto bad_token = client().request("GET", "/api/v1/devices", "", {{"Authorization", "Bearer cucm_nope"}});
  EXPECT_EQ(bad_token.status, 401);
}

TEST_F(AdminApi, LoginSetsAStrictCookieAndAWrongPasswordIsRefused) {
  auto wrong = client().request("POST", "/api/v1/login", json{{"user", "admin"}, {"password", "not it"}}.dump());
  EXPECT_EQ(wrong.status, 401);
  EXPECT_NE(wrong.body.find("wrong user name or password"), std::string::npos);
  auto r = client().request("POST", "/api/v1/login", json{{"user", "admin"}, {"password", kPassword}}.dump());
  ASSERT_EQ(r.status, 200) << r.body;
  const auto& cookie = r.headers["set-cookie"];
  for (const char* attr : {"cucm_session=", "HttpOnly", "Secure", "SameSite=Strict", "Path=/", "Max-Age="}) {
    EXPECT_NE(cookie.find(attr), std::string::npos) << attr << " in " << cookie;
  }
  auto body = json::parse(r.body);
  EXPECT_EQ(body["user"], "admin");
  EXPECT_GE(body["csrf"].get<std::string>().size(), 40u);
  auto session = client().request("GET", "/api/v1/session", "", {{"Cookie", cookie.substr(0, cookie.find(';'))}});
  EXPECT_EQ(session.status, 200);
  EXPECT_EQ(json::parse(session.body)["csrf"], body["csrf"]);
  // Logged out, the cookie opens nothing.
  auto l = Login{cookie.substr(0, cookie.find(';')), body["csrf"]};
  EXPECT_EQ(client().request("POST", "/api/v1/logout", "", with(l)).status, 204);
  EXPECT_EQ(client().request("GET", "/api/v1/devices", "", with(l)).status, 401);
}

TEST_F(AdminApi, AWriteWithTheCookieNeedsTheCsrfToken) {
  auto l = login();
  auto body = json{{"name", "SEP0000000000C5"}, {"product", "Cisco 8845"}}.dump();
  auto no_token = client().request("POST", "/api/v1/devices", body, with(l, false));
  EXPECT_EQ(no_token.status, 403);
  EXPECT_NE(no_token.body.find("X-CSRF-Token"), std::string::npos);
  auto wrong = with(l);
  wrong["X-CSRF-Token"] = l.csrf + "x";
  EXPECT_EQ(client().request("POST", "/api/v1/devices", body, wrong).status, 403);
  EXPECT_FALSE(db::DeviceStore(cluster_->db()).get("SEP0000000000C5"));
  auto ok = client().request("POST", "/api/v1/devices", body, with(l));
  EXPECT_EQ(ok.status, 201) << ok.body;
  // A read needs none.
  EXPECT_EQ(client().request("GET", "/api/v1/devices/SEP0000000000C5", "", with(l, false)).status, 200);
}

TEST_F(AdminApi, ABearerTokenServesScriptsWithoutCsrfUntilRevoked) {
  auth::AccountStore accounts(cluster_->db());
  auto token = accounts.create_token("admin", "api test");
  ASSERT_TRUE(token) << token.error().message;
  std::map<std::string, std::string> h{{"Authorization", "Bearer " + *token}};
  auto add = client().request("POST", "/api/v1/devices", json{{"name", "sep0000000000c2"}, {"product", "Cisco 8845"}}.dump(), h);
  EXPECT_EQ(add.status, 201) << add.body;
  EXPECT_EQ(json::parse(add.body)["name"], "SEP0000000000C2");
  auto tokens = accounts.tokens();
  ASSERT_TRUE(tokens);
  for (const auto& t : *tokens) ASSERT_TRUE(accounts.revoke_token(t.id));
  EXPECT_EQ(client().request("GET", "/api/v1/devices", "", h).status, 401);
}

TEST_F(AdminApi, BadInputGetsTheClisMessageAndChangesNothing) {
  auto l = login();
  auto h = with(l);
  auto bad_name = client().request("POST", "/api/v1/devices", json{{"name", "SEP12"}, {"product", "Cisco 8845"}}.dump(), h);
  EXPECT_EQ(bad_name.status, 400);
  EXPECT_EQ(json::parse(bad_name.body)["error"], db::normalise_device_name("SEP12").error().message);
  auto typo = client().request("POST", "/api/v1/devices", json{{"name", "SEP0000000000C3"}, {"prodcut", "x"}}.dump(), h);
  EXPECT_EQ(typo.status, 400);
  EXPECT_NE(typo.body.find("unknown field 'prodcut'"), std::string::npos) << typo.body;
  auto wrong_type = client().request("POST", "/api/v1/devices", json{{"name", "SEP0000000000C3"}, {"product", 7}}.dump(), h);
  EXPECT_EQ(wrong_type.status, 400);
  EXPECT_NE(wrong_type.body.find("field 'product' must be a string"), std::string::npos);
  EXPECT_EQ(client().request("POST", "/api/v1/devices", "{not json", h).status, 400);
  auto unknown_profile = client().request(
      "POST", "/api/v1/devices", json{{"name", "SEP0000000000C3"}, {"product", "Cisco 8845"}, {"profile", "nope"}}.dump(), h);
  EXPECT_GE(unknown_profile.status, 400);
  EXPECT_LT(unknown_profile.status, 500);
  EXPECT_FALSE(db::DeviceStore(cluster_->db()).get("SEP0000000000C3"));
  auto dup = client().request("POST", "/api/v1/devices", json{{"name", "SEP0000000000C1"}, {"product", "Cisco 8845"}}.dump(), h);
  EXPECT_EQ(dup.status, 409) << dup.body;
  auto bad_auth = client().request("PUT", "/api/v1/devices/SEP0000000000C1/capf",
                                   json{{"operation", "install"}, {"auth_string", "12ab"}}.dump(), h);
  EXPECT_EQ(bad_auth.status, 400);
  EXPECT_EQ(json::parse(bad_auth.body)["error"], db::validate_auth_string("12ab").error().message);
  auto bad_setting = client().request("PUT", "/api/v1/settings/tftp_port", json{{"value", "70000"}}.dump(), h);
  EXPECT_EQ(bad_setting.status, 400);
  auto missing = client().request("GET", "/api/v1/devices/SEP0000000000FF", "", h);
  EXPECT_EQ(missing.status, 404);
  auto route = client().request("GET", "/api/v1/nothing-here", "", h);
  EXPECT_EQ(route.status, 404);
  EXPECT_EQ(route.headers["content-type"], "application/json");
  EXPECT_EQ(client().request("GET", "/no/such/page").status, 404);
  auto paging = client().request("GET", "/api/v1/devices?limit=5000", "", h);
  EXPECT_EQ(paging.status, 400);
}

// curl sends a large body after "Expect: 100-continue": the 413 comes before any of it is read.
TEST_F(AdminApi, AnOversizedBodyIs413BeforeItIsRead) {
  auto l = login();
  auto big = dir_ / "big.json";
  {
    std::ofstream out(big);
    out << std::string(web::kMaxBody + 1, ' ');
  }
  auto curl = [&](const std::string& path, const std::string& type) {
    return test::run(fmt::format("curl -sk -o /dev/null -w '%{{http_code}}' -H 'Cookie: {}' -H 'X-CSRF-Token: {}' "
                                 "-H 'Content-Type: {}' --data-binary @{} https://127.0.0.1:{}{}",
                                 l.cookie, l.csrf, type, big.string(), server_->port(), path));
  };
  auto json_post = curl("/api/v1/devices", "application/json");
  EXPECT_EQ(json_post.out, "413") << json_post.out;
  // The CSV import takes up to 16 MiB: the same body is read, and refused for what it holds.
  auto csv_post = curl("/api/v1/devices.csv", "text/csv");
  EXPECT_EQ(csv_post.out, "400") << csv_post.out;
  // Without credentials the CSV import gets the JSON bodies' 1 MiB: no anonymous 16 MiB bodies.
  auto anonymous = test::run(fmt::format("curl -sk -w ' %{{http_code}}' -H 'Content-Type: text/csv' --data-binary @{} "
                                         "https://127.0.0.1:{}/api/v1/devices.csv",
                                         big.string(), server_->port()));
  EXPECT_NE(anonymous.out.find("the request body is over 1048576 bytes (log in first: only an authenticated client "
                               "may send more)"),
            std::string::npos)
      << anonymous.out;
  EXPECT_EQ(anonymous.out.substr(anonymous.out.size() - 4), " 413") << anonymous.out;
  // A GET takes no body at all.
  auto get = test::run(fmt::format("curl -sk -o /dev/null -w '%{{http_code}}' -X GET -H 'Cookie: {}' --data-binary x "
                                   "https://127.0.0.1:{}/api/v1/devices", l.cookie, server_->port()));
  EXPECT_EQ(get.out, "413") << get.out;
}

TEST_F(AdminApi, TheDevicePageFlowAsABrowserDrivesIt) {
  auto l = login();
  auto h = with(l);
  auto add = client().request("POST", "/api/v1/devices",
                              json{{"name", "SEP0000000000D1"},
                                   {"product", "Cisco 8845"},
                                   {"description", "lab phone"},
                                   {"lines", {{{"directory_number", "1001"}, {"display_name", "Lab"}}}}}
                                  .dump(),
                              h);
  ASSERT_EQ(add.status, 201) << add.body;
  auto patch = client().request("PATCH", "/api/v1/devices/SEP0000000000D1", json{{"profile", kEncryptedProfile}}.dump(), h);
  ASSERT_EQ(patch.status, 200) << patch.body;
  EXPECT_EQ(json::parse(patch.body)["profile"], kEncryptedProfile);
  auto capf = client().request("PUT", "/api/v1/devices/SEP0000000000D1/capf",
                               json{{"operation", "install"}, {"auth_string", "1234"}, {"days", 2}}.dump(), h);
  ASSERT_EQ(capf.status, 200) << capf.body;
  EXPECT_EQ(json::parse(capf.body)["capf"]["status"], "Operation Pending");
  auto ops = json::parse(client().request("GET", "/api/v1/capf", "", h).body);
  bool listed = false;
  for (const auto& o : ops["operations"]) listed = listed || o["device"] == "SEP0000000000D1";
  EXPECT_TRUE(listed);
  auto page = json::parse(client().request("GET", "/api/v1/devices?q=lab%20phone&limit=10", "", h).body);
  EXPECT_EQ(page["total"], 1);
  EXPECT_EQ(page["devices"][0]["lines"][0]["directory_number"], "1001");
  // The audit trail names the user and the address.
  auto events = json::parse(client().request("GET", "/api/v1/devices/SEP0000000000D1/events", "", h).body)["events"];
  std::vector<std::string> what;
  for (const auto& e : events) {
    if (e["service"] == "web") {
      what.push_back(e["what"]);
      EXPECT_EQ(e["source"], "127.0.0.1");
    }
  }
  EXPECT_EQ(what, (std::vector<std::string>{"device added (by admin)", "device changed (by admin)",
                                            "CAPF install scheduled (by admin)"}));
  EXPECT_EQ(client().request("DELETE", "/api/v1/devices/SEP0000000000D1/capf", "", h).status, 200);
  EXPECT_EQ(client().request("DELETE", "/api/v1/devices/SEP0000000000D1", "", h).status, 204);
  EXPECT_FALSE(db::DeviceStore(cluster_->db()).get("SEP0000000000D1"));
}

// The rendered pages are kept, but never past a change: one made through the API, or one made by
// another connection (the CLI, another process) as here.
TEST_F(AdminApi, TheDeviceListIsNeverStale) {
  auto l = login();
  auto total = [&] {
    auto r = client().request("GET", "/api/v1/devices?limit=10", "", with(l));
    return json::parse(r.body)["total"].get<int>();
  };
  EXPECT_EQ(total(), 1);
  EXPECT_EQ(total(), 1);  // the kept page
  ASSERT_EQ(client().request("POST", "/api/v1/devices", json{{"name", "SEP0000000000C6"}, {"product", "Cisco 8845"}}.dump(), with(l)).status, 201);
  EXPECT_EQ(total(), 2);
  ASSERT_TRUE(add_directly("SEP0000000000C7"));
  EXPECT_EQ(total(), 3);
  ASSERT_TRUE(db::DeviceStore(cluster_->db()).remove("SEP0000000000C7"));
  EXPECT_EQ(total(), 2);
}

TEST_F(AdminApi, ConcurrentWritersEachLandOnce) {
  auto l = login();
  constexpr int kWriters = 6, kEach = 15;
  std::atomic<int> created{0};
  std::vector<std::thread> writers;
  for (int w = 0; w < kWriters; ++w) {
    writers.emplace_back([&, w] {
      for (int i = 0; i < kEach; ++i) {
        char name[16];
        std::snprintf(name, sizeof name, "SEP00000000%02X%02X", 0xE0 + w, i);
        auto r = client().request("POST", "/api/v1/devices", json{{"name", name}, {"product", "Cisco 7942"}}.dump(), with(l));
        if (r.status == 201) ++created;
      }
    });
  }
  // Every writer also races the same name once: exactly one wins.
  std::atomic<int> same{0};
  std::vector<std::thread> racers;
  for (int w = 0; w < kWriters; ++w) {
    racers.emplace_back([&] {
      auto r = client().request("POST", "/api/v1/devices", json{{"name", "SEP0000000000EE"}, {"product", "Cisco 7942"}}.dump(), with(l));
      if (r.status == 201) ++same;
      else EXPECT_EQ(r.status, 409) << r.body;
    });
  }
  for (auto& t : writers) t.join();
  for (auto& t : racers) t.join();
  EXPECT_EQ(created, kWriters * kEach);
  EXPECT_EQ(same, 1);
  auto page = json::parse(client().request("GET", "/api/v1/devices?q=SEP00000000E&limit=1000", "", with(l)).body);
  EXPECT_EQ(page["total"], kWriters * kEach);
  EXPECT_TRUE(db::DeviceStore(cluster_->db()).get("SEP0000000000EE"));
}

TEST_F(AdminApi, TheEventStreamDeliversAWriteAndResumesAfterLastEventId) {
  auto l = login();
  ASSERT_EQ(client().request("POST", "/api/v1/devices", json{{"name", "SEP0000000000F1"}, {"product", "Cisco 8845"}}.dump(), with(l)).status, 201);
  test::EventStream stream(server_->port(), "/api/v1/events/stream?device=SEP0000000000F1", with(l, false));
  ASSERT_NE(stream.head().find("200 OK"), std::string::npos) << stream.head() << stream.error();
  EXPECT_NE(stream.head().find("text/event-stream"), std::string::npos);
  auto patch = client().request("PATCH", "/api/v1/devices/SEP0000000000F1", json{{"description", "streamed"}}.dump(), with(l));
  ASSERT_EQ(patch.status, 200);
  std::string block = stream.next(std::chrono::seconds(10));
  ASSERT_FALSE(block.empty()) << stream.error();
  EXPECT_NE(block.find("device changed (by admin)"), std::string::npos) << block;
  // Another device's event is not in this stream; the next of this device's is.
  ASSERT_EQ(client().request("PATCH", "/api/v1/devices/SEP0000000000C1", json{{"description", "elsewhere"}}.dump(), with(l)).status, 200);
  ASSERT_EQ(client().request("DELETE", "/api/v1/devices/SEP0000000000F1", "", with(l)).status, 204);
  std::string next = stream.next(std::chrono::seconds(10));
  EXPECT_NE(next.find("device deleted (by admin)"), std::string::npos) << next;
  // A reconnecting EventSource sends the last id it had: the rows after it come first.
  std::string id = block.substr(block.find("id: ") + 4);
  id = id.substr(0, id.find('\n'));
  auto h = with(l, false);
  h["Last-Event-ID"] = id;
  test::EventStream again(server_->port(), "/api/v1/events/stream?device=SEP0000000000F1", h);
  std::string replayed = again.next(std::chrono::seconds(10));
  EXPECT_NE(replayed.find("device deleted (by admin)"), std::string::npos) << replayed << again.error();
}

TEST_F(AdminApi, CsvExportAndImportRoundTripAndABadRowImportsNothing) {
  auto l = login();
  auto csv = client().request("GET", "/api/v1/devices.csv", "", with(l));
  ASSERT_EQ(csv.status, 200);
  EXPECT_EQ(csv.headers["content-type"], "text/csv; charset=utf-8");
  std::string header = csv.body.substr(0, csv.body.find('\n') + 1);
  auto h = with(l);
  h["Content-Type"] = "text/csv";
  // The rows follow the export's own columns: copies of the exported SEP0000000000C1.
  std::string row = csv.body.substr(csv.body.find("SEP0000000000C1"));
  row = row.substr(0, row.find('\n') + 1);
  std::string copy = row;
  copy.replace(0, 15, "SEP0000000000A1");
  std::string bad = row;
  bad.replace(0, 15, "SEPXYZ");
  auto refused = client().request("POST", "/api/v1/devices.csv", header + copy + bad, h);
  EXPECT_EQ(refused.status, 400) << refused.body;
  auto rows = json::parse(refused.body)["rows"];
  ASSERT_EQ(rows.size(), 1u) << refused.body;
  EXPECT_EQ(rows[0]["row"], 2);
  EXPECT_FALSE(db::DeviceStore(cluster_->db()).get("SEP0000000000A1"));
  auto imported = client().request("POST", "/api/v1/devices.csv", header + copy, h);
  EXPECT_EQ(imported.status, 200) << imported.body;
  EXPECT_EQ(json::parse(imported.body)["imported"], 1);
  EXPECT_TRUE(db::DeviceStore(cluster_->db()).get("SEP0000000000A1"));
}

TEST_F(AdminApi, ProfilesFaultsAndTheReadOnlyPagesAnswer) {
  auto l = login();
  auto h = with(l);
  auto add = client().request("POST", "/api/v1/profiles",
                              json{{"name", "Lab 8845 encrypted"}, {"product", "Cisco 8845"}, {"protocol", "SIP"},
                                   {"security_mode", "encrypted"}, {"tftp_encrypted", true}, {"key_order", "ec"}}
                                  .dump(),
                              h);
  ASSERT_EQ(add.status, 201) << add.body;
  EXPECT_TRUE(json::parse(add.body)["tftp_encrypted"].get<bool>());
  auto builtin = client().request("PATCH", "/api/v1/profiles/" + std::string("Cisco%208845%20-%20Standard%20SIP%20Non-Secure%20Profile"),
                                  json{{"tftp_encrypted", false}}.dump(), h);
  EXPECT_EQ(builtin.status, 409) << builtin.body;
  auto bad_size = client().request("PATCH", "/api/v1/profiles/Lab%208845%20encrypted", json{{"rsa_key_size", 1000}}.dump(), h);
  EXPECT_EQ(bad_size.status, 400);
  auto arm = client().request("POST", "/api/v1/faults", json{{"fault", "http-status"}, {"device", "SEP0000000000C1"}, {"count", 2}, {"params", {"code=404"}}}.dump(), h);
  EXPECT_EQ(arm.status, 201) << arm.body;
  auto faults = json::parse(client().request("GET", "/api/v1/faults", "", h).body);
  EXPECT_EQ(faults["armed"].size(), 1u);
  EXPECT_GT(faults["catalog"].size(), 10u);
  auto unknown = client().request("POST", "/api/v1/faults", json{{"fault", "no-such-fault"}, {"all", true}}.dump(), h);
  EXPECT_EQ(unknown.status, 400);
  EXPECT_EQ(client().request("DELETE", "/api/v1/faults?device=SEP0000000000C1", "", h).status, 200);
  auto certs = json::parse(client().request("GET", "/api/v1/certificates", "", h).body);
  EXPECT_EQ(certs["identities"].size(), 5u);
  auto stores = json::parse(client().request("GET", "/api/v1/trust-stores", "", h).body);
  EXPECT_GE(stores["stores"].size(), 5u);
  auto settings = json::parse(client().request("GET", "/api/v1/settings", "", h).body);
  EXPECT_TRUE(settings.contains("tftp_port"));
  auto fleet = json::parse(client().request("GET", "/api/v1/fleet", "", h).body);
  EXPECT_GE(fleet["devices"].get<int>(), 1);
  EXPECT_TRUE(fleet["states"].contains("never seen"));
}

TEST_F(AdminApi, RepeatedFailedLoginsAreLimitedPerAddress) {
  for (int i = 0; i < 3; ++i) {
    EXPECT_EQ(client().request("POST", "/api/v1/login", json{{"user", "admin"}, {"password", "guess"}}.dump()).status, 401);
  }
  auto limited = client().request("POST", "/api/v1/login", json{{"user", "admin"}, {"password", kPassword}}.dump());
  EXPECT_EQ(limited.status, 429);
  EXPECT_FALSE(limited.headers["retry-after"].empty());
}

// A user's own password from the site: the current one first, the CLI's rules for the new one,
// and every other session of the user ended (a bearer token's change ends them all).
TEST_F(AdminApi, ChangingOnesPasswordNeedsTheCurrentOneAndEndsTheOtherSessions) {
  auto here = login();
  auto other = login();
  auto change = [&](const std::string& current, const std::string& next, const std::map<std::string, std::string>& h) {
    return client().request("POST", "/api/v1/password", json{{"current", current}, {"new", next}}.dump(), h);
  };
  EXPECT_EQ(change(kPassword, "a-new-one-1", with(here, false)).status, 403);  // a cookie write needs CSRF
  EXPECT_EQ(change(kPassword, "a-new-one-1", {}).status, 401);
  auto wrong = change("not-it", "a-new-one-1", with(here));
  EXPECT_EQ(wrong.status, 403);
  EXPECT_EQ(json::parse(wrong.body)["error"], "the current password is wrong; nothing changed");
  auto short_one = change(kPassword, "short", with(here));
  EXPECT_EQ(short_one.status, 400);
  EXPECT_EQ(json::parse(short_one.body)["error"], "password too short (5 characters vs at least 8): choose a longer one");
  EXPECT_EQ(client().request("POST", "/api/v1/password", json{{"current", kPassword}}.dump(), with(here)).status, 400);
  auto no_current = client().request("POST", "/api/v1/password", json{{"new", "a-new-one-1"}}.dump(), with(here));
  EXPECT_EQ(no_current.status, 400);
  EXPECT_EQ(json::parse(no_current.body)["error"], "field 'current' is required: the password used now");
  EXPECT_EQ(client().request("POST", "/api/v1/password", json{{"current", kPassword}, {"new", "a-new-one-1"}, {"user", "x"}}.dump(), with(here)).status, 400);
  EXPECT_EQ(client().request("GET", "/api/v1/password", "", with(here)).status, 405);
  // Nothing so far changed it.
  auth::AccountStore accounts(cluster_->db());
  EXPECT_TRUE(*accounts.check_password("admin", kPassword));

  auto done = change(kPassword, "a-new-one-1", with(here));
  ASSERT_EQ(done.status, 200) << done.body;
  EXPECT_EQ(json::parse(done.body)["sessions_ended"], 1);
  EXPECT_FALSE(*accounts.check_password("admin", kPassword));
  EXPECT_TRUE(*accounts.check_password("admin", "a-new-one-1"));
  EXPECT_EQ(client().request("GET", "/api/v1/devices", "", with(other, false)).status, 401);
  // The caller goes on under a new cookie and CSRF token; the old cookie is dead.
  Login renewed = session_of(done);
  EXPECT_NE(done.headers["set-cookie"].find("HttpOnly; Secure; SameSite=Strict; Max-Age="), std::string::npos);
  EXPECT_NE(renewed.cookie, here.cookie);
  EXPECT_NE(renewed.csrf, here.csrf);
  EXPECT_EQ(client().request("GET", "/api/v1/devices", "", with(here, false)).status, 401);
  EXPECT_EQ(client().request("GET", "/api/v1/devices", "", with(renewed, false)).status, 200);
  auto write = client().request("PUT", "/api/v1/settings/mixed_mode", json{{"value", "1"}}.dump(), with(renewed));
  EXPECT_EQ(write.status, 200) << write.body;
  here = renewed;
  auto old_login = client().request("POST", "/api/v1/login", json{{"user", "admin"}, {"password", kPassword}}.dump());
  EXPECT_EQ(old_login.status, 401);

  // By a script's bearer token: every session of the user ends, the one above too.
  auto token = accounts.create_token("admin", "api test");
  ASSERT_TRUE(token) << token.error().message;
  auto by_token = change("a-new-one-1", "a-new-one-2", {{"Authorization", "Bearer " + *token}});
  ASSERT_EQ(by_token.status, 200) << by_token.body;
  EXPECT_EQ(json::parse(by_token.body)["sessions_ended"], 1);
  EXPECT_EQ(client().request("GET", "/api/v1/devices", "", with(here, false)).status, 401);

  // The audit trail has the refusal and the changes, with the user and the address.
  auto events = db::EventLog(cluster_->db()).tail("", 50);
  ASSERT_TRUE(events);
  std::vector<std::string> what;
  for (const auto& e : *events) {
    if (e.what.find("password") != std::string::npos) what.push_back(e.what + " / " + e.source);
  }
  EXPECT_EQ(what, (std::vector<std::string>{"password change refused: wrong current password (by admin) / 127.0.0.1",
                                            "password changed; 1 other session(s) ended (by admin) / 127.0.0.1",
                                            "password changed; 1 other session(s) ended (by admin) / 127.0.0.1"}));
}

// A viewer (a trainee): every page reads, every write is 403 with the way out, its own password
// changes; a role changed from the CLI applies to the session already open, and a removed
// user's session ends.
TEST_F(AdminApi, AViewerReadsEverythingAndWritesOnlyItsOwnPassword) {
  auth::AccountStore accounts(cluster_->db());
  ASSERT_TRUE(accounts.set_password("student1", "a student pw", auth::ScryptParams{10, 8, 1}, auth::Role::Viewer));
  auto in = client().request("POST", "/api/v1/login", json{{"user", "student1"}, {"password", "a student pw"}}.dump());
  ASSERT_EQ(in.status, 200) << in.body;
  EXPECT_EQ(json::parse(in.body)["role"], "viewer");
  Login l;
  l.cookie = in.headers["set-cookie"].substr(0, in.headers["set-cookie"].find(';'));
  l.csrf = json::parse(in.body)["csrf"];
  EXPECT_EQ(json::parse(client().request("GET", "/api/v1/session", "", with(l, false)).body)["role"], "viewer");
  for (const char* path : {"/api/v1/devices", "/api/v1/devices/SEP0000000000C1", "/api/v1/profiles", "/api/v1/settings",
                           "/api/v1/certificates", "/api/v1/trust-stores", "/api/v1/capf", "/api/v1/faults",
                           "/api/v1/fleet", "/api/v1/events", "/api/v1/devices.csv"}) {
    EXPECT_EQ(client().request("GET", path, "", with(l, false)).status, 200) << path;
  }
  auto add = client().request("POST", "/api/v1/devices", json{{"name", "SEP0000000000B7"}, {"product", "Cisco 8845"}}.dump(), with(l));
  EXPECT_EQ(add.status, 403);
  EXPECT_EQ(json::parse(add.body)["error"],
            "student1 is a viewer: it may read every page and change only its own password (an admin makes it one with "
            "`cucm-emu admin role student1 admin`)");
  EXPECT_EQ(client().request("PATCH", "/api/v1/devices/SEP0000000000C1", json{{"description", "x"}}.dump(), with(l)).status, 403);
  EXPECT_EQ(client().request("DELETE", "/api/v1/devices/SEP0000000000C1", "", with(l)).status, 403);
  EXPECT_EQ(client().request("PUT", "/api/v1/settings/mixed_mode", json{{"value", "1"}}.dump(), with(l)).status, 403);
  EXPECT_FALSE(db::DeviceStore(cluster_->db()).get("SEP0000000000B7"));
  auto own = client().request("POST", "/api/v1/password", json{{"current", "a student pw"}, {"new", "a newer student pw"}}.dump(), with(l));
  EXPECT_EQ(own.status, 200) << own.body;
  l = session_of(own);  // the change re-keys the session
  // A bearer token of a viewer is a viewer too.
  auto token = accounts.create_token("student1", "script");
  ASSERT_TRUE(token);
  EXPECT_EQ(client().request("POST", "/api/v1/devices", json{{"name", "SEP0000000000B7"}, {"product", "Cisco 8845"}}.dump(),
                             {{"Authorization", "Bearer " + *token}}).status, 403);
  // Made an admin from the CLI: the open session writes at once.
  ASSERT_TRUE(accounts.set_role("student1", auth::Role::Admin));
  EXPECT_EQ(client().request("POST", "/api/v1/devices", json{{"name", "SEP0000000000B7"}, {"product", "Cisco 8845"}}.dump(), with(l)).status, 201);
  // Removed: the session ends.
  ASSERT_TRUE(accounts.remove_user("student1"));
  auto gone = client().request("GET", "/api/v1/devices", "", with(l, false));
  EXPECT_EQ(gone.status, 401);
  EXPECT_EQ(json::parse(gone.body)["error"], "admin user student1 no longer exists: log in again");
}

// A session holds only while its password does: set again from the CLI's side (AccountStore, as
// `admin passwd` does), it ends the session at its next request; so does a user removed and made
// again under the same name. A role change keeps it.
TEST_F(AdminApi, ASessionEndsWhenItsPasswordIsSetAgainOrItsUserIsMadeAnew) {
  auth::AccountStore accounts(cluster_->db());
  auto l = login();
  ASSERT_TRUE(accounts.set_password("viewer2", "a viewer pw 2", auth::ScryptParams{10, 8, 1}, auth::Role::Viewer));
  ASSERT_TRUE(accounts.set_role("viewer2", auth::Role::Admin));  // another user's change: nothing to this session
  EXPECT_EQ(client().request("GET", "/api/v1/devices", "", with(l, false)).status, 200);
  EXPECT_EQ(client().request("GET", "/api/v1/session", "", with(l, false)).status, 200);

  ASSERT_TRUE(accounts.set_password("admin", kPassword, auth::ScryptParams{10, 8, 1}));  // the same password, set again
  auto ended = client().request("GET", "/api/v1/devices", "", with(l, false));
  EXPECT_EQ(ended.status, 401);
  EXPECT_EQ(json::parse(ended.body)["error"], "the password of admin was set since this session began: log in again");
  EXPECT_EQ(client().request("GET", "/api/v1/session", "", with(l, false)).status, 401);

  auto again = login();
  EXPECT_EQ(client().request("GET", "/api/v1/devices", "", with(again, false)).status, 200);
  ASSERT_TRUE(accounts.remove_user("admin"));  // viewer2, an admin now, keeps the site one
  ASSERT_TRUE(accounts.set_password("admin", kPassword, auth::ScryptParams{10, 8, 1}));
  auto made_anew = client().request("GET", "/api/v1/devices", "", with(again, false));
  EXPECT_EQ(made_anew.status, 401) << made_anew.body;
  EXPECT_EQ(login().cookie.empty(), false);  // the new user logs in afresh
}

// Wrong current passwords count with failed logins.
TEST_F(AdminApi, WrongCurrentPasswordsAreLimitedLikeLogins) {
  auto l = login();
  for (int i = 0; i < 3; ++i) {
    EXPECT_EQ(client().request("POST", "/api/v1/password", json{{"current", "guess"}, {"new", "a-new-one-1"}}.dump(), with(l)).status, 403);
  }
  auto limited = client().request("POST", "/api/v1/password", json{{"current", kPassword}, {"new", "a-new-one-1"}}.dump(), with(l));
  EXPECT_EQ(limited.status, 429);
  EXPECT_FALSE(limited.headers["retry-after"].empty());
  EXPECT_TRUE(*auth::AccountStore(cluster_->db()).check_password("admin", kPassword));
}

// curl, a real client, checks the certificate against tomcat.pem by name.
TEST_F(AdminApi, CurlVerifiesTheTomcatCertificateByName) {
  auto r = test::run(fmt::format("curl -sS --cacert {} https://localhost:{}/api/v1/setup", (dir_ / "pki" / "tomcat.pem").string(),
                                 server_->port()));
  EXPECT_EQ(r.rc, 0) << r.out;
  EXPECT_NE(r.out.find("password_set"), std::string::npos) << r.out;
  auto old = test::run(fmt::format("curl -sS --tls-max 1.1 -k https://127.0.0.1:{}/api/v1/setup", server_->port()));
  EXPECT_NE(old.rc, 0) << "TLS 1.1 was accepted: " << old.out;
}

}  // namespace
}  // namespace cucm::web
