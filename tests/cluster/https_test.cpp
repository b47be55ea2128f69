// HTTPS on 6971, started by cluster::Services beside HTTP, on ephemeral loopback ports: the same
// bytes as HTTP, a `.sgn` answered unsigned (PROTOCOLS §8.1), the EC certificate of pki/ as
// `openssl s_client` sees it, curl trusting the certificate taken from the ITL (names checked),
// and the limits HTTP has: a deadline for silent clients, a cap per address, garbage refused.
#include <sys/wait.h>
#include <unistd.h>

#include <array>
#include <cstdio>
#include <filesystem>

#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/write.hpp>
#include <gtest/gtest.h>

#include "cluster/services.hpp"
#include "core/file_io.hpp"
#include "db/device_store.hpp"
#include "db/settings_store.hpp"
#include "signer/cert.hpp"
#include "signer/cert_builder.hpp"
#include "signer/keys.hpp"
#include "signer/sgn_file.hpp"
#include "signer/trust_list.hpp"
#include "tests/support/shell.hpp"

namespace cucm::http {
namespace {
namespace fs = std::filesystem;
namespace asio = boost::asio;

using test::Run;
using test::run;

constexpr const char* kPlain = "SEP001122334455";      // no encrypted config: .sgn is the full config
constexpr const char* kEncrypted = "SEPA45630BBFA40";  // encrypted config, key on record: .sgn is partial

class Https : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    dir_ = fs::temp_directory_path() / ("cucm-https-" + std::to_string(::getpid()));
    fs::remove_all(dir_);
    cluster::Config cfg;
    cfg.build_workers = 1;
    cfg.events = false;
    auto c = cluster::Cluster::open(dir_, cfg);
    ASSERT_TRUE(c) << c.error().message;
    cluster_ = c->release();
    add(kPlain, "Cisco 7942 - Standard SCCP Non-Secure Profile");
    add(kEncrypted, "Cisco 7942 - Standard SCCP Encrypted Config");
    auto key = signer::generate_key({});
    signer::CertRequest req;
    req.subject = {{"CN", kEncrypted}};
    req.is_ca = false;
    auto cert = signer::make_self_signed(**key, req);
    db::RecordedCert rc{"MIC", signer::cert_der(**cert), *signer::public_key_spki_der(**key),
                        signer::cert_md5_hex(**cert), "", "", "", ""};
    ASSERT_TRUE(db::DeviceStore(cluster_->db()).record_certificate(kEncrypted, rc));
    fs::create_directories(dir_ / "static");
    Bytes load(200'000);
    for (std::size_t i = 0; i < load.size(); ++i) load[i] = static_cast<std::uint8_t>(i * 7 + i / 251);
    ASSERT_TRUE(write_file_atomic(dir_ / "static" / "load.bin", load));  // over what goes from memory

    auto sc = cluster::loopback_services();
    sc.tftp.reset();
    sc.capf.reset();
    sc.https->io_timeout = std::chrono::milliseconds(500);
    sc.https->max_per_address = 4;
    services_ = new cluster::Services(*cluster_, sc);
    auto st = services_->start();
    ASSERT_TRUE(st) << st.error().message;
  }
  static void TearDownTestSuite() {
    delete services_;
    delete cluster_;
    fs::remove_all(dir_);
  }
  static void add(const char* name, const char* profile) {
    db::Device d;
    d.name = name;
    d.product = "Cisco 7942";
    d.protocol = "SCCP";
    d.profile = profile;
    ASSERT_TRUE(db::DeviceStore(cluster_->db()).add(d));
  }

  static std::string port() { return std::to_string(services_->https_port()); }
  static std::string http_url(const std::string& name) {
    return "http://127.0.0.1:" + std::to_string(services_->http_port()) + "/" + name;
  }
  // -k: these tests compare bytes; the certificate is checked in its own test below.
  static Bytes over_https(const std::string& name) { return get("curl -sS -f -k https://127.0.0.1:" + port() + "/" + name, name); }
  static Bytes over_http(const std::string& name) { return get("curl -sS -f " + http_url(name), name); }
  static Bytes get(const std::string& curl, const std::string& name) {
    auto out = dir_ / ("got-" + std::to_string(++downloads_));
    auto r = run(curl + " -o " + out.string());
    EXPECT_EQ(r.rc, 0) << name << ": " << r.out;
    auto b = read_file(out);
    return b ? *b : Bytes{};
  }
  static Bytes payload_of_sgn(const Bytes& file) {
    auto parsed = signer::parse_sgn(file);
    EXPECT_TRUE(parsed) << parsed.error().message;
    if (!parsed) return {};
    auto body = signer::sgn_payload(file, *parsed);
    return Bytes(body.begin(), body.end());
  }

  static inline fs::path dir_;
  static inline cluster::Cluster* cluster_ = nullptr;
  static inline cluster::Services* services_ = nullptr;
  static inline int downloads_ = 0;
};

TEST_F(Https, ServesTheSameBytesAsHttp) {
  for (const char* name : {"ITLFile.tlv", "ITLSEP001122334455.tlv", "XMLDefault.cnf.xml", "SEP001122334455.cnf.xml",
                           "SEPA45630BBFA40.cnf.xml.enc.sgn", "load.bin"}) {
    Bytes want = over_http(name);
    ASSERT_FALSE(want.empty()) << name;
    EXPECT_EQ(over_https(name), want) << name;
  }
  // Not found is not found on both.
  EXPECT_EQ(run("curl -s -k -o /dev/null -w '%{http_code}' https://127.0.0.1:" + port() + "/nope.bin").out, "404");
}

// PROTOCOLS §8.1: the phone asks 6971 for its .sgn and must get the unsigned file: the same
// config the signed one carries, full or partial (encrypted config keeps its flow: the partial
// has certHash, the .enc.sgn is untouched above).
TEST_F(Https, AnSgnRequestIsAnsweredWithTheUnsignedFile) {
  Bytes signed_full = over_http("SEP001122334455.cnf.xml.sgn");
  Bytes unsigned_full = over_https("SEP001122334455.cnf.xml.sgn");
  EXPECT_EQ(unsigned_full, payload_of_sgn(signed_full));
  EXPECT_EQ(unsigned_full, over_http("SEP001122334455.cnf.xml"));
  EXPECT_EQ(std::string(as_chars(unsigned_full)).rfind("<?xml", 0), 0u);

  Bytes partial = over_https("SEPA45630BBFA40.cnf.xml.sgn");
  EXPECT_EQ(partial, payload_of_sgn(over_http("SEPA45630BBFA40.cnf.xml.sgn")));
  EXPECT_NE(std::string(as_chars(partial)).find("<certHash>"), std::string::npos);
  EXPECT_EQ(over_https("XMLDefault.cnf.xml.sgn"), over_http("XMLDefault.cnf.xml"));
}

// The server certificate is the https identity of pki/, EC P-256, as openssl sees it.
TEST_F(Https, OpensslSeesTheEcCertificateOfPki) {
  auto r = run("openssl s_client -connect 127.0.0.1:" + port() + " </dev/null 2>/dev/null | openssl x509 -outform PEM");
  ASSERT_EQ(r.rc, 0) << r.out;
  const auto& https = cluster_->pki().identity(signer::PkiRole::Https);
  EXPECT_EQ(r.out, std::string(as_chars(signer::cert_pem(*https.cert))));
  EXPECT_EQ(*read_file(dir_ / "pki" / "https.pem"), signer::cert_pem(*https.cert));
  auto key = run("openssl s_client -connect 127.0.0.1:" + port() + " </dev/null 2>&1 | grep -i 'Server public key'");
  EXPECT_NE(key.out.find("256 bit"), std::string::npos) << key.out;
  auto text = run("openssl x509 -noout -text -in " + (dir_ / "pki" / "https.pem").string());
  EXPECT_NE(text.out.find("id-ecPublicKey"), std::string::npos) << text.out;
  EXPECT_NE(text.out.find("DNS:localhost"), std::string::npos) << text.out;
}

// A lab's curl trusts the certificate the ITL lists as TFTP, and checks the name it connects to.
TEST_F(Https, CurlTrustsTheCertificateFromTheItl) {
  Bytes itl = over_http("ITLFile.tlv");
  auto list = signer::parse_trust_list(itl);
  ASSERT_TRUE(list) << list.error().message;
  std::optional<Bytes> tftp_ec;
  for (const auto& rec : list->records) {
    if (rec.role != static_cast<std::uint16_t>(signer::Role::Tftp)) continue;
    auto cert = signer::load_cert(rec.certificate);
    ASSERT_TRUE(cert);
    tftp_ec = signer::cert_pem(**cert);
  }
  ASSERT_TRUE(tftp_ec) << "no TFTP record in the ITL";
  auto ca = dir_ / "itl-https.pem";
  ASSERT_TRUE(write_file_atomic(ca, *tftp_ec));
  for (const char* host : {"localhost", "127.0.0.1"}) {
    auto out = dir_ / (std::string("curl-") + host);
    auto r = run("curl -sS -f --cacert " + ca.string() + " -o " + out.string() + " https://" + host + ":" + port() +
                 "/SEP001122334455.cnf.xml.sgn");
    EXPECT_EQ(r.rc, 0) << host << ": " << r.out;
    EXPECT_EQ(*read_file(out), over_http("SEP001122334455.cnf.xml")) << host;
  }
  // Another certificate (CallManager's) is not the server's: curl refuses.
  auto cm = dir_ / "callmanager-as-ca.pem";
  ASSERT_TRUE(write_file_atomic(cm, signer::cert_pem(*cluster_->pki().identity(signer::PkiRole::CallManager).cert)));
  EXPECT_NE(run("curl -sS -f --cacert " + cm.string() + " -o /dev/null https://localhost:" + port() + "/ITLFile.tlv").rc, 0);
}

// As HTTP: a client that says nothing is closed at the deadline, one that speaks no TLS is
// dropped, one address holds at most its cap, and others are served meanwhile.
TEST_F(Https, SilentGarbageAndGreedyClientsDoNotBlockOthers) {
  asio::io_context io;
  asio::ip::tcp::endpoint server(asio::ip::make_address("127.0.0.1"), services_->https_port());
  asio::ip::tcp::socket garbage(io);
  garbage.connect(server);
  asio::write(garbage, asio::buffer(std::string("GET / HTTP/1.1\r\nHost: x\r\n\r\n")));  // plain HTTP to TLS
  std::vector<asio::ip::tcp::socket> silent;
  for (int i = 0; i < 4; ++i) {  // the cap of 4 for 127.0.0.2
    silent.emplace_back(io);
    silent.back().open(asio::ip::tcp::v4());
    silent.back().bind(asio::ip::tcp::endpoint(asio::ip::make_address("127.0.0.2"), 0));
    silent.back().connect(server);
  }
  asio::ip::tcp::socket over_cap(io);
  over_cap.open(asio::ip::tcp::v4());
  over_cap.bind(asio::ip::tcp::endpoint(asio::ip::make_address("127.0.0.2"), 0));
  over_cap.connect(server);
  EXPECT_EQ(run("curl -s -k -o /dev/null -w '%{http_code}' https://127.0.0.1:" + port() + "/ITLFile.tlv").out, "200");
  std::array<char, 512> buf{};
  boost::system::error_code ec;
  over_cap.read_some(asio::buffer(buf), ec);  // closed at once, unanswered
  EXPECT_TRUE(ec == asio::error::eof || ec == asio::error::connection_reset) << ec.message();
  std::size_t n = garbage.read_some(asio::buffer(buf), ec);
  EXPECT_TRUE(ec == asio::error::eof || ec == asio::error::connection_reset || n > 0) << ec.message();
  auto t0 = std::chrono::steady_clock::now();
  for (auto& s : silent) {
    s.read_some(asio::buffer(buf), ec);  // the 500 ms deadline closes them
    EXPECT_TRUE(ec == asio::error::eof || ec == asio::error::connection_reset) << ec.message();
  }
  EXPECT_LT(std::chrono::steady_clock::now() - t0, std::chrono::seconds(3));
  EXPECT_GE(services_->https()->stats().handshake_failed.load(), 1u);
  EXPECT_GE(services_->https()->stats().refused.load(), 1u);
}

}  // namespace
}  // namespace cucm::http
