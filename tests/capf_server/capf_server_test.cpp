// CAPF over real TLS on a loopback port, driven by our phone-side client: every operation and
// authentication mode, RSA and EC, the key-recording path of seed 004, and the failures a lab
// needs (wrong string, untrusted or forged certificate, unknown device, disconnect, timeouts).
#include <sys/wait.h>

#include <array>
#include <cstdio>
#include <filesystem>
#include <thread>
#include <vector>

#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/read.hpp>
#include <boost/asio/ssl.hpp>
#include <gtest/gtest.h>
#include <spdlog/sinks/ringbuffer_sink.h>

#include "capf/server.hpp"
#include "core/encoding.hpp"
#include "core/file_io.hpp"
#include "core/log.hpp"
#include "core/loop_pool.hpp"
#include "db/device_store.hpp"
#include "db/profile_store.hpp"
#include "db/schema.hpp"
#include "phone/capf_client.hpp"
#include "signer/cert.hpp"
#include "signer/cert_builder.hpp"
#include "signer/keys.hpp"
#include "tests/support/descriptor_shortage.hpp"

namespace cucm::capf {
namespace {
namespace fs = std::filesystem;
namespace asio = boost::asio;
using phone::CapfClientOptions;
using phone::CapfPhone;
using phone::PhoneIdentity;

constexpr const char* kNullProfile = "Cisco 7942 - Standard SCCP Encrypted Config";
// Above the 32 concurrent installs one test makes from 127.0.0.1.
constexpr std::size_t kPerAddress = 40;

class CapfTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    dir_ = fs::temp_directory_path() / ("cucm-capf-" + std::to_string(::getpid()));
    fs::remove_all(dir_);
    auto pki = signer::ClusterPki::load_or_create(dir_, {});
    ASSERT_TRUE(pki) << pki.error().message;
    pki_ = new signer::ClusterPki(std::move(*pki));
    // A stand-in for Cisco's manufacturing CA, trusted for MIC authentication.
    auto mfg_key = signer::generate_key({});
    mfg_key_ = mfg_key->release();
    auto mfg = signer::make_self_signed(*mfg_key_, signer::mkcert_profile(*mfg_key_, {{"CN", "Test Manufacturing CA"}, {"O", "Lab"}, {"OU", "MIC"}}, 3650, signer::HashAlg::Sha256));
    mfg_ = mfg->release();
    auto db = db::open_cluster_db(dir_);
    ASSERT_TRUE(db);
    CapfConfig cfg;
    cfg.address = "127.0.0.1";
    cfg.port = 0;
    // Long enough for a phone to make an RSA key on a loaded CI machine, short enough for the
    // silent-client test to see the deadline.
    cfg.io_timeout = std::chrono::milliseconds(4000);
    cfg.data_dir = dir_;
    cfg.max_per_address = kPerAddress;
    ctx_ = new Context{cfg, *pki_, {}, {}, std::move(*db), nullptr, {}, {}};
    auto copy_of_mfg = signer::load_cert(signer::cert_der(*mfg_));
    ASSERT_TRUE(copy_of_mfg);
    ctx_->trust.push_back(std::move(*copy_of_mfg));
    db::ProfileStore profiles(ctx_->db);
    auto copy = [&](const char* name, auto mutate) {
      auto p = profiles.copy(kNullProfile, name);
      ASSERT_TRUE(p);
      mutate(*p);
      ASSERT_TRUE(profiles.update(*p));
    };
    copy("By string", [](db::SecurityProfile& p) { p.capf_auth_mode = "auth-string"; });
    copy("EC only", [](db::SecurityProfile& p) { p.key_order = "ec"; p.ec_key_size = 384; });
    copy("LSC first", [](db::SecurityProfile& p) { p.capf_auth_mode = "lsc-first"; });
    copy("MIC first", [](db::SecurityProfile& p) { p.capf_auth_mode = "mic-first"; });
    // Two loops, as `serve --threads 2` runs: connections and transfers land on both.
    loops_ = new core::LoopPool(2);
    server_ = new CapfServer(loops_->contexts(), *ctx_);
    ASSERT_TRUE(server_->start());
    loops_->start("test-loop");
  }
  static void TearDownTestSuite() {
    server_->stop();
    loops_->stop();
    loops_->join();
    delete server_;
    delete loops_;
    delete ctx_;
    delete pki_;
    EVP_PKEY_free(mfg_key_);
    X509_free(mfg_);
    fs::remove_all(dir_);
  }

  // A device with a fresh name, on `profile`, with `op` scheduled.
  std::string add_device(const std::string& profile, const std::string& op, const std::string& auth = "") {
    std::string name = fmt_name(++counter_);
    db::Device d;
    d.name = name;
    d.product = "Cisco 7942";
    d.protocol = "SCCP";
    d.profile = profile;
    std::lock_guard lock(ctx_->db_mutex);
    EXPECT_TRUE(db::DeviceStore(ctx_->db).add(d));
    if (op != "none") {
      auto st = db::DeviceStore(ctx_->db).set_capf(name, db::CapfState{op, auth, "", "Operation Pending", ""});
      EXPECT_TRUE(st) << (st ? "" : st.error().message);
    }
    return name;
  }
  static std::string fmt_name(int n) {
    char buf[16];
    std::snprintf(buf, sizeof buf, "SEP%012llX", 0xA45630BB0000ULL + static_cast<unsigned long long>(n));
    return buf;
  }
  db::Device device(const std::string& name) {
    std::lock_guard lock(ctx_->db_mutex);
    return *db::DeviceStore(ctx_->db).get(name);
  }
  static PhoneIdentity make_mic(const std::string& name) {
    auto key = signer::generate_key({});
    signer::CertRequest req;
    req.subject = {{"CN", name}, {"O", "Lab"}};
    req.is_ca = false;
    req.key_usage = "critical,digitalSignature,keyEncipherment";
    auto cert = signer::issue_cert(**key, req, *mfg_, *mfg_key_);
    return PhoneIdentity{std::move(*cert), std::move(*key)};
  }
  // What an attacker can make: a certificate naming `name`, signed by nobody but itself.
  static PhoneIdentity make_self_signed_identity(const std::string& name) {
    auto key = signer::generate_key({});
    signer::CertRequest req;
    req.subject = {{"CN", name}};
    req.is_ca = false;
    auto cert = signer::make_self_signed(**key, req);
    return PhoneIdentity{std::move(*cert), std::move(*key)};
  }
  // A 79xx: TLS 1.0 and AES128-SHA only (seed 004).
  static CapfClientOptions old_firmware_opts() {
    auto o = opts();
    o.tls_min = "1.0";
    o.tls_max = "1.0";
    o.tls_ciphers = "AES128-SHA";
    return o;
  }
  // One session of `p`: the End reason it got, or -1 (a failure of the test) when it got none.
  static int end_reason(CapfPhone& p) {
    auto r = phone::run_capf(p, opts());
    if (!r) ADD_FAILURE() << r.error().message;
    return r ? r->end_reason : -1;
  }
  static CapfClientOptions opts() {
    CapfClientOptions o;
    o.port = server_->local_endpoint().port();
    o.timeout = std::chrono::seconds(10);
    o.trusted_capf = pki_->identity(signer::PkiRole::Capf).cert.get();
    return o;
  }

  static inline fs::path dir_;
  static inline signer::ClusterPki* pki_ = nullptr;
  static inline EVP_PKEY* mfg_key_ = nullptr;
  static inline X509* mfg_ = nullptr;
  static inline Context* ctx_ = nullptr;
  static inline core::LoopPool* loops_ = nullptr;
  static inline CapfServer* server_ = nullptr;
  static inline std::atomic<int> counter_{0};
};

TEST_F(CapfTest, InstallRsaByNullStringRecordsKeyAndMd5) {
  auto name = add_device(kNullProfile, "install");
  CapfPhone p{name, make_mic(name), std::nullopt, "", "", {}};
  auto r = phone::run_capf(p, opts());
  ASSERT_TRUE(r) << r.error().message;
  EXPECT_EQ(r->end_reason, 1);
  ASSERT_TRUE(r->lsc_installed);
  ASSERT_TRUE(p.lsc);
  std::vector<std::string> ladder{"S->P AuthRequest", "P->S AuthResponse", "S->P KeyGenRequest", "P->S RequestInProgress",
                                  "P->S KeyGenResponse", "S->P StoreCertRequest", "P->S StoreCertResponse", "S->P End"};
  EXPECT_EQ(r->ladder, ladder);
  const X509& lsc = *p.lsc->cert;
  EXPECT_EQ(signer::subject_name(lsc), "CN=" + name + ",OU=Phone Security,O=cucm-emu Lab");
  EXPECT_EQ(signer::issuer_name(lsc), signer::subject_name(*pki_->identity(signer::PkiRole::Capf).cert));
  EXPECT_EQ(signer::describe_key(*p.lsc->key), "RSA 2048");
  EXPECT_TRUE(X509_get_extended_key_usage(const_cast<X509*>(&lsc)) & XKU_SSL_CLIENT);
  auto d = device(name);
  EXPECT_EQ(d.md5hash, signer::cert_md5_hex(lsc));
  ASSERT_TRUE(d.cert);
  EXPECT_EQ(d.cert->type, "LSC");
  EXPECT_EQ(d.cert->public_key, *signer::public_key_spki_der(*p.lsc->key));
  EXPECT_EQ(d.capf.operation, "none");
  EXPECT_EQ(d.capf.status, "Upgrade Success");
  // The CAPF keeps every issued LSC in an append-only PEM bundle.
  auto bundle = read_file(dir_ / "capf" / "issued.pem");
  ASSERT_TRUE(bundle);
  EXPECT_NE(as_chars(*bundle).find(as_chars(signer::cert_pem(lsc))), std::string_view::npos);
  EXPECT_NE(as_chars(*bundle).find("# " + name + " serial " + to_hex(signer::serial_bytes(lsc))), std::string_view::npos);
}

TEST_F(CapfTest, InstallEcP384) {
  auto name = add_device("EC only", "install");
  CapfPhone p{name, std::nullopt, std::nullopt, "", "", {}};
  auto r = phone::run_capf(p, opts());
  ASSERT_TRUE(r) << r.error().message;
  EXPECT_EQ(r->end_reason, 1);
  ASSERT_TRUE(p.lsc);
  EXPECT_EQ(signer::describe_key(*p.lsc->key), "EC secp384r1");
  EXPECT_EQ(device(name).md5hash, signer::cert_md5_hex(*p.lsc->cert));
}

TEST_F(CapfTest, AuthenticationStringWrongThenRight) {
  auto name = add_device("By string", "install", "123456");
  CapfPhone p{name, std::nullopt, std::nullopt, "654321", "", {}};
  auto wrong = phone::run_capf(p, opts());
  ASSERT_TRUE(wrong) << wrong.error().message;
  EXPECT_EQ(wrong->end_reason, 7);
  EXPECT_FALSE(p.lsc);
  auto d = device(name);
  EXPECT_FALSE(d.cert);
  EXPECT_EQ(d.capf.operation, "install");  // still pending
  EXPECT_EQ(d.capf.status, "Failed: wrong authentication string");
  p.auth_string = "123456";
  auto right = phone::run_capf(p, opts());
  ASSERT_TRUE(right);
  EXPECT_EQ(right->end_reason, 1);
  EXPECT_TRUE(p.lsc);
}

TEST_F(CapfTest, ExistingCertificateLscAndMic) {
  // First an LSC by null string, then an upgrade authenticated by that LSC.
  auto name = add_device(kNullProfile, "install");
  CapfPhone p{name, make_mic(name), std::nullopt, "", "", {}};
  ASSERT_EQ(phone::run_capf(p, opts())->end_reason, 1);
  Bytes first_lsc = signer::cert_der(*p.lsc->cert);
  {
    std::lock_guard lock(ctx_->db_mutex);
    auto d = *db::DeviceStore(ctx_->db).get(name);
    d.profile = "LSC first";
    ASSERT_TRUE(db::DeviceStore(ctx_->db).update(d));
    ASSERT_TRUE(db::DeviceStore(ctx_->db).set_capf(name, db::CapfState{"install", "", "", "Operation Pending", ""}));
  }
  p.authenticate_with = "lsc";
  auto up = phone::run_capf(p, opts());
  ASSERT_TRUE(up) << up.error().message;
  EXPECT_EQ(up->end_reason, 1);
  EXPECT_NE(signer::cert_der(*p.lsc->cert), first_lsc);
  // MIC first: a MIC from the trusted manufacturing CA authenticates; a forged signature does not.
  auto m = add_device("MIC first", "install");
  CapfPhone mp{m, make_mic(m), std::nullopt, "", "mic", {}};
  auto forged_opts = opts();
  forged_opts.tamper_signature = true;
  auto forged = phone::run_capf(mp, forged_opts);
  ASSERT_TRUE(forged);
  EXPECT_EQ(forged->end_reason, 7);
  EXPECT_NE(device(m).capf.status.find("bad SignedData"), std::string::npos) << device(m).capf.status;
  auto ok = phone::run_capf(mp, opts());
  ASSERT_TRUE(ok);
  EXPECT_EQ(ok->end_reason, 1);
}

TEST_F(CapfTest, SudiIsVerifiedWhenThePhoneSendsOne) {
  auto name = add_device("MIC first", "install");
  CapfPhone p{name, make_mic(name), std::nullopt, "", "mic", {}};
  PhoneIdentity sudi = make_mic(name);  // issued by the trusted manufacturing CA, as a SUDI is
  auto o = opts();
  o.sudi = &sudi;
  o.tamper_sudi = true;
  auto forged = phone::run_capf(p, o);
  ASSERT_TRUE(forged);
  EXPECT_EQ(forged->end_reason, 7);
  EXPECT_NE(device(name).capf.status.find("bad SUDI SHA-512 signature"), std::string::npos) << device(name).capf.status;
  EXPECT_FALSE(device(name).cert);

  // A SUDI from an unknown CA is refused even with good signatures.
  PhoneIdentity stranger = make_self_signed_identity(name);
  o.sudi = &stranger;
  o.tamper_sudi = false;
  auto untrusted = phone::run_capf(p, o);
  ASSERT_TRUE(untrusted);
  EXPECT_EQ(untrusted->end_reason, 7);
  EXPECT_NE(device(name).capf.status.find("SUDI certificate"), std::string::npos) << device(name).capf.status;

  o.sudi = &sudi;
  auto ok = phone::run_capf(p, o);
  ASSERT_TRUE(ok) << ok.error().message;
  EXPECT_EQ(ok->end_reason, 1);
  EXPECT_TRUE(device(name).cert);
}

TEST_F(CapfTest, UntrustedCertificateIsRefused) {
  auto name = add_device("MIC first", "install");
  CapfPhone p{name, make_self_signed_identity(name), std::nullopt, "", "mic", {}};
  auto r = phone::run_capf(p, opts());
  ASSERT_TRUE(r);
  EXPECT_EQ(r->end_reason, 7);
  EXPECT_NE(device(name).capf.status.find("self-signed certificate"), std::string::npos) << device(name).capf.status;
  EXPECT_FALSE(device(name).cert);
}

// Issue 16, item 2: with no operation pending, CAPF recorded whatever certificate a client
// presented, and the next .enc.sgn was encrypted for the attacker. It even replaced an LSC.
TEST_F(CapfTest, NoPendingOperationNeverRecordsAnUntrustedOrForeignCertificate) {
  auto name = add_device(kNullProfile, "install");
  CapfPhone victim{name, make_mic(name), std::nullopt, "", "", {}};
  ASSERT_EQ(phone::run_capf(victim, opts())->end_reason, 1);
  auto before = device(name);
  ASSERT_TRUE(before.cert);
  ASSERT_EQ(before.cert->type, "LSC");

  CapfPhone attacker{name, make_self_signed_identity(name), std::nullopt, "", "mic", {}};
  EXPECT_EQ(end_reason(attacker), 7);
  // Another phone's genuine MIC, with its own key, claiming this device's name.
  CapfPhone neighbour{name, make_mic(add_device(kNullProfile, "none")), std::nullopt, "", "mic", {}};
  EXPECT_EQ(end_reason(neighbour), 7);

  auto after = device(name);
  ASSERT_TRUE(after.cert);
  EXPECT_EQ(after.cert->type, "LSC");
  EXPECT_EQ(after.md5hash, before.md5hash);
}

TEST_F(CapfTest, NoPendingOperationRecordsTheCertificateThePhoneSent) {
  // Seed 004: CAPF extracts the public key from the phone's MIC and stores it with its MD5.
  auto name = add_device(kNullProfile, "none");
  CapfPhone p{name, make_mic(name), std::nullopt, "", "mic", {}};
  EXPECT_EQ(end_reason(p), 0);
  auto d = device(name);
  ASSERT_TRUE(d.cert);
  EXPECT_EQ(d.cert->type, "MIC");
  EXPECT_EQ(d.md5hash, signer::cert_md5_hex(*p.mic->cert));
}

TEST_F(CapfTest, DeleteAndTroubleshoot) {
  auto name = add_device(kNullProfile, "install");
  CapfPhone p{name, make_mic(name), std::nullopt, "", "", {}};
  ASSERT_EQ(phone::run_capf(p, opts())->end_reason, 1);
  {
    std::lock_guard lock(ctx_->db_mutex);
    ASSERT_TRUE(db::DeviceStore(ctx_->db).set_capf(name, db::CapfState{"troubleshoot", "", "", "Operation Pending", ""}));
  }
  auto t = phone::run_capf(p, opts());
  ASSERT_TRUE(t);
  EXPECT_TRUE(t->certificate_fetched);
  EXPECT_EQ(device(name).capf.status, "Troubleshoot Success");
  EXPECT_TRUE(fs::exists(dir_ / "capf" / "troubleshoot" / (name + "-LSC.pem")));
  {
    std::lock_guard lock(ctx_->db_mutex);
    ASSERT_TRUE(db::DeviceStore(ctx_->db).set_capf(name, db::CapfState{"delete", "", "", "Operation Pending", ""}));
  }
  auto del = phone::run_capf(p, opts());
  ASSERT_TRUE(del);
  EXPECT_EQ(del->end_reason, 1);
  EXPECT_TRUE(del->lsc_deleted);
  EXPECT_FALSE(p.lsc);
  auto d = device(name);
  EXPECT_FALSE(d.cert);
  EXPECT_EQ(d.md5hash, "");
  EXPECT_EQ(d.capf.status, "Delete Success");
}

TEST_F(CapfTest, UnknownDeviceDisconnectAndRefusedStoreRecordNothing) {
  CapfPhone ghost{"SEP0000DEADBEEF", std::nullopt, std::nullopt, "", "", {}};
  auto g = phone::run_capf(ghost, opts());
  ASSERT_TRUE(g);
  EXPECT_EQ(g->end_reason, 9);

  auto name = add_device(kNullProfile, "install");
  CapfPhone p{name, std::nullopt, std::nullopt, "", "", {}};
  auto o = opts();
  o.disconnect_on = Command::StoreCertRequest;
  p.pregenerated = std::move(*signer::generate_key({}));  // key generation is not under test
  ASSERT_TRUE(phone::run_capf(p, o));
  std::this_thread::sleep_for(std::chrono::milliseconds(100));
  auto d = device(name);
  EXPECT_FALSE(d.cert);
  EXPECT_EQ(d.capf.operation, "install");
  EXPECT_EQ(d.capf.status, "Operation Pending");

  auto refuse = opts();
  refuse.refuse_store = true;
  p.pregenerated = std::move(*signer::generate_key({}));
  auto r = phone::run_capf(p, refuse);
  ASSERT_TRUE(r);
  EXPECT_EQ(r->end_reason, 7);
  EXPECT_FALSE(device(name).cert);
}

TEST_F(CapfTest, DeadlineIsEnforced) {
  auto name = add_device(kNullProfile, "none");
  {
    std::lock_guard lock(ctx_->db_mutex);
    ASSERT_TRUE(db::DeviceStore(ctx_->db).set_capf(name, db::CapfState{"install", "", "2001-01-01 00:00:00", "Operation Pending", ""}));
  }
  CapfPhone p{name, std::nullopt, std::nullopt, "", "", {}};
  auto r = phone::run_capf(p, opts());
  ASSERT_TRUE(r);
  EXPECT_EQ(r->end_reason, 7);
  EXPECT_NE(device(name).capf.status.find("deadline"), std::string::npos);
}

// Issue 16, item 10: the session cap was global, so one address could fill it. Sessions from
// 127.0.0.3 that got their AuthRequest hold the address's slots; one more from there is closed
// before its TLS handshake, while a phone on 127.0.0.4 completes its session.
TEST_F(CapfTest, OneAddressCannotTakeEveryCapfSession) {
  asio::io_context io;
  asio::ssl::context tls(asio::ssl::context::tls_client);  // no verification: only the slot matters
  std::vector<std::unique_ptr<asio::ssl::stream<asio::ip::tcp::socket>>> held;
  auto open_from = [&](const char* from) -> bool {
    auto s = std::make_unique<asio::ssl::stream<asio::ip::tcp::socket>>(io, tls);
    auto& socket = s->next_layer();
    socket.open(asio::ip::tcp::v4());
    socket.bind(asio::ip::tcp::endpoint(asio::ip::make_address(from), 0));
    socket.connect(server_->local_endpoint());
    boost::system::error_code ec;
    s->handshake(asio::ssl::stream_base::client, ec);
    std::array<std::uint8_t, 8> header{};
    if (!ec) asio::read(*s, asio::buffer(header), ec);  // the AuthRequest: the session holds its slot
    if (ec) return false;
    held.push_back(std::move(s));
    return true;
  };
  for (std::size_t i = 0; i < kPerAddress; ++i) ASSERT_TRUE(open_from("127.0.0.3")) << i;
  std::uint64_t refused = server_->stats().refused;
  EXPECT_FALSE(open_from("127.0.0.3"));
  EXPECT_EQ(server_->stats().refused, refused + 1);
  auto name = add_device(kNullProfile, "none");
  CapfPhone p{name, std::nullopt, std::nullopt, "", "", {}};
  auto o = opts();
  o.source = asio::ip::make_address("127.0.0.4");
  auto r = phone::run_capf(p, o);
  ASSERT_TRUE(r) << r.error().message;
  EXPECT_EQ(r->end_reason, 0);
}

TEST_F(CapfTest, SilentAndGarbageClientsDoNotBlockOthers) {
  asio::io_context io;
  asio::ip::tcp::socket silent(io);
  silent.connect(server_->local_endpoint());  // never sends a ClientHello
  auto name = add_device(kNullProfile, "install");
  CapfPhone p{name, std::nullopt, std::nullopt, "", "", {}};
  auto r = phone::run_capf(p, opts());
  ASSERT_TRUE(r);
  EXPECT_EQ(r->end_reason, 1);
  auto t0 = std::chrono::steady_clock::now();
  std::array<char, 16> buf{};
  boost::system::error_code ec;
  silent.read_some(asio::buffer(buf), ec);  // the server drops it after its 4 s deadline
  EXPECT_TRUE(ec);
  EXPECT_LT(std::chrono::steady_clock::now() - t0, std::chrono::seconds(10));
}

// Out of file descriptors, the acceptor pauses instead of spinning, and phones are served again
// once descriptors are back.
TEST_F(CapfTest, OutOfDescriptorsPausesAcceptsAndRecovers) {
  if (test::kSanitized) GTEST_SKIP() << "sanitizer runtimes need descriptors of their own";
  asio::io_context io;
  auto clients = test::open_clients(io, 12);
  auto errors_before = server_->stats().accept_errors.load();
  auto shortage = test::run_out_of_descriptors(clients, server_->local_endpoint(), 2, std::chrono::milliseconds(500));
  ASSERT_TRUE(shortage.ok);
  EXPECT_GT(server_->stats().accept_errors.load(), errors_before);
  EXPECT_LT(shortage.cpu_seconds, 0.25);
  clients.clear();  // the queued connections go away unanswered
  auto name = add_device(kNullProfile, "install");
  CapfPhone p{name, make_mic(name), std::nullopt, "", "", {}};
  auto r = phone::run_capf(p, opts());
  ASSERT_TRUE(r) << r.error().message;
  EXPECT_TRUE(r->lsc_installed);
}

// A 79xx offers TLS 1.0 with AES128-SHA only (seed 004). The default floor (1.2) refuses it, the
// phone's error says how to let it in, and the pending operation stays as it was.
TEST_F(CapfTest, OldFirmwareBelowTheTlsFloorIsRefusedWithAHintAndNothingChanges) {
  auto name = add_device(kNullProfile, "install");
  CapfPhone p{name, make_mic(name), std::nullopt, "", "", {}};
  auto o = old_firmware_opts();
  auto too_old = server_->stats().tls_too_old.load();
  auto r = phone::run_capf(p, o);
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().code, Errc::Unavailable);
  EXPECT_NE(r.error().message.find("at most TLS 1.0 with AES128-SHA"), std::string::npos) << r.error().message;
  EXPECT_NE(r.error().message.find("--capf-tls-min 1.0"), std::string::npos) << r.error().message;
  // The server told the reason apart from other failed handshakes (a warning and an event).
  for (int i = 0; i < 100 && server_->stats().tls_too_old.load() == too_old; ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  EXPECT_EQ(server_->stats().tls_too_old.load(), too_old + 1);
  EXPECT_FALSE(p.lsc);
  auto d = device(name);
  EXPECT_EQ(d.capf.operation, "install");
  EXPECT_EQ(d.capf.status, "Operation Pending");
  EXPECT_FALSE(d.cert);
  // The same phone with a modern ceiling gets through, and says what it negotiated.
  auto modern = phone::run_capf(p, opts());
  ASSERT_TRUE(modern) << modern.error().message;
  EXPECT_TRUE(modern->lsc_installed);
  EXPECT_EQ(modern->tls.rfind("TLSv1.3 ", 0), 0u) << modern->tls;
}

// Issue 16: every refused handshake was a warning line. From one address, a run of them is five
// lines a minute now (the sixth says how many were left out).
TEST_F(CapfTest, RefusedHandshakesFromOneAddressAreAFewWarningLines) {
  auto lines = std::make_shared<spdlog::sinks::ringbuffer_sink_mt>(1000);
  auto logger = log::get("capf");
  logger->sinks().push_back(lines);  // no session runs now: nothing logs meanwhile
  auto name = add_device(kNullProfile, "install");
  CapfPhone p{name, make_mic(name), std::nullopt, "", "", {}};
  auto o = old_firmware_opts();
  auto too_old = server_->stats().tls_too_old.load();
  constexpr int kTries = 12;
  for (int i = 0; i < kTries; ++i) EXPECT_FALSE(phone::run_capf(p, o));
  for (int i = 0; i < 200 && server_->stats().tls_too_old.load() < too_old + kTries; ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  EXPECT_EQ(server_->stats().tls_too_old.load(), too_old + kTries);
  std::size_t warned = 0;
  for (const auto& line : lines->last_formatted()) warned += line.find("TLS handshake refused") != std::string::npos;
  logger->sinks().pop_back();
  EXPECT_GE(warned, 1u);
  EXPECT_LE(warned, 5u);
}

TEST_F(CapfTest, OpensslSClientSeesTheCapfCertificate) {
  std::string cmd = "echo | openssl s_client -connect 127.0.0.1:" + std::to_string(server_->local_endpoint().port()) +
                    " 2>&1";
  FILE* f = ::popen(cmd.c_str(), "r");
  std::string out;
  std::array<char, 4096> buf{};
  while (std::size_t n = std::fread(buf.data(), 1, buf.size(), f)) out.append(buf.data(), n);
  ::pclose(f);
  EXPECT_NE(out.find("CN = CAPF-cucm-emu"), std::string::npos) << out;
  EXPECT_NE(out.find("TLSv1.3"), std::string::npos) << out;
}

TEST_F(CapfTest, ThirtyTwoConcurrentInstalls) {
  constexpr int kPhones = 32;
  std::vector<std::string> names;
  for (int i = 0; i < kPhones; ++i) names.push_back(add_device(kNullProfile, "install"));
  std::vector<CapfPhone> phones;
  for (int i = 0; i < kPhones; ++i) {  // keys made in advance, as a load generator would
    phones.push_back(CapfPhone{names[static_cast<std::size_t>(i)], std::nullopt, std::nullopt, "", "", {}});
    phones.back().pregenerated = std::move(*signer::generate_key({}));
  }
  std::vector<std::thread> threads;
  std::atomic<int> ok{0};
  std::vector<std::string> errors(kPhones);
  for (int i = 0; i < kPhones; ++i) {
    threads.emplace_back([&, i] {
      auto& p = phones[static_cast<std::size_t>(i)];
      auto r = phone::run_capf(p, opts());
      if (r && r->end_reason == 1 && p.lsc) ++ok;
      else errors[static_cast<std::size_t>(i)] = r ? "end reason " + std::to_string(r->end_reason) : r.error().message;
    });
  }
  for (auto& t : threads) t.join();
  for (const auto& e : errors) EXPECT_TRUE(e.empty()) << e;
  EXPECT_EQ(ok.load(), kPhones);
  for (const auto& n : names) EXPECT_FALSE(device(n).md5hash.empty()) << n;
}

}  // namespace
}  // namespace cucm::capf
