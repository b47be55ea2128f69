// End to end: the seed-004 flow with our phone simulator against our real TFTP, HTTP and CAPF
// servers on loopback, and the negative paths a firmware tester needs.
#include <filesystem>
#include <fstream>
#include <map>
#include <regex>
#include <set>
#include <thread>

#include <boost/asio/io_context.hpp>
#include <gtest/gtest.h>

#include "cluster/services.hpp"
#include "db/device_store.hpp"
#include "db/profile_store.hpp"
#include "db/schema.hpp"
#include "db/settings_store.hpp"
#include "phone/boot.hpp"
#include "phone/phone_state.hpp"
#include "phone/tls_link.hpp"
#include "signer/tls_keylog.hpp"
#include "signer/cert.hpp"
#include "signer/cert_builder.hpp"
#include "signer/keys.hpp"
#include "tests/phone/loopback_cluster.hpp"

namespace cucm::phone {
namespace {
namespace fs = std::filesystem;
namespace asio = boost::asio;
using namespace test;  // NOLINT: the fixture and its helpers

TEST(EndToEnd, SeedFlowWithOnlyAMic) {
  Cluster c(temp("seed"));
  c.add("SEPA45630BBFA40", kEncrypted);
  auto r = boot(c.boot_options("SEPA45630BBFA40", temp("seed-phone")));
  ASSERT_TRUE(r) << r.error().message;
  EXPECT_TRUE(r->full_config) << r->failure;
  EXPECT_TRUE(r->encrypted);
  EXPECT_TRUE(r->capf_ran);
  EXPECT_TRUE(ladder_has(*r, "empty certHash"));
  // select md5hash,name from device where name=... shows the MD5 of the phone's certificate.
  auto state = load_state(temp("seed-phone"), "SEPA45630BBFA40");
  ASSERT_TRUE(state);
  EXPECT_EQ(c.md5hash("SEPA45630BBFA40"), signer::cert_md5_hex(*state->mic->cert));
  EXPECT_EQ(r->cert_hash, c.md5hash("SEPA45630BBFA40"));
  EXPECT_EQ(r->call_managers, std::vector<std::string>{"127.0.0.1"});
  // A second boot needs no CAPF: the key is on record.
  auto again = boot(c.boot_options("SEPA45630BBFA40", temp("seed-phone")));
  ASSERT_TRUE(again);
  EXPECT_TRUE(again->full_config);
  EXPECT_FALSE(again->capf_ran);
}

// Issue 16, item 2: a phone whose MIC no trusted CA issued (self-signed here) gets no key on
// record, so no encrypted config is made for it.
TEST(EndToEnd, AMicFromNoTrustedManufacturerIsNotRecorded) {
  Cluster c(temp("untrusted-mic"));
  c.add("SEPA45630BBFA41", kEncrypted);
  auto o = c.boot_options("SEPA45630BBFA41", temp("untrusted-mic-phone"));
  fs::remove_all(o.state_dir);
  o.manufacturer = nullptr;  // the simulator then makes a self-signed MIC
  auto r = boot(o);
  ASSERT_TRUE(r) << r.error().message;
  EXPECT_TRUE(r->capf_ran);
  EXPECT_FALSE(r->full_config);
  EXPECT_EQ(c.md5hash("SEPA45630BBFA41"), "");
}

// A fleet gives each phone its own loopback address: every request of the boot (HTTP, TFTP,
// CAPF) goes from it, and an address the machine does not have is an error that names it.
TEST(EndToEnd, APhoneSendsEverythingFromItsOwnAddress) {
  Cluster c(temp("source"));
  c.add("SEPA45630BBFA42", kEncrypted);
  auto o = c.boot_options("SEPA45630BBFA42", temp("source-phone"));
  fs::remove_all(o.state_dir);
  o.source = boost::asio::ip::make_address("127.10.0.42");
  auto r = boot(o);
  ASSERT_TRUE(r) << r.error().message;
  EXPECT_TRUE(r->capf_ran);
  EXPECT_TRUE(r->full_config) << r->failure;
  o.profile = *firmware_profile("79xx");  // TFTP only
  o.source = boost::asio::ip::make_address("192.0.2.1");  // TEST-NET-1: not an address of ours
  auto off = boot(o);
  ASSERT_TRUE(off);
  EXPECT_FALSE(off->full_config);
  EXPECT_NE(off->failure.find("from 192.0.2.1"), std::string::npos) << off->failure;
}

// The standard 8845 encrypted-config profile, as a new cluster has it, works end to end: an LSC
// install, then the encrypted config. It used to ask for an EC key, whose LSC no .enc.sgn can be
// made for, so the phone never reached its full config.
TEST(EndToEnd, The8845EncryptedProfileInstallsAnLscAndGetsItsEncryptedConfig) {
  Cluster c(temp("8845"));
  db::Device d;
  d.name = "SEP00112233ABCD";
  d.product = "Cisco 8845";
  d.protocol = "SIP";
  d.profile = "Cisco 8845 - Standard SIP Encrypted Config";
  ASSERT_TRUE(db::DeviceStore(*c.db).add(d));
  ASSERT_TRUE(db::DeviceStore(*c.db).set_capf(d.name, db::CapfState{"install", "", "", "Operation Pending", ""}));
  auto r = boot(c.boot_options(d.name, temp("8845-phone")));
  ASSERT_TRUE(r) << r.error().message;
  EXPECT_TRUE(r->capf_ran);
  EXPECT_TRUE(r->full_config) << r->failure;
  EXPECT_TRUE(r->encrypted);
  auto recorded = db::DeviceStore(*c.db).get(d.name);
  ASSERT_TRUE(recorded && recorded->cert);
  EXPECT_EQ(recorded->cert->type, "LSC");
}

bool ladder_proto(const BootResult& r, const std::string& proto, const std::string& text) {
  for (const auto& s : r.ladder) {
    if (s.proto == proto && s.what.find(text) != std::string::npos) return true;
  }
  return false;
}

// Issue 17 item 3: with `cluster set itl_version 1.1` an 88xx asks HTTPS 6971 for its config
// first (PROTOCOLS §8.1) and trusts it through the server's certificate, the ITL's TFTP one: the
// partial config before and after CAPF comes unsigned over TLS, the .enc.sgn over HTTP as before.
TEST(EndToEnd, ItlOneOneFetchesTheConfigOverHttpsFirst) {
  Cluster c(temp("itl11"));
  ASSERT_TRUE(db::SettingsStore(*c.db).set("itl_version", "1.1"));
  db::Device d;
  d.name = "SEP00112233ABCE";
  d.product = "Cisco 8845";
  d.protocol = "SIP";
  d.profile = "Cisco 8845 - Standard SIP Encrypted Config";
  ASSERT_TRUE(db::DeviceStore(*c.db).add(d));
  ASSERT_TRUE(db::DeviceStore(*c.db).set_capf(d.name, db::CapfState{"install", "", "", "Operation Pending", ""}));
  auto phone_dir = temp("itl11-phone");
  fs::remove_all(phone_dir);
  auto r = boot(c.boot_options(d.name, phone_dir));
  ASSERT_TRUE(r) << r.error().message;
  EXPECT_TRUE(r->full_config) << r->failure;
  EXPECT_TRUE(r->encrypted);
  EXPECT_TRUE(r->capf_ran);
  EXPECT_TRUE(ladder_proto(*r, "HTTPS", "GET /SEP00112233ABCE.cnf.xml.sgn"));
  EXPECT_TRUE(ladder_proto(*r, "HTTPS", "bytes unsigned"));
  EXPECT_TRUE(ladder_has(*r, "is the ITL's TFTP certificate (EC)"));
  EXPECT_FALSE(ladder_proto(*r, "HTTP", "GET /SEP00112233ABCE.cnf.xml.sgn"));  // never the signed one
  EXPECT_TRUE(ladder_proto(*r, "HTTP", "GET /SEP00112233ABCE.cnf.xml.enc.sgn"));
  auto state = load_state(phone_dir, d.name);
  ASSERT_TRUE(state && state->itl);
  auto itl = signer::parse_trust_list(*state->itl);
  ASSERT_TRUE(itl);
  EXPECT_EQ(itl->parsed.header.signer_version, (std::array<std::uint8_t, 2>{1, 1}));
  EXPECT_EQ(itl->parsed.header.hash, signer::HashAlg::Sha512);

  // A 79xx reads the same ITL and keeps to TFTP: HTTPS is 88xx firmware's.
  c.add("SEP0011223344EE", "Cisco 7942 - Standard SCCP Non-Secure Profile");
  auto o = c.boot_options("SEP0011223344EE", temp("itl11-79xx"));
  o.profile = *firmware_profile("79xx");
  auto old = boot(o);
  ASSERT_TRUE(old);
  EXPECT_TRUE(old->full_config) << old->failure;
  for (const auto& s : old->ladder) EXPECT_NE(s.proto, "HTTPS");
}

// A 6971 server whose certificate the ITL does not list as TFTP (another cluster's) fails that
// fetch with the reason, and the phone falls back to the signed file over HTTP 6970; a 6971
// nobody listens on, the same.
TEST(EndToEnd, AnHttpsServerOutsideTheItlIsRefusedAndThePhoneFallsBack) {
  Cluster c(temp("itl11-rogue"));
  Cluster other(temp("itl11-other"));
  ASSERT_TRUE(db::SettingsStore(*c.db).set("itl_version", "1.1"));
  c.add("SEP0011223344EF", "Cisco 7942 - Standard SCCP Non-Secure Profile");
  auto o = c.boot_options("SEP0011223344EF", temp("itl11-rogue-phone"));
  fs::remove_all(o.state_dir);
  o.https_port = other.services->https_port();
  auto r = boot(o);
  ASSERT_TRUE(r) << r.error().message;
  EXPECT_TRUE(r->full_config) << r->failure;
  EXPECT_TRUE(ladder_proto(*r, "HTTPS", "is not in the ITL with role TFTP"));
  EXPECT_TRUE(ladder_has(*r, "fall back to HTTP"));
  EXPECT_TRUE(ladder_proto(*r, "HTTP", "GET /SEP0011223344EF.cnf.xml.sgn -> 200"));
  EXPECT_TRUE(ladder_has(*r, "signature OK"));

  other.services->stop();
  other.services->wait();
  auto closed = boot(o);  // nothing listens on that port now
  ASSERT_TRUE(closed);
  EXPECT_TRUE(closed->full_config) << closed->failure;
  EXPECT_TRUE(ladder_has(*closed, "fall back to HTTP"));
}

TEST(EndToEnd, InstallByAuthenticationStringOverTftpWith79xx) {
  Cluster c(temp("string"));
  auto p = db::ProfileStore(*c.db).copy(kEncrypted, "By string");
  ASSERT_TRUE(p);
  p->capf_auth_mode = "auth-string";
  ASSERT_TRUE(db::ProfileStore(*c.db).update(*p));
  c.add("SEP001122334455", "By string", "install", "1234");
  auto o = c.boot_options("SEP001122334455", temp("string-phone"));
  o.profile = *firmware_profile("79xx");  // TFTP only, TLS 1.0 to CAPF
  auto no_string = boot(o);
  ASSERT_TRUE(no_string);
  EXPECT_FALSE(no_string->full_config);
  EXPECT_NE(no_string->failure.find("authentication string"), std::string::npos);
  o.auth_string = "9999";
  auto wrong = boot(o);
  ASSERT_TRUE(wrong);
  EXPECT_FALSE(wrong->full_config);
  o.auth_string = "1234";
  auto right = boot(o);
  ASSERT_TRUE(right);
  EXPECT_TRUE(right->full_config) << right->failure;
  auto state = load_state(temp("string-phone"), "SEP001122334455");
  ASSERT_TRUE(state->lsc);  // an LSC was installed and the config is encrypted for it
  EXPECT_EQ(c.md5hash("SEP001122334455"), signer::cert_md5_hex(*state->lsc->cert));
  bool old_tls = false;
  for (const auto& s : right->ladder) {
    if (s.from == "phone" && s.to == "cucm") { EXPECT_EQ(s.proto, "TFTP"); }
    // TLS 1.0 with RSA key transport, as the seed's 79xx (the server's floor is 1.0 here).
    old_tls = old_tls || s.what == "CAPF handshake: TLSv1 AES128-SHA";
  }
  EXPECT_TRUE(old_tls);
}

TEST(EndToEnd, CertHashMismatchTriggersCapf) {
  Cluster c(temp("mismatch"));
  c.add("SEP0011223344AA", kEncrypted);
  // The server has some other key on record.
  auto other = signer::generate_key({});
  signer::CertRequest req;
  req.subject = {{"CN", "someone else"}};
  req.is_ca = false;
  auto cert = signer::make_self_signed(**other, req);
  db::RecordedCert rc{"MIC", signer::cert_der(**cert), *signer::public_key_spki_der(**other), signer::cert_md5_hex(**cert), "", "", "", ""};
  ASSERT_TRUE(db::DeviceStore(*c.db).record_certificate("SEP0011223344AA", rc));
  auto r = boot(c.boot_options("SEP0011223344AA", temp("mismatch-phone")));
  ASSERT_TRUE(r);
  EXPECT_TRUE(ladder_has(*r, "differs from my certificate"));
  EXPECT_TRUE(r->capf_ran);
  EXPECT_TRUE(r->full_config) << r->failure;
}

TEST(EndToEnd, ItlFromAnUntrustedSignerIsRejectedAfterFirstTrust) {
  auto phone_dir = temp("itl-phone");
  fs::remove_all(phone_dir);
  {
    Cluster first(temp("itl-a"));
    first.add("SEP0011223344BB", "Cisco 7942 - Standard SCCP Non-Secure Profile");
    auto r = boot(first.boot_options("SEP0011223344BB", phone_dir));
    ASSERT_TRUE(r);
    EXPECT_TRUE(r->full_config) << r->failure;
    EXPECT_FALSE(r->encrypted);
  }
  Cluster rogue(temp("itl-b"));  // another cluster: other keys
  rogue.add("SEP0011223344BB", "Cisco 7942 - Standard SCCP Non-Secure Profile");
  auto r = boot(rogue.boot_options("SEP0011223344BB", phone_dir));
  ASSERT_TRUE(r);
  EXPECT_FALSE(r->full_config);
  EXPECT_NE(r->failure.find("does not trust"), std::string::npos) << r->failure;
}

TEST(EndToEnd, UnknownDeviceGetsNoConfig) {
  Cluster c(temp("unknown"));
  auto r = boot(c.boot_options("SEP00000000BEEF", temp("unknown-phone")));
  ASSERT_TRUE(r);
  EXPECT_FALSE(r->full_config);
  EXPECT_NE(r->failure.find("404"), std::string::npos) << r->failure;
}

}  // namespace
}  // namespace cucm::phone

#include <sys/socket.h>

#include <cstdio>
#include <fstream>

#include "core/file_io.hpp"
#include "signer/sgn_file.hpp"
#include "signer/trust_list.hpp"

namespace cucm::phone {
namespace {

// A stand-in server that serves files we doctor: python3's http.server on a free loopback port.
class DoctoredServer {
 public:
  explicit DoctoredServer(const fs::path& dir) : dir_(dir) {
    asio::io_context io;
    asio::ip::tcp::acceptor probe(io, asio::ip::tcp::endpoint(asio::ip::make_address("127.0.0.1"), 0));
    port_ = probe.local_endpoint().port();
    probe.close();
    std::string cmd = "python3 -m http.server " + std::to_string(port_) + " --bind 127.0.0.1 --directory " +
                      dir.string() + " >/dev/null 2>&1 & echo $!";
    FILE* p = ::popen(cmd.c_str(), "r");
    char buf[32] = {};
    if (std::fgets(buf, sizeof buf, p)) pid_ = std::atoi(buf);
    ::pclose(p);
    for (int i = 0; i < 50; ++i) {  // wait until it accepts, at most 5 s
      asio::ip::tcp::socket s(io);
      boost::system::error_code ec;
      s.connect(asio::ip::tcp::endpoint(asio::ip::make_address("127.0.0.1"), port_), ec);
      if (!ec) break;
      std::this_thread::sleep_for(std::chrono::milliseconds(100));
    }
  }
  ~DoctoredServer() {
    if (pid_ > 0) std::system(("kill " + std::to_string(pid_)).c_str());
  }
  std::uint16_t port() const { return port_; }

 private:
  fs::path dir_;
  std::uint16_t port_ = 0;
  int pid_ = 0;
};

BootOptions http_only(const std::string& device, const fs::path& state, std::uint16_t port) {
  BootOptions o;
  o.device = device;
  o.http_port = port;
  o.transport = "http";
  o.state_dir = state;
  o.profile = *firmware_profile("88xx");
  o.timeout = std::chrono::seconds(5);
  return o;
}

TEST(EndToEnd, TamperedSignedConfigIsRejected) {
  Cluster c(temp("tamper"));
  c.add("SEP0011223344CC", kEncrypted);
  auto www = temp("tamper-www");
  fs::create_directories(www);
  for (const char* n : {"ITLSEP0011223344CC.tlv", "SEP0011223344CC.cnf.xml.sgn"}) {
    auto f = c.cat->fetch(n);
    ASSERT_TRUE(f);
    Bytes b = *f->bytes;
    if (std::string(n).ends_with(".sgn")) b[b.size() - 20] ^= 1;  // one bit of the payload
    ASSERT_TRUE(write_file_atomic(www / n, b));
  }
  DoctoredServer srv(www);
  auto r = boot(http_only("SEP0011223344CC", temp("tamper-phone"), srv.port()));
  ASSERT_TRUE(r);
  EXPECT_FALSE(r->full_config);
  EXPECT_NE(r->failure.find("does not verify"), std::string::npos) << r->failure;
}

TEST(EndToEnd, PhoneRefusesCapfWhenTheItlHasNoCapfCertificate) {
  Cluster c(temp("nocapf"));
  c.add("SEP0011223344DD", kEncrypted);
  auto www = temp("nocapf-www");
  fs::create_directories(www);
  // An ITL without the CAPF record, properly signed by the cluster's ITLRecovery.
  std::vector<signer::TrustEntry> entries;
  for (const auto& e : c.pki->itl_entries()) {
    if (e.role != signer::Role::Capf) entries.push_back(e);
  }
  signer::TrustListOptions to;
  to.filename = "ITLSEP0011223344DD.tlv";
  const auto& sast = c.pki->identity(signer::PkiRole::ItlRecovery);
  auto itl = signer::build_trust_list(entries, to, *sast.key, *sast.cert);
  ASSERT_TRUE(itl);
  ASSERT_TRUE(write_file_atomic(www / "ITLSEP0011223344DD.tlv", *itl));
  auto sgn = c.cat->fetch("SEP0011223344DD.cnf.xml.sgn");
  ASSERT_TRUE(sgn);
  ASSERT_TRUE(write_file_atomic(www / "SEP0011223344DD.cnf.xml.sgn", *sgn->bytes));
  DoctoredServer srv(www);
  auto r = boot(http_only("SEP0011223344DD", temp("nocapf-phone"), srv.port()));
  ASSERT_TRUE(r);
  EXPECT_FALSE(r->full_config);
  EXPECT_FALSE(r->capf_ran);
  EXPECT_NE(r->failure.find("no CAPF certificate"), std::string::npos) << r->failure;
}

// Issue 19, item 2: the servers and the phone each keep a TLS key log. Both ends of a session
// derive the same secrets, so two logs written independently hold the same lines: proof that they
// are the sessions' real secrets, in the NSS format Wireshark reads. A 79xx speaks TLS 1.0 to CAPF
// (one CLIENT_RANDOM line per session), an 88xx TLS 1.3 (five labelled secrets per session).
TEST(TlsKeyLog, ServerAndPhoneLogTheSameSecretsOfEverySession) {
  auto server_log = signer::TlsKeyLog::open(temp("keylog-server.log"));
  auto phone_log = signer::TlsKeyLog::open(temp("keylog-phone.log"));
  ASSERT_TRUE(server_log && phone_log);
  Cluster c(temp("keylog"), true, true, 0, *server_log);
  c.add("SEPA45630BBFA50", kEncrypted);
  c.add("SEPA45630BBFA51", kEncrypted);
  ClientTlsContexts contexts(*phone_log);
  auto old = c.boot_options("SEPA45630BBFA50", temp("keylog-79xx"));
  old.profile = *firmware_profile("79xx");
  old.tls_contexts = &contexts;
  auto r79 = boot(old);
  ASSERT_TRUE(r79 && r79->full_config && r79->capf_ran);
  auto modern = c.boot_options("SEPA45630BBFA51", temp("keylog-88xx"));
  modern.tls_contexts = &contexts;
  modern.ask_tvs = true;  // a TVS session too
  auto r88 = boot(modern);
  ASSERT_TRUE(r88 && r88->full_config && r88->capf_ran);

  auto lines = [](const fs::path& f) {
    std::multiset<std::string> out;
    std::ifstream in(f);
    for (std::string l; std::getline(in, l);) out.insert(l);
    return out;
  };
  auto server = lines(temp("keylog-server.log")), phone = lines(temp("keylog-phone.log"));
  // With RSA key transport (the 79xx's AES128-SHA) the client also logs the premaster secret
  // under the first bytes of its encryption ("RSA ..."), which the server never sees as such.
  auto rsa = std::erase_if(phone, [](const std::string& l) { return l.starts_with("RSA "); });
  EXPECT_EQ(rsa, 1u);
  EXPECT_EQ(server, phone);
  // 79xx CAPF: TLS 1.0, one line; 88xx CAPF and TVS: TLS 1.3, five lines each.
  std::map<std::string, int> labels;
  const std::regex line(R"(^([A-Z_0]+) [0-9a-f]{64} ([0-9a-f]{64}|[0-9a-f]{96})$)");
  for (const auto& l : server) {
    std::smatch m;
    ASSERT_TRUE(std::regex_match(l, m, line)) << l;
    ++labels[m[1]];
  }
  EXPECT_EQ(labels["CLIENT_RANDOM"], 1);
  for (const char* label : {"CLIENT_HANDSHAKE_TRAFFIC_SECRET", "SERVER_HANDSHAKE_TRAFFIC_SECRET",
                            "CLIENT_TRAFFIC_SECRET_0", "SERVER_TRAFFIC_SECRET_0", "EXPORTER_SECRET"}) {
    EXPECT_EQ(labels[label], 2) << label;
  }
  EXPECT_EQ((*server_log)->lines(), server.size());
  EXPECT_EQ(fs::status(temp("keylog-server.log")).permissions() & fs::perms::all, fs::perms::owner_read | fs::perms::owner_write);
}

}  // namespace
}  // namespace cucm::phone
