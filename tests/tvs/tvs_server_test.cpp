// TVS over real TLS on a loopback port, driven by the phone-side client and by raw TLS: known
// certificates with their roles and TTL, unknown ones, the TLS floor, malformed and silent clients
// (closed without a reply while others are served), the event of every query, openssl s_client,
// and the armed TVS faults (issue 18) as a phone meets them.
#include <unistd.h>

#include <array>
#include <cstdio>
#include <filesystem>

#include <boost/asio/connect.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/read.hpp>
#include <boost/asio/ssl.hpp>
#include <boost/asio/write.hpp>
#include <gtest/gtest.h>

#include "cluster/services.hpp"
#include "core/encoding.hpp"
#include "db/device_store.hpp"
#include "db/event_log.hpp"
#include "fault/board.hpp"
#include "fault/store.hpp"
#include "phone/tvs_client.hpp"
#include "signer/cert.hpp"
#include "signer/cert_builder.hpp"
#include "signer/keys.hpp"
#include "tvs/trust.hpp"

namespace cucm::tvs {
namespace {
namespace fs = std::filesystem;
namespace asio = boost::asio;

constexpr const char* kDevice = "CP-8845-SEP0011223344AB";

class TvsServerTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    dir_ = fs::temp_directory_path() / ("cucm-tvs-" + std::to_string(::getpid()));
    fs::remove_all(dir_);
    cluster::Config cfg;
    cfg.faults = true;  // the armed-fault tests; nothing is armed for the others
    auto c = cluster::Cluster::open(dir_, cfg);
    ASSERT_TRUE(c) << c.error().message;
    cluster_ = c->release();
    services_ = start(cluster::ServicesConfig{}, "1.2");
    ASSERT_NE(services_, nullptr);
  }
  static void TearDownTestSuite() {
    delete services_;
    delete cluster_;
    fs::remove_all(dir_);
  }

  // TVS alone on an ephemeral loopback port, with a short deadline for the silent-client test.
  static cluster::Services* start(cluster::ServicesConfig sc, const std::string& tls_min) {
    sc.tvs.emplace();
    sc.tvs->address = "127.0.0.1";
    sc.tvs->port = 0;
    sc.tvs->io_timeout = std::chrono::milliseconds(400);
    sc.tvs->tls_min = tls_min;
    auto* s = new cluster::Services(*cluster_, sc);
    auto st = s->start();
    EXPECT_TRUE(st) << st.error().message;
    return st ? s : (delete s, nullptr);
  }

  static const X509& tvs_cert() { return *cluster_->pki().identity(signer::PkiRole::Tvs).cert; }
  static phone::TvsClientOptions opts(std::uint16_t port = 0) {
    phone::TvsClientOptions o;
    o.port = port ? port : services_->tvs_port();
    o.timeout = std::chrono::milliseconds(5000);
    o.trusted_tvs = {&tvs_cert()};
    return o;
  }
  static signer::X509Ptr new_cert(const std::string& cn) {
    auto key = signer::generate_key({});
    signer::CertRequest r;
    r.subject = {{"CN", cn}};
    return std::move(*signer::make_self_signed(**key, r));
  }

  // Sends `bytes` over TLS and returns what comes back before the server closes.
  static Result<Bytes> raw_exchange(ByteView bytes) {
    asio::io_context io;
    asio::ssl::context tls(asio::ssl::context::tls_client);
    asio::ssl::stream<asio::ip::tcp::socket> s(io, tls);
    boost::system::error_code ec;
    s.next_layer().connect({asio::ip::make_address("127.0.0.1"), services_->tvs_port()}, ec);
    if (!ec) s.handshake(asio::ssl::stream_base::client, ec);
    if (ec) return make_error(Errc::Unavailable, ec.message());
    if (!bytes.empty()) asio::write(s, asio::buffer(bytes.data(), bytes.size()), ec);
    Bytes got;
    std::array<std::uint8_t, 256> buf{};
    for (;;) {
      std::size_t n = s.read_some(asio::buffer(buf), ec);
      got.insert(got.end(), buf.begin(), buf.begin() + static_cast<std::ptrdiff_t>(n));
      if (ec) break;
    }
    return got;
  }

  // Arms `fault` once for `device` (added if it is not known) and makes the server see it now.
  static void arm(const std::string& fault, const std::string& device) {
    if (!db::DeviceStore(cluster_->db()).get(device)) {
      db::Device d;
      d.name = device;
      d.product = "Cisco 7942";
      d.protocol = "SCCP";
      d.profile = "Cisco 7942 - Standard SCCP Encrypted Config";
      auto added = db::DeviceStore(cluster_->db()).add(d);
      ASSERT_TRUE(added) << added.error().message;
    }
    fault::ArmRequest r;
    r.fault = fault;
    r.device = device;
    r.count = 1;
    auto armed = fault::FaultStore(cluster_->db()).arm(r, std::chrono::system_clock::now());
    ASSERT_TRUE(armed) << armed.error().message;
    cluster_->faults()->refresh();
  }
  // The device's TVS events whose result names `marker`.
  static long events_with(const std::string& device, const std::string& marker) {
    cluster_->events()->flush();
    auto events = db::EventLog(cluster_->db()).tail(device, 50);
    EXPECT_TRUE(events) << events.error().message;
    if (!events) return 0;
    return std::count_if(events->begin(), events->end(), [&](const db::Event& e) {
      return e.service == "tvs" && e.result.find(marker) != std::string::npos;
    });
  }
  static Bytes ccm_der() { return signer::cert_der(*cluster_->pki().identity(signer::PkiRole::CallManager).cert); }

  static inline fs::path dir_;
  static inline cluster::Cluster* cluster_ = nullptr;
  static inline cluster::Services* services_ = nullptr;
};

TEST_F(TvsServerTest, EachClusterCertificateIsValidWithItsRole) {
  struct Want {
    signer::PkiRole role;
    std::uint8_t code;
  };
  std::uint32_t sid = 100;
  for (auto w : {Want{signer::PkiRole::CallManager, 2}, Want{signer::PkiRole::ItlRecovery, 0},
                 Want{signer::PkiRole::Capf, 4}, Want{signer::PkiRole::Tvs, 21}, Want{signer::PkiRole::Https, 3}}) {
    auto o = opts();
    o.sid = ++sid;
    auto a = phone::ask_tvs(kDevice, signer::cert_der(*cluster_->pki().identity(w.role).cert), o);
    ASSERT_TRUE(a) << a.error().message;
    EXPECT_TRUE(a->valid());
    EXPECT_EQ(a->response.roles, std::vector<std::uint8_t>{w.code});
    EXPECT_EQ(a->response.ttl, kDefaultTtl);
    EXPECT_EQ(a->response.sid, sid);
  }
}

TEST_F(TvsServerTest, AnAdminsCertificateAnswersWithItsRolesAndTtl) {
  auto c = new_cert("directory.lab");
  auto row = trust_row(*c, {signer::Role::AppServer}, 600, "admin");
  ASSERT_TRUE(row);
  ASSERT_TRUE(db::TrustStore(cluster_->db()).put(*row));
  auto a = phone::ask_tvs(kDevice, signer::cert_der(*c), opts());  // seen at once: no restart
  ASSERT_TRUE(a) << a.error().message;
  EXPECT_TRUE(a->has_role(7));
  EXPECT_EQ(a->response.ttl, 600u);
  ASSERT_TRUE(db::TrustStore(cluster_->db()).remove(row->sha256));
  auto after = phone::ask_tvs(kDevice, signer::cert_der(*c), opts());
  ASSERT_TRUE(after);
  EXPECT_FALSE(after->valid());
}

TEST_F(TvsServerTest, AnUnknownCertificateIsInvalid) {
  auto a = phone::ask_tvs(kDevice, signer::cert_der(*new_cert("stranger")), opts());
  ASSERT_TRUE(a) << a.error().message;
  EXPECT_FALSE(a->valid());
  EXPECT_TRUE(a->response.roles.empty());
}

TEST_F(TvsServerTest, APhoneRefusesAServerThatIsNotTheTvsOfItsItl) {
  auto other = new_cert("TVS-elsewhere");
  auto o = opts();
  o.trusted_tvs = {other.get()};
  auto a = phone::ask_tvs(kDevice, signer::cert_der(tvs_cert()), o);
  ASSERT_FALSE(a);
  EXPECT_EQ(a.error().code, Errc::Unauthenticated);
}

TEST_F(TvsServerTest, MalformedRequestsGetNoReplyAndOthersAreServed) {
  Bytes good = encode_verify_request({9, kDevice, signer::cert_der(tvs_cert())});
  Bytes wrong_id = good;
  wrong_id[0] = 0x55;
  Bytes wrong_version = good;
  wrong_version[1] = 2;
  Bytes past_the_data = good;
  // One more byte after the Certificate: an element tag whose length runs past the data.
  past_the_data[9] = static_cast<std::uint8_t>(past_the_data[9] + 1);
  past_the_data.push_back(0x00);
  Bytes no_name = good;
  no_name[10] = 0x03;  // an unknown tag where DeviceName belongs
  VerifyRequest big{9, kDevice, Bytes(60 * 1024, 0x30)};
  Bytes big_cert = encode_verify_request(big);
  auto before = services_->tvs()->stats().malformed.load();
  for (const Bytes* bad : {&wrong_id, &wrong_version, &past_the_data, &no_name, &big_cert}) {
    auto got = raw_exchange(*bad);
    ASSERT_TRUE(got) << got.error().message;
    EXPECT_TRUE(got->empty()) << to_hex(*got);
    auto served = phone::ask_tvs(kDevice, signer::cert_der(tvs_cert()), opts());
    ASSERT_TRUE(served) << served.error().message;
    EXPECT_TRUE(served->valid());
  }
  EXPECT_EQ(services_->tvs()->stats().malformed.load(), before + 5);
  auto ok = raw_exchange(good);
  ASSERT_TRUE(ok);
  auto parsed = parse_verify_response(*ok);
  ASSERT_TRUE(parsed) << parsed.error().message;
  EXPECT_EQ(parsed->sid, 9u);
}

TEST_F(TvsServerTest, ASilentClientIsClosedAtItsDeadlineWhileOthersAreServed) {
  auto before = services_->tvs()->stats().silent.load();
  asio::io_context io;
  asio::ssl::context tls(asio::ssl::context::tls_client);
  asio::ssl::stream<asio::ip::tcp::socket> silent(io, tls);
  silent.next_layer().connect({asio::ip::make_address("127.0.0.1"), services_->tvs_port()});
  silent.handshake(asio::ssl::stream_base::client);  // TLS, and then no request
  auto served = phone::ask_tvs(kDevice, signer::cert_der(tvs_cert()), opts());
  ASSERT_TRUE(served) << served.error().message;
  std::array<std::uint8_t, 16> buf{};
  boost::system::error_code ec;
  std::size_t n = silent.read_some(asio::buffer(buf), ec);  // returns when the server closes
  EXPECT_EQ(n, 0u);
  EXPECT_TRUE(ec);
  EXPECT_EQ(services_->tvs()->stats().silent.load(), before + 1);
}

TEST_F(TvsServerTest, TheTlsFloorRefusesA79xxUnlessLoweredTo10) {
  phone::TvsClientOptions old = opts();
  old.tls = {"1.0", "1.0", "AES128-SHA"};  // a 79xx
  auto refused = phone::ask_tvs(kDevice, signer::cert_der(tvs_cert()), old);
  ASSERT_FALSE(refused);
  EXPECT_NE(refused.error().message.find("--tvs-tls-min 1.0"), std::string::npos) << refused.error().message;
  std::unique_ptr<cluster::Services> low(start({}, "1.0"));
  ASSERT_NE(low, nullptr);
  auto o = opts(low->tvs_port());
  o.tls = old.tls;
  auto a = phone::ask_tvs(kDevice, signer::cert_der(tvs_cert()), o);
  ASSERT_TRUE(a) << a.error().message;
  EXPECT_TRUE(a->valid());
  EXPECT_EQ(a->tls, "TLSv1 AES128-SHA");
  EXPECT_GE(services_->tvs()->stats().tls_too_old.load(), 1u);
}

TEST_F(TvsServerTest, EveryQueryIsAnEvent) {
  auto a = phone::ask_tvs("CP-7975-SEP00AA00BB00CC", signer::cert_der(*new_cert("evented")), opts());
  ASSERT_TRUE(a);
  cluster_->events()->flush();
  auto events = db::EventLog(cluster_->db()).tail("SEP00AA00BB00CC", 10);
  ASSERT_TRUE(events);
  ASSERT_EQ(events->size(), 1u);
  EXPECT_EQ(events->front().service, "tvs");
  EXPECT_NE(events->front().what.find("CN=evented"), std::string::npos) << events->front().what;
  EXPECT_EQ(events->front().result.rfind("invalid", 0), 0u) << events->front().result;
}

TEST_F(TvsServerTest, OpensslSClientSeesTheTvsCertificate) {
  std::string cmd = "echo | openssl s_client -connect 127.0.0.1:" + std::to_string(services_->tvs_port()) + " 2>&1";
  FILE* f = ::popen(cmd.c_str(), "r");
  ASSERT_NE(f, nullptr);
  std::string out;
  std::array<char, 4096> buf{};
  while (std::size_t n = std::fread(buf.data(), 1, buf.size(), f)) out.append(buf.data(), n);
  ::pclose(f);
  EXPECT_NE(out.find("CN = TVS-cucm-emu"), std::string::npos) << out;
  // The certificate it printed is the cluster's TVS certificate.
  auto pem = signer::cert_pem(tvs_cert());
  std::string body(pem.begin(), pem.end());
  EXPECT_NE(out.find(body.substr(28, 64)), std::string::npos) << out;
}

// Armed for one device, once: that device's next query is answered invalid, another device's and
// the one after it are answered truly.
TEST_F(TvsServerTest, TvsInvalidAnswersInvalidForItsDeviceOnce) {
  arm("tvs-invalid", "SEP0011223344AB");
  auto other = phone::ask_tvs("CP-8845-SEP0011223344AC", ccm_der(), opts());
  ASSERT_TRUE(other) << other.error().message;
  EXPECT_TRUE(other->valid());
  auto faulted = phone::ask_tvs(kDevice, ccm_der(), opts());
  ASSERT_TRUE(faulted) << faulted.error().message;
  EXPECT_FALSE(faulted->valid());
  EXPECT_EQ(events_with("SEP0011223344AB", "injected tvs-invalid"), 1);
  auto again = phone::ask_tvs(kDevice, ccm_der(), opts());
  ASSERT_TRUE(again);
  EXPECT_TRUE(again->valid());
}

TEST_F(TvsServerTest, TvsWrongRolesVouchesWithoutTheCertificatesRole) {
  arm("tvs-wrong-roles", "SEP0011223344AB");
  auto a = phone::ask_tvs(kDevice, ccm_der(), opts());
  ASSERT_TRUE(a) << a.error().message;
  EXPECT_TRUE(a->valid());
  EXPECT_FALSE(a->has_role(2)) << "CCM+TFTP, the CallManager certificate's role";
  EXPECT_TRUE(a->has_role(7));
  EXPECT_EQ(events_with("SEP0011223344AB", "injected tvs-wrong-roles (the store says valid CCM+TFTP)"), 1);
}

// The request is read and nothing comes back; the server closes at its own deadline (400 ms here),
// holding no thread meanwhile: another phone is answered while the first one waits.
TEST_F(TvsServerTest, TvsNoAnswerReadsTheRequestAndClosesAtTheDeadline) {
  arm("tvs-no-answer", "SEP0011223344AB");
  const auto& stats = services_->tvs()->stats();
  auto unanswered = stats.unanswered.load(), silent = stats.silent.load();
  asio::io_context io;
  asio::ssl::context tls(asio::ssl::context::tls_client);
  asio::ssl::stream<asio::ip::tcp::socket> s(io, tls);
  s.next_layer().connect({asio::ip::make_address("127.0.0.1"), services_->tvs_port()});
  s.handshake(asio::ssl::stream_base::client);
  auto start = std::chrono::steady_clock::now();
  asio::write(s, asio::buffer(encode_verify_request({5, kDevice, ccm_der()})));
  auto served = phone::ask_tvs("CP-8845-SEP0011223344AC", ccm_der(), opts());
  ASSERT_TRUE(served) << served.error().message;
  EXPECT_TRUE(served->valid());
  std::array<std::uint8_t, 16> buf{};
  boost::system::error_code ec;
  std::size_t n = s.read_some(asio::buffer(buf), ec);  // returns when the server closes
  EXPECT_EQ(n, 0u);
  EXPECT_TRUE(ec);
  EXPECT_GE(std::chrono::steady_clock::now() - start, std::chrono::milliseconds(400)) << "closed before the deadline";
  EXPECT_EQ(stats.unanswered.load(), unanswered + 1);
  EXPECT_EQ(stats.silent.load(), silent) << "the request came: not a silent client";
  EXPECT_EQ(events_with("SEP0011223344AB", "no answer: injected tvs-no-answer"), 1);
}

}  // namespace
}  // namespace cucm::tvs
