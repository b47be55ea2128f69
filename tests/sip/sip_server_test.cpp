// The SIP server on loopback, driven by independent clients: sipsak (UDP, TCP, TLS without a
// client certificate, digest), openssl s_client with a REGISTER and the certificate under test
// (good LSC, MIC, wrong CN, expired, another CA), and raw sockets for the bad input (missing
// headers, a wrong Content-Length, 100 KB of headers, a silent TLS peer) while others are served.
#include <unistd.h>

#include <array>
#include <filesystem>
#include <fstream>

#include <boost/asio/connect.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ip/udp.hpp>
#include <boost/asio/read.hpp>
#include <boost/asio/write.hpp>
#include <gtest/gtest.h>

#include "cluster/services.hpp"
#include "cluster/trust_stores.hpp"
#include "core/file_io.hpp"
#include "db/device_store.hpp"
#include "db/event_log.hpp"
#include "db/sip_store.hpp"
#include "signer/cert.hpp"
#include "signer/cert_builder.hpp"
#include "signer/keys.hpp"
#include "signer/lsc.hpp"
#include "sip/proto/builder.hpp"
#include "tests/support/shell.hpp"

namespace cucm::sip {
namespace {
namespace fs = std::filesystem;
namespace asio = boost::asio;

constexpr const char* kPlain = "SEP001122334455";   // non-secure, line 1001
constexpr const char* kSecure = "SEP00112233AABB";  // encrypted profile, line 2001
constexpr const char* kDigest = "SEP0011223344CC";  // non-secure, line 3001 with a password

class SipServerTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    dir_ = fs::temp_directory_path() / ("cucm-sip-" + std::to_string(::getpid()));
    fs::remove_all(dir_);
    auto c = cluster::Cluster::open(dir_);
    ASSERT_TRUE(c) << c.error().message;
    cluster_ = c->release();
    add_device(kPlain, "Cisco 8845 - Standard SIP Non-Secure Profile", {"1001"});
    add_device(kSecure, "Cisco 8845 - Standard SIP Encrypted Config", {"2001"});
    add_device(kDigest, "Cisco 8845 - Standard SIP Non-Secure Profile", {"3001", "u3001", "secret"});
    make_certificates();
    cluster::ServicesConfig sc;
    sc.sip.emplace();
    sc.sip->address = "127.0.0.1";
    sc.sip->tls_port = 0;
    sc.sip->port = 0;
    sc.sip->io_timeout = std::chrono::milliseconds(500);
    // s_client -quiet reads until the server closes: a quiet connection is closed soon after.
    sc.sip->idle_timeout = std::chrono::milliseconds(300);
    services_ = new cluster::Services(*cluster_, sc);
    auto st = services_->start();
    ASSERT_TRUE(st) << st.error().message;
  }
  static void TearDownTestSuite() {
    delete services_;
    delete cluster_;
    fs::remove_all(dir_);
  }

  static void add_device(const char* name, const char* profile, std::array<const char*, 3> line) {
    db::Device d;
    d.name = name;
    d.product = "Cisco 8845";
    d.protocol = "SIP";
    d.profile = profile;
    db::Line l;
    l.directory_number = line[0];
    l.auth_name = line[1] ? line[1] : "";
    l.auth_password = line[2] ? line[2] : "";
    d.lines.push_back(l);
    auto st = db::DeviceStore(cluster_->db()).add(d);
    ASSERT_TRUE(st) << st.error().message;
  }

  static void write_pem(const std::string& name, const X509& cert, EVP_PKEY& key) {
    ASSERT_TRUE(write_file_atomic(dir_ / (name + ".pem"), signer::cert_pem(cert)));
    auto k = signer::private_key_pem(key);
    ASSERT_TRUE(k);
    ASSERT_TRUE(write_file_atomic(dir_ / (name + ".key"), *k));
  }

  // LSCs issued by the cluster's CAPF (good, wrong CN, expired), a MIC issued by a manufacturer
  // CA put in CAPF-trust, and a certificate from a CA of no cluster.
  static void make_certificates() {
    const auto& capf = cluster_->pki().identity(signer::PkiRole::Capf);
    auto key = signer::generate_key({});
    ASSERT_TRUE(key);
    auto issue = [&](const std::string& name, const std::string& cn, std::time_t from, int days) {
      std::array<std::uint8_t, 16> serial{1, static_cast<std::uint8_t>(name.size())};
      auto lsc = signer::issue_lsc(cn, **key, *capf.cert, *capf.key, days, from, serial);
      ASSERT_TRUE(lsc) << lsc.error().message;
      write_pem(name, **lsc, **key);
    };
    std::time_t now = std::time(nullptr);
    issue("lsc", kSecure, now - 60, 365);
    issue("wrong-cn", "SEP0011223344FF", now - 60, 365);
    issue("expired", kSecure, now - 3 * 86400, 1);
    auto ca_key = signer::generate_key({});
    ASSERT_TRUE(ca_key);
    signer::CertRequest ca_req;
    ca_req.subject = {{"CN", "Lab Manufacturing Test CA"}};
    auto ca = signer::make_self_signed(**ca_key, ca_req);
    ASSERT_TRUE(ca);
    ASSERT_TRUE(cluster::add_trusted(cluster_->db(), cluster::TrustStore::Capf, signer::cert_pem(**ca)));
    signer::CertRequest mic_req;
    mic_req.subject = {{"CN", std::string("CP-8845-") + kSecure}};
    mic_req.is_ca = false;
    auto mic = signer::issue_cert(**key, mic_req, **ca, **ca_key);
    ASSERT_TRUE(mic);
    write_pem("mic", **mic, **key);
    auto stranger_key = signer::generate_key({});
    signer::CertRequest stranger_req;
    stranger_req.subject = {{"CN", "Stranger CA"}};
    auto stranger = signer::make_self_signed(**stranger_key, stranger_req);
    ASSERT_TRUE(stranger);
    mic_req.subject = {{"CN", kSecure}};
    auto other = signer::issue_cert(**key, mic_req, **stranger, **stranger_key);
    ASSERT_TRUE(other);
    write_pem("other-ca", **other, **key);
  }

  static std::string udp_port() { return std::to_string(services_->sip_port()); }
  static std::string tls_port() { return std::to_string(services_->sip_tls_port()); }

  // REGISTER of `dn` over TLS by openssl s_client presenting `cert` (no certificate when empty).
  static test::Run s_client_register(const std::string& dn, const std::string& cert) {
    RequestSpec r;
    r.uri = "sip:127.0.0.1:" + tls_port() + ";transport=tls";
    r.via_host = "127.0.0.1:5061";
    r.branch = "z9hG4bK" + dn + cert;
    r.from_uri = r.to_uri = "sip:" + dn + "@127.0.0.1";
    r.from_tag = "f1";
    r.call_id = "s-client-" + cert + "@127.0.0.1";
    r.contact = "<sip:" + dn + "@127.0.0.1:5061;transport=tls>";
    r.expires = 600;
    fs::path req = dir_ / ("register-" + dn + "-" + cert + ".txt");
    EXPECT_TRUE(write_file_atomic(req, to_bytes(build_request(r))));
    std::string auth = cert.empty() ? "" : " -cert " + (dir_ / (cert + ".pem")).string() + " -key " + (dir_ / (cert + ".key")).string();
    return test::run("timeout 20 openssl s_client -quiet -connect 127.0.0.1:" + tls_port() + auth + " < " + req.string());
  }

  static std::vector<db::SipRegistration> registrations(const std::string& device) {
    auto r = db::SipStore(cluster_->db()).registrations(std::time(nullptr), device);
    EXPECT_TRUE(r) << r.error().message;
    return r ? *r : std::vector<db::SipRegistration>{};
  }

  static std::string last_sip_event() {
    cluster_->events()->flush();
    auto events = db::EventLog(cluster_->db()).tail("", 50);
    std::string last;
    if (events) {
      for (const auto& e : *events) {
        if (e.service == "sip") last = e.what + " [" + e.result + "]";
      }
    }
    return last;
  }

  static inline fs::path dir_;
  static inline cluster::Cluster* cluster_ = nullptr;
  static inline cluster::Services* services_ = nullptr;
};

TEST_F(SipServerTest, SipsakRegistersANonSecureLineOverUdpAndTcp) {
  auto udp = test::run("sipsak -U -i -s sip:1001@127.0.0.1:" + udp_port());
  EXPECT_EQ(udp.rc, 0) << udp.out;
  auto tcp = test::run("sipsak -U -i -E tcp -s sip:1001@127.0.0.1:" + udp_port());
  EXPECT_EQ(tcp.rc, 0) << tcp.out;
  auto regs = registrations(kPlain);
  ASSERT_EQ(regs.size(), 1u);
  EXPECT_EQ(regs[0].transport, "tcp");
  EXPECT_EQ(regs[0].directory_number, "1001");
}

TEST_F(SipServerTest, SipsakAuthenticatesWithDigestAndAWrongPasswordIsRefused) {
  auto good = test::run("sipsak -U -i -u u3001 -a secret -s sip:3001@127.0.0.1:" + udp_port());
  EXPECT_EQ(good.rc, 0) << good.out;
  EXPECT_EQ(registrations(kDigest).size(), 1u);
  auto bad = test::run("sipsak -U -i -vv -u u3001 -a wrong -s sip:3001@127.0.0.1:" + udp_port());
  EXPECT_NE(bad.rc, 0);
  EXPECT_NE(bad.out.find("403 Forbidden (bad credentials)"), std::string::npos) << bad.out;
}

TEST_F(SipServerTest, AnEncryptedProfileIsRefusedOverUdpAndOverTlsWithoutACertificate) {
  auto udp = test::run("sipsak -U -i -vv -s sip:2001@127.0.0.1:" + udp_port());
  EXPECT_NE(udp.rc, 0);
  EXPECT_NE(udp.out.find("403 Forbidden (TLS required)"), std::string::npos) << udp.out;
  EXPECT_NE(last_sip_event().find("must register over TLS"), std::string::npos) << last_sip_event();
  // sipsak 0.9.8.1 (Debian's GnuTLS build) takes --tls-client-cert but never loads it: over TLS
  // it is the client without a certificate.
  auto tls = test::run("sipsak -U -i -vv -E tls --tls-ignore-cert-failure -s sip:2001@127.0.0.1:" + tls_port());
  EXPECT_NE(tls.rc, 0);
  EXPECT_NE(tls.out.find("403 Forbidden (no client certificate)"), std::string::npos) << tls.out;
  auto s = s_client_register("2001", "");
  EXPECT_NE(s.out.find("SIP/2.0 403 Forbidden (no client certificate)"), std::string::npos) << s.out;
  EXPECT_TRUE(registrations(kSecure).empty());
}

TEST_F(SipServerTest, OpensslWithTheLscOrMicRegistersAndEveryBadCertificateIsRefused) {
  struct Case {
    const char* cert;
    const char* answer;
  };
  for (Case c : {Case{"wrong-cn", "SIP/2.0 403 Forbidden (certificate CN)"},
                 Case{"expired", "SIP/2.0 403 Forbidden (certificate expired)"},
                 Case{"other-ca", "SIP/2.0 403 Forbidden (certificate not trusted)"}}) {
    auto r = s_client_register("2001", c.cert);
    EXPECT_NE(r.out.find(c.answer), std::string::npos) << c.cert << ": " << r.out;
  }
  EXPECT_TRUE(registrations(kSecure).empty());
  auto mic = s_client_register("2001", "mic");
  EXPECT_NE(mic.out.find("SIP/2.0 200 OK"), std::string::npos) << mic.out;
  ASSERT_EQ(registrations(kSecure).size(), 1u);
  EXPECT_EQ(registrations(kSecure)[0].cert_type, "MIC");
  auto lsc = s_client_register("2001", "lsc");
  EXPECT_NE(lsc.out.find("SIP/2.0 200 OK"), std::string::npos) << lsc.out;
  EXPECT_NE(lsc.out.find("expires=600"), std::string::npos) << lsc.out;
  auto regs = registrations(kSecure);
  ASSERT_EQ(regs.size(), 1u);
  EXPECT_EQ(regs[0].cert_type, "LSC");
  EXPECT_EQ(regs[0].transport, "tls");
  EXPECT_NE(last_sip_event().find("with its LSC"), std::string::npos) << last_sip_event();
}

// Raw UDP datagrams: what cannot be answered properly gets a bare 400 naming the problem.
TEST_F(SipServerTest, MissingHeadersAndAWrongContentLengthGet400OverUdp) {
  asio::io_context io;
  asio::ip::udp::socket s(io, asio::ip::udp::endpoint(asio::ip::make_address("127.0.0.1"), 0));
  asio::ip::udp::endpoint server(asio::ip::make_address("127.0.0.1"), services_->sip_port());
  RequestSpec r;
  r.method = "OPTIONS";
  r.uri = "sip:127.0.0.1";
  r.via_host = "127.0.0.1:1";
  r.branch = "z9hG4bKraw";
  r.from_uri = r.to_uri = "sip:probe@127.0.0.1";
  r.from_tag = "1";
  r.call_id = "raw@127.0.0.1";
  std::string ok = build_request(r);
  std::string no_call_id = ok;
  no_call_id.erase(no_call_id.find("Call-ID:"), no_call_id.find("\r\n", no_call_id.find("Call-ID:")) + 2 - no_call_id.find("Call-ID:"));
  std::string long_body = ok;
  long_body.replace(long_body.find("Content-Length: 0"), 17, "Content-Length: 40");
  std::array<char, 4096> buf{};
  for (auto [msg, expect] : {std::pair{ok, std::string("SIP/2.0 200 OK")},
                             std::pair{no_call_id, std::string("400 Bad Request\r\nWarning: 399 cucm-emu \"sip: missing Call-ID header\"")},
                             std::pair{long_body, std::string("Content-Length 40 vs 0 bytes of body")}}) {
    s.send_to(asio::buffer(msg), server);
    boost::system::error_code ec;
    std::size_t n = s.receive(asio::buffer(buf), 0, ec);
    ASSERT_FALSE(ec) << ec.message();
    EXPECT_NE(std::string(buf.data(), n).find(expect), std::string::npos) << std::string(buf.data(), n);
  }
}

// 100 KB of headers and a silent TLS peer: each closed, the registrar serving others meanwhile.
TEST_F(SipServerTest, EndlessHeadersAndASilentTlsPeerAreClosedWhileOthersAreServed) {
  asio::io_context io;
  asio::ip::tcp::endpoint tls(asio::ip::make_address("127.0.0.1"), services_->sip_tls_port());
  asio::ip::tcp::endpoint tcp(asio::ip::make_address("127.0.0.1"), services_->sip_port());
  asio::ip::tcp::socket silent(io), flood(io), exact(io);
  silent.connect(tls);
  flood.connect(tcp);
  exact.connect(tcp);
  std::uint64_t malformed = services_->sip()->stats().malformed;
  boost::system::error_code ec;
  asio::write(flood, asio::buffer("REGISTER sip:x SIP/2.0\r\nX-Long: " + std::string(100 * 1024, 'a')), ec);
  // Exactly past the limit, all of it read by the server before it answers: the 400 arrives
  // before the close (bytes left unread would make the kernel reset the connection instead).
  asio::write(exact, asio::buffer("OPTIONS sip:x SIP/2.0\r\nX-Long: " + std::string(17 * 1024, 'a')));
  auto good = test::run("sipsak -U -i -s sip:1001@127.0.0.1:" + udp_port());
  EXPECT_EQ(good.rc, 0) << good.out;
  std::string answer;
  std::array<char, 1024> buf{};
  for (;;) {
    std::size_t n = exact.read_some(asio::buffer(buf), ec);
    if (ec) break;
    answer.append(buf.data(), n);
  }
  EXPECT_EQ(ec, asio::error::eof) << ec.message();
  EXPECT_NE(answer.find("SIP/2.0 400 Bad Request"), std::string::npos) << answer;
  EXPECT_NE(answer.find("headers past 16384 bytes"), std::string::npos) << answer;
  // Each ends by the server's hand (a blocking read: the test's timeout bounds a server that
  // would not close).
  for (auto* s : {&flood, &silent}) {
    boost::system::error_code end;
    while (!end) s->read_some(asio::buffer(buf), end);
    EXPECT_TRUE(end == asio::error::eof || end == asio::error::connection_reset) << end.message();
  }
  EXPECT_GE(services_->sip()->stats().malformed, malformed + 2);
}

}  // namespace
}  // namespace cucm::sip
