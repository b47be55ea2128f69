// Issue 21 item 4: a SIP phone registers its lines once its full config is in, against the real
// registrar of cluster::Services on loopback: over TLS with its LSC on an encrypted profile, over
// UDP on a non-secure one, after a digest challenge for a line with a password; and a config that
// names a wrong SIP port is reported without taking the full config back.
#include <ctime>

#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/udp.hpp>
#include <gtest/gtest.h>

#include "db/device_store.hpp"
#include "db/settings_store.hpp"
#include "db/sip_store.hpp"
#include "phone/boot.hpp"
#include "phone/sip_link.hpp"
#include "sip/proto/builder.hpp"
#include "sip/proto/message.hpp"
#include "tests/phone/loopback_cluster.hpp"

namespace cucm::phone {
namespace {
using namespace test;  // NOLINT: the fixture and its helpers

constexpr const char* kSipEncrypted = "Cisco 8845 - Standard SIP Encrypted Config";
constexpr const char* kSipNonSecure = "Cisco 8845 - Standard SIP Non-Secure Profile";

void add_sip_phone(Cluster& c, const std::string& name, const std::string& profile, std::vector<db::Line> lines,
                   bool install = false) {
  db::Device d;
  d.name = name;
  d.product = "Cisco 8845";
  d.protocol = "SIP";
  d.profile = profile;
  d.lines = std::move(lines);
  ASSERT_TRUE(db::DeviceStore(*c.db).add(d));
  if (install) {
    ASSERT_TRUE(db::DeviceStore(*c.db).set_capf(name, db::CapfState{"install", "", "", "Operation Pending", ""}));
  }
}

std::vector<db::SipRegistration> registrations(Cluster& c, const std::string& device) {
  auto r = db::SipStore(*c.db).registrations(std::time(nullptr), device);
  EXPECT_TRUE(r) << r.error().message;
  return r ? *r : std::vector<db::SipRegistration>{};
}

bool sip_step(const BootResult& r, const std::string& text) {
  for (const auto& s : r.ladder) {
    if (s.proto == "SIP" && s.what.find(text) != std::string::npos) return true;
  }
  return false;
}

TEST(SipRegister, AnEncryptedProfilePhoneRegistersOverTlsWithItsLsc) {
  Cluster c(temp("sip-tls"));
  add_sip_phone(c, "SEP00112233AB01", kSipEncrypted, {db::Line{1, "2001", "Alice", "", ""}}, true);
  auto r = boot(c.boot_options("SEP00112233AB01", temp("sip-tls-phone")));
  ASSERT_TRUE(r) << r.error().message;
  EXPECT_TRUE(r->capf_ran);
  EXPECT_TRUE(r->full_config) << r->failure;
  EXPECT_TRUE(r->encrypted);
  EXPECT_EQ(r->sip_transport, "tls");
  EXPECT_EQ(r->registered, 1) << r->sip_failure;
  EXPECT_EQ(r->sip_failure, "");
  EXPECT_TRUE(ladder_has(*r, "SIP server trusted"));
  EXPECT_TRUE(sip_step(*r, "REGISTER 2001"));
  EXPECT_TRUE(sip_step(*r, "200 OK"));
  auto regs = registrations(c, "SEP00112233AB01");
  ASSERT_EQ(regs.size(), 1u);
  EXPECT_EQ(regs[0].directory_number, "2001");
  EXPECT_EQ(regs[0].transport, "tls");
  EXPECT_EQ(regs[0].cert_type, "LSC");
}

TEST(SipRegister, ATlsServerWhoseCertificateIsNoCallManagerOfTheItlIsRefused) {
  // HTTPS 6971 shows a certificate the ITL lists as TFTP: a TLS server, but not a call manager.
  Cluster c(temp("sip-not-ccm"));
  add_sip_phone(c, "SEP00112233AB07", kSipEncrypted, {db::Line{1, "2008", "Fay", "", ""}}, true);
  auto o = c.boot_options("SEP00112233AB07", temp("sip-not-ccm-phone"));
  o.sip_tls_port = c.services->https_port();
  auto r = boot(o);
  ASSERT_TRUE(r) << r.error().message;
  EXPECT_TRUE(r->full_config) << r->failure;
  EXPECT_EQ(r->registered, 0);
  EXPECT_EQ(r->sip_transport, "tls");
  EXPECT_NE(r->sip_failure.find("is not a CallManager certificate of my ITL"), std::string::npos) << r->sip_failure;
  EXPECT_FALSE(sip_step(*r, "REGISTER"));  // nothing is sent to a server the phone does not trust
}

TEST(SipRegister, ANonSecurePhoneRegistersEveryLineOverUdp) {
  Cluster c(temp("sip-udp"));
  add_sip_phone(c, "SEP00112233AB02", kSipNonSecure,
                {db::Line{1, "2002", "Bob", "", ""}, db::Line{2, "2003", "Bob 2", "", ""}});
  auto r = boot(c.boot_options("SEP00112233AB02", temp("sip-udp-phone")));
  ASSERT_TRUE(r) << r.error().message;
  EXPECT_TRUE(r->full_config) << r->failure;
  EXPECT_FALSE(r->capf_ran);
  EXPECT_EQ(r->sip_transport, "udp");
  EXPECT_EQ(r->registered, 2) << r->sip_failure;
  auto regs = registrations(c, "SEP00112233AB02");
  ASSERT_EQ(regs.size(), 2u);
  EXPECT_EQ(regs[0].directory_number, "2002");
  EXPECT_EQ(regs[1].directory_number, "2003");
  EXPECT_EQ(regs[0].transport, "udp");
  EXPECT_EQ(regs[0].cert_type, "");
}

TEST(SipRegister, ALineWithAPasswordRegistersAfterTheChallenge) {
  Cluster c(temp("sip-digest"));
  add_sip_phone(c, "SEP00112233AB03", kSipNonSecure,
                {db::Line{1, "2004", "Carol", "carol", "s3cret"}, db::Line{2, "2005", "Carol 2", "", "other"}});
  auto r = boot(c.boot_options("SEP00112233AB03", temp("sip-digest-phone")));
  ASSERT_TRUE(r) << r.error().message;
  EXPECT_EQ(r->registered, 2) << r->sip_failure;
  EXPECT_TRUE(sip_step(*r, "401 Unauthorized"));
  EXPECT_TRUE(sip_step(*r, "with credentials"));
  EXPECT_TRUE(sip_step(*r, "200 OK"));  // the 200 after a passed check keeps its reason phrase
  EXPECT_TRUE(ladder_has(*r, "digest as 'carol'"));
  EXPECT_TRUE(ladder_has(*r, "digest as '2005'"));  // no authName: the directory number
  EXPECT_EQ(registrations(c, "SEP00112233AB03").size(), 2u);
}

TEST(SipRegister, AConfigNamingAWrongSipPortIsReportedAndTheConfigStays) {
  Cluster c(temp("sip-wrong-port"));
  add_sip_phone(c, "SEP00112233AB04", kSipNonSecure, {db::Line{1, "2006", "Dan", "", ""}});
  std::uint16_t closed = 0;
  {
    boost::asio::io_context io;
    boost::asio::ip::udp::socket s(io, boost::asio::ip::udp::endpoint(boost::asio::ip::make_address("127.0.0.1"), 0));
    closed = s.local_endpoint().port();
  }  // closed again: nothing listens there
  ASSERT_TRUE(db::SettingsStore(*c.db).set("sip_port", std::to_string(closed)));
  auto o = c.boot_options("SEP00112233AB04", temp("sip-wrong-port-phone"));
  o.sip_port.reset();  // the config's sipPort, as a phone dials it
  auto r = boot(o);
  ASSERT_TRUE(r) << r.error().message;
  EXPECT_TRUE(r->full_config) << r->failure;
  EXPECT_EQ(r->failure, "");
  EXPECT_EQ(r->registered, 0);
  EXPECT_TRUE(r->sip_failure.starts_with("sip: udp 127.0.0.1:" + std::to_string(closed))) << r->sip_failure;
  EXPECT_TRUE(registrations(c, "SEP00112233AB04").empty());
}

TEST(SipRegister, ASecurePhoneOverUdpIsRefusedWithTheRegistrarsReason) {
  // A phone that dials the registrar's plain port for a line of an encrypted profile: the answer's
  // Warning says why, and the phone reports it.
  Cluster c(temp("sip-refused"));
  add_sip_phone(c, "SEP00112233AB05", kSipEncrypted, {db::Line{1, "2007", "Eve", "", ""}});
  SipLinkOptions lo;
  lo.port = c.services->sip_port();
  lo.transport = sip::Transport::Tcp;
  auto link = open_sip_link(lo);
  ASSERT_TRUE(link) << link.error().message;
  sip::RequestSpec rq;
  rq.uri = "sip:127.0.0.1";
  rq.transport = "TCP";
  rq.via_host = (*link)->local_address();
  rq.branch = "z9hG4bKtest1";
  rq.from_uri = rq.to_uri = "sip:2007@127.0.0.1";
  rq.from_tag = "t1";
  rq.call_id = "call-1";
  rq.contact = "<sip:2007@" + (*link)->local_address() + ";transport=tcp>";
  ASSERT_TRUE((*link)->send(sip::build_request(rq)));
  auto answer = (*link)->receive();
  ASSERT_TRUE(answer) << answer.error().message;
  auto m = sip::parse_message(*answer);
  ASSERT_TRUE(m) << m.error().message;
  EXPECT_EQ(m->status, 403);
  EXPECT_EQ(m->reason, "Forbidden (TLS required)");
  EXPECT_NE(m->warning.find("must register over TLS"), std::string::npos) << m->warning;
}

TEST(SipRegister, AnSccpPhoneDoesNotRegisterOverSip) {
  Cluster c(temp("sip-sccp"));
  c.add("SEP00112233AB06", "Cisco 7942 - Standard SCCP Non-Secure Profile");
  auto r = boot(c.boot_options("SEP00112233AB06", temp("sip-sccp-phone")));
  ASSERT_TRUE(r) << r.error().message;
  EXPECT_TRUE(r->full_config) << r->failure;
  EXPECT_TRUE(ladder_has(*r, "an SCCP phone registers over SCCP"));
  EXPECT_EQ(r->sip_transport, "");
  EXPECT_EQ(r->sip_failure, "");
}

}  // namespace
}  // namespace cucm::phone
