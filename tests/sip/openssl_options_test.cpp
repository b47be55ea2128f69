// The SIP TLS port as a client that is not ours sees it: Debian's `openssl s_client` presents a
// certificate made by `openssl req` and writes an OPTIONS. A certificate in CallManager-trust whose
// CN a trunk names is answered 200; one not in CallManager-trust, or named by no trunk, 403.
#include <unistd.h>

#include <filesystem>

#include <gtest/gtest.h>

#include "cluster/services.hpp"
#include "cluster/trust_stores.hpp"
#include "core/file_io.hpp"
#include "db/sip_store.hpp"
#include "sip/proto/builder.hpp"
#include "tests/support/shell.hpp"

namespace cucm::sip {
namespace {
namespace fs = std::filesystem;

class OpensslOptions : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    dir_ = fs::temp_directory_path() / ("cucm-sip-openssl-" + std::to_string(::getpid()));
    fs::remove_all(dir_);
    fs::create_directories(dir_);
    cluster::Config cfg;
    cfg.events = false;
    cfg.build_workers = 1;
    auto c = cluster::Cluster::open(dir_ / "data", cfg);
    ASSERT_TRUE(c) << c.error().message;
    cluster_ = c->release();
    for (const char* cn : {"gw-trusted.example.com", "gw-untrusted.example.com", "gw-unnamed.example.com"}) make_cert(cn);
    // Trust is read at start: before it.
    for (const char* cn : {"gw-trusted.example.com", "gw-unnamed.example.com"}) {
      auto pem = read_file(dir_ / (std::string(cn) + ".pem"));
      ASSERT_TRUE(pem);
      auto added = cluster::add_trusted(cluster_->db(), cluster::TrustStore::CallManager, *pem, "test");
      ASSERT_TRUE(added) << added.error().message;
    }
    db::SipTrunk t{"gateways", "", "127.0.0.1", 5061, {"gw-trusted.example.com", "gw-untrusted.example.com"}, 5061};
    ASSERT_TRUE(db::SipStore(cluster_->db()).add_trunk(t));
    cluster::ServicesConfig sc;
    sc.sip = cluster::loopback_services().sip;
    sc.sip->plain = false;
    // s_client -quiet keeps reading after its input ends: the server's idle deadline ends the
    // connection once the answer is out, and with it s_client.
    sc.sip->io_timeout = std::chrono::milliseconds(2000);
    sc.sip->idle_timeout = std::chrono::milliseconds(200);
    services_ = new cluster::Services(*cluster_, sc);
    auto st = services_->start();
    ASSERT_TRUE(st) << st.error().message;
  }
  static void TearDownTestSuite() {
    delete services_;
    delete cluster_;
    fs::remove_all(dir_);
  }

  static void make_cert(const std::string& cn) {
    auto r = test::run("openssl req -x509 -newkey rsa:2048 -nodes -days 30 -subj /CN=" + cn + " -keyout " + path(cn + ".key") +
                       " -out " + path(cn + ".pem"));
    ASSERT_EQ(r.rc, 0) << r.out;
  }
  static std::string path(const std::string& name) { return (dir_ / name).string(); }

  // What s_client prints after writing an OPTIONS with the certificate of `cn`.
  static test::Run options_with(const std::string& cn) {
    RequestSpec r;
    r.method = "OPTIONS";
    r.uri = "sip:127.0.0.1;transport=tls";
    r.via_host = "127.0.0.1:5061";
    r.branch = "z9hG4bK" + std::to_string(::getpid());
    r.from_uri = "sip:" + cn;
    r.from_tag = "1";
    r.to_uri = "sip:127.0.0.1";
    r.call_id = "openssl-" + cn;
    r.user_agent = "openssl s_client";
    EXPECT_TRUE(write_file_atomic(dir_ / "options.txt", as_bytes(build_request(r))));
    // `timeout`: a server that never closed would otherwise hang the test, not fail it.
    return test::run("timeout 20 openssl s_client -connect 127.0.0.1:" + std::to_string(services_->sip_tls_port()) +
                     " -cert " + path(cn + ".pem") + " -key " + path(cn + ".key") + " -quiet < " + path("options.txt"));
  }

  static inline fs::path dir_;
  static inline cluster::Cluster* cluster_ = nullptr;
  static inline cluster::Services* services_ = nullptr;
};

TEST_F(OpensslOptions, ACertificateTrustedAndNamedByATrunkIsAnswered200) {
  auto r = options_with("gw-trusted.example.com");
  EXPECT_NE(r.out.find("SIP/2.0 200 OK"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("Call-ID: openssl-gw-trusted.example.com"), std::string::npos) << r.out;
}

TEST_F(OpensslOptions, ACertificateNotInCallManagerTrustIsAnswered403) {
  auto r = options_with("gw-untrusted.example.com");
  EXPECT_NE(r.out.find("SIP/2.0 403 Forbidden (certificate not trusted)"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("Warning: 399 cucm-emu"), std::string::npos) << r.out;
}

TEST_F(OpensslOptions, ACertificateNamedByNoTrunkIsAnswered403) {
  auto r = options_with("gw-unnamed.example.com");
  EXPECT_NE(r.out.find("SIP/2.0 403 Forbidden (X.509 subject name)"), std::string::npos) << r.out;
}

}  // namespace
}  // namespace cucm::sip
