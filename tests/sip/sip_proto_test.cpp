// SIP messages through libosip2, stream framing, digest authentication and the registrar's
// decisions, without a socket.
#include <gtest/gtest.h>

#include "core/bytes.hpp"
#include "sip/proto/builder.hpp"
#include "sip/proto/digest_auth.hpp"
#include "sip/proto/framer.hpp"
#include "sip/proto/message.hpp"
#include "sip/proto/registrar.hpp"

namespace cucm::sip {
namespace {

RequestSpec register_spec(const std::string& dn = "1001") {
  RequestSpec r;
  r.uri = "sip:127.0.0.1:5061;transport=tls";
  r.via_host = "127.0.0.1:40000";
  r.branch = "z9hG4bK1234";
  r.from_uri = "sip:" + dn + "@127.0.0.1";
  r.from_tag = "abc";
  r.to_uri = r.from_uri;
  r.call_id = "call-1@127.0.0.1";
  r.contact = "<sip:" + dn + "@127.0.0.1:40000;transport=tls>;+sip.instance=\"<urn:uuid:00000000-0000-0000-0000-001122334455>\"";
  r.expires = 3600;
  return r;
}

Message parsed(const std::string& text) {
  auto m = parse_message(text);
  EXPECT_TRUE(m) << m.error().message;
  return m ? std::move(*m) : Message{};
}

// A header line of `text` removed.
std::string without(std::string text, const std::string& header) {
  auto at = text.find(header + ":");
  if (at == std::string::npos) return text;
  return text.erase(at, text.find("\r\n", at) + 2 - at);
}

TEST(SipMessage, ParsesARegisterIntoItsFields) {
  Message m = parsed(build_request(register_spec()));
  EXPECT_TRUE(m.request);
  EXPECT_EQ(m.method, "REGISTER");
  EXPECT_EQ(m.to.user, "1001");
  EXPECT_EQ(m.from.tag, "abc");
  EXPECT_EQ(m.call_id, "call-1@127.0.0.1");
  EXPECT_EQ(m.cseq, 1u);
  EXPECT_EQ(m.via_branch, "z9hG4bK1234");
  ASSERT_EQ(m.contacts.size(), 1u);
  EXPECT_EQ(m.contacts[0].instance, "urn:uuid:00000000-0000-0000-0000-001122334455");
  EXPECT_EQ(m.expires, 3600);
}

TEST(SipMessage, EachMandatoryHeaderMissingIsNamed) {
  std::string good = build_request(register_spec());
  for (const char* h : {"Via", "From", "To", "Call-ID", "CSeq"}) {
    auto m = parse_message(without(good, h));
    ASSERT_FALSE(m) << h;
    EXPECT_NE(m.error().message.find(h), std::string::npos) << m.error().message;
  }
}

TEST(SipMessage, RefusesACSeqForAnotherMethodAndAWrongContentLength) {
  std::string good = build_request(register_spec());
  std::string other = good;
  other.replace(other.find("1 REGISTER"), 10, "1 INVITE");
  auto m = parse_message(other);
  ASSERT_FALSE(m);
  EXPECT_NE(m.error().message.find("CSeq method INVITE vs request method REGISTER"), std::string::npos);
  std::string longer = good;
  longer.replace(longer.find("Content-Length: 0"), 17, "Content-Length: 10");
  m = parse_message(longer);
  ASSERT_FALSE(m);
  EXPECT_NE(m.error().message.find("Content-Length 10 vs 0 bytes of body"), std::string::npos) << m.error().message;
  EXPECT_FALSE(parse_message("not sip at all\r\n\r\n"));
}

TEST(SipMessage, AResponseEchoesTheDialogHeadersAndAddsAToTag) {
  Message req = parsed(build_request(register_spec()));
  ResponseExtras x;
  x.to_tag = "srv1";
  x.contacts = {"<sip:1001@127.0.0.1:40000>;expires=600"};
  x.warning = "why \"quoted\"";
  auto text = build_response(req, 403, "Forbidden (certificate CN)", x);
  ASSERT_TRUE(text) << text.error().message;
  Message r = parsed(*text);
  EXPECT_FALSE(r.request);
  EXPECT_EQ(r.status, 403);
  EXPECT_EQ(r.reason, "Forbidden (certificate CN)");
  EXPECT_EQ(r.via_branch, "z9hG4bK1234");
  EXPECT_EQ(r.to.tag, "srv1");
  EXPECT_EQ(r.call_id, req.call_id);
  EXPECT_NE(text->find("Warning: 399 cucm-emu \"why quoted\""), std::string::npos) << *text;
}

TEST(SipFramer, FramesByBlankLineAndContentLengthFedAByteAtATime) {
  std::string two = build_request(register_spec("1")) + build_request(register_spec("2"));
  StreamFramer f;
  std::vector<std::string> users;
  for (char c : two) {
    f.feed(std::string_view(&c, 1));
    auto next = f.next();
    ASSERT_TRUE(next) << next.error().message;
    if (*next) users.push_back(parsed((*next)->bytes).to.user);
  }
  EXPECT_EQ(users, (std::vector<std::string>{"1", "2"}));
  EXPECT_EQ(f.pending(), 0u);
}

TEST(SipFramer, AnswersKeepalivesAndRefusesEndlessHeaders) {
  StreamFramer f;
  f.feed("\r\n\r\n");
  auto ping = f.next();
  ASSERT_TRUE(ping && *ping);
  EXPECT_EQ((*ping)->kind, Frame::Kind::Ping);
  StreamFramer big;
  big.feed("REGISTER sip:x SIP/2.0\r\n" + std::string(kMaxHeaderBytes, 'a'));
  auto r = big.next();
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().code, Errc::ResourceExhausted);
  StreamFramer tls;
  tls.feed(std::string("\x16\x03\x01\x02\x00", 5));
  auto hello = tls.next();
  ASSERT_FALSE(hello);
  EXPECT_NE(hello.error().message.find("--sip-tls-port"), std::string::npos);
  StreamFramer huge_body;
  huge_body.feed("OPTIONS sip:x SIP/2.0\r\nContent-Length: 9999999\r\n\r\n");
  EXPECT_FALSE(huge_body.next());
}

TEST(SipDigest, NoncesAreFreshThenStaleAndForgeriesAreSeen) {
  Bytes secret(32, 7);
  std::string n = make_nonce(secret, 1000);
  EXPECT_EQ(check_nonce(secret, n, 1000 + kNonceValiditySeconds), NonceVerdict::Fresh);
  EXPECT_EQ(check_nonce(secret, n, 1001 + kNonceValiditySeconds), NonceVerdict::Stale);
  EXPECT_EQ(check_nonce(Bytes(32, 8), n, 1000), NonceVerdict::Forged);
  EXPECT_EQ(check_nonce(secret, "3e8.00", 1000), NonceVerdict::Forged);
  EXPECT_EQ(check_nonce(secret, "", 1000), NonceVerdict::Forged);
}

// RFC 2617 §3.5's example, with qop=auth.
TEST(SipDigest, MatchesRfc2617sExample) {
  Digest d;
  d.username = "Mufasa";
  d.realm = "testrealm@host.com";
  d.nonce = "dcd98b7102dd2f0e8b11d0f600bfb0c093";
  d.uri = "/dir/index.html";
  d.qop = "auth";
  d.nc = "00000001";
  d.cnonce = "0a4f113b";
  EXPECT_EQ(digest_response(d, "GET", "Circle Of Life"), "6629fae49393a05397450978507c4ef1");
}

// The registrar, as a transport calls it.
class Registrar : public ::testing::Test {
 protected:
  Bytes secret_ = Bytes(32, 1);
  RegistrarConfig cfg() const { return {.nonce_secret = secret_, .now_unix = 10'000, .to_tag = "t"}; }
  static LineOwner line(int mode, std::string password = "") {
    return {"SEP001122334455", 1, "1001", "", std::move(password), mode};
  }
  static Peer tls_peer(std::string cn, ChainCheck::Verdict v = ChainCheck::Verdict::Ok, std::string type = "LSC") {
    PeerCertificate c;
    c.cn = cn;
    c.names = {cn};
    c.type = std::move(type);
    c.phone = {v, v == ChainCheck::Verdict::Ok ? "" : "certificate CN=x: certificate has expired"};
    return {Transport::Tls, "127.0.0.1:1", c};
  }
};

TEST_F(Registrar, UnknownNumberIs404AndAmbiguousIs403) {
  Message m = parsed(build_request(register_spec()));
  EXPECT_EQ(on_register(m, {Transport::Udp, "a", {}}, {}, cfg()).code, 404);
  RequestSpec s = register_spec();
  s.contact = "<sip:1001@127.0.0.1:40000>";
  LineOwner a = line(1), b = line(1);
  b.device = "SEP00112233AABB";
  Decision d = on_register(parsed(build_request(s)), {Transport::Udp, "a", {}}, {a, b}, cfg());
  EXPECT_EQ(d.code, 403);
  EXPECT_EQ(d.failed_check, "device");
  // The +sip.instance of the default spec names SEP001122334455.
  EXPECT_EQ(on_register(m, {Transport::Udp, "a", {}}, {b, a}, cfg()).bind->device, "SEP001122334455");
}

TEST_F(Registrar, ASecureProfileNeedsTlsAClientCertificateAGoodChainAndItsName) {
  Message m = parsed(build_request(register_spec()));
  auto check = [&](const Peer& p) { return on_register(m, p, {line(3)}, cfg()).failed_check; };
  EXPECT_EQ(check({Transport::Udp, "a", {}}), "transport");
  EXPECT_EQ(check({Transport::Tcp, "a", {}}), "transport");
  EXPECT_EQ(check({Transport::Tls, "a", {}}), "client certificate");
  EXPECT_EQ(check(tls_peer("SEP001122334455", ChainCheck::Verdict::Untrusted)), "certificate chain");
  EXPECT_EQ(check(tls_peer("SEP001122334455", ChainCheck::Verdict::Expired)), "certificate validity");
  EXPECT_EQ(check(tls_peer("SEP0011223344FF")), "certificate CN");
  Decision ok = on_register(m, tls_peer("CP-8845-SEP001122334455", ChainCheck::Verdict::Ok, "MIC"), {line(2)}, cfg());
  EXPECT_EQ(ok.code, 200) << ok.result;
  ASSERT_TRUE(ok.bind);
  EXPECT_EQ(ok.bind->cert_type, "MIC");
  EXPECT_EQ(ok.bind->expires, 3600);
  EXPECT_EQ(ok.extras.contacts.size(), 1u);
  EXPECT_EQ(ok.reason, "OK");
}

TEST_F(Registrar, ExpiresIsClampedAndZeroUnregisters) {
  RequestSpec s = register_spec();
  s.expires = 5;
  Decision d = on_register(parsed(build_request(s)), {Transport::Udp, "a", {}}, {line(1)}, cfg());
  ASSERT_TRUE(d.bind);
  EXPECT_EQ(d.bind->expires, 60);
  s.expires = 0;
  d = on_register(parsed(build_request(s)), {Transport::Udp, "a", {}}, {line(1)}, cfg());
  EXPECT_FALSE(d.bind);
  ASSERT_TRUE(d.unbind);
  EXPECT_EQ(d.code, 200);
}

TEST_F(Registrar, ALineWithAPasswordIsChallengedThenAdmittedOrRefused) {
  Message first = parsed(build_request(register_spec()));
  Decision c = on_register(first, {Transport::Udp, "a", {}}, {line(1, "pw")}, cfg());
  ASSERT_EQ(c.code, 401);
  auto text = build_response(first, c.code, c.reason, c.extras);
  ASSERT_TRUE(text);
  Message challenge = parsed(*text);
  ASSERT_TRUE(challenge.challenge);
  for (auto [password, code] : {std::pair{"pw", 200}, std::pair{"wrong", 403}}) {
    RequestSpec s = register_spec();
    s.cseq = 2;
    s.authorization = authorization_value(*challenge.challenge, "REGISTER", s.uri, "1001", password, "cn1");
    Decision d = on_register(parsed(build_request(s)), {Transport::Udp, "a", {}}, {line(1, "pw")}, cfg());
    EXPECT_EQ(d.code, code) << d.result;
  }
  // A nonce past its validity is challenged again, marked stale.
  RequestSpec s = register_spec();
  s.authorization = authorization_value(*challenge.challenge, "REGISTER", s.uri, "1001", "pw", "cn1");
  RegistrarConfig later = cfg();
  later.now_unix += kNonceValiditySeconds + 1;
  Decision d = on_register(parsed(build_request(s)), {Transport::Udp, "a", {}}, {line(1, "pw")}, later);
  EXPECT_EQ(d.code, 401);
  EXPECT_NE(d.extras.www_authenticate.find("stale=true"), std::string::npos);
}

TEST_F(Registrar, OptionsAdmitsTrunkPeersByTheirSubjectName) {
  RequestSpec s = register_spec();
  s.method = "OPTIONS";
  Message m = parsed(build_request(s));
  EXPECT_EQ(on_options(m, {Transport::Udp, "a", {}}, {}, cfg()).code, 200);
  PeerCertificate c;
  c.cn = "cucm-b";
  c.names = {"cucm-b", "cucm-b.example.com"};
  c.trunk = {ChainCheck::Verdict::Ok, ""};
  Peer p{Transport::Tls, "a", c};
  std::vector<TrunkPeer> trunks{{"to-b", {"CUCM-B.example.com"}, true, "127.0.0.1"}};
  EXPECT_EQ(on_options(m, p, trunks, cfg()).code, 200);
  EXPECT_EQ(on_options(m, p, {{"to-c", {"cucm-c"}, true, "127.0.0.1"}}, cfg()).failed_check, "x509 subject name");
  std::vector<TrunkPeer> elsewhere{{"to-b", {"cucm-b"}, false, "192.0.2.7"}};
  EXPECT_EQ(on_options(m, p, elsewhere, cfg()).failed_check, "trunk peer address");
  p.cert->trunk = {ChainCheck::Verdict::Untrusted, "unable to get local issuer certificate"};
  EXPECT_EQ(on_options(m, p, trunks, cfg()).failed_check, "trunk certificate chain");
  EXPECT_EQ(on_options(m, {Transport::Tls, "a", {}}, trunks, cfg()).failed_check, "client certificate");
}

TEST_F(Registrar, AckIsNeverAnsweredAndOtherMethodsAre405) {
  RequestSpec s = register_spec();
  s.method = "ACK";
  EXPECT_FALSE(on_other(parsed(build_request(s)), cfg()).respond);
  s.method = "INVITE";
  Decision d = on_other(parsed(build_request(s)), cfg());
  EXPECT_EQ(d.code, 405);
  EXPECT_EQ(d.extras.allow, "REGISTER, OPTIONS");
}

TEST(SipNames, ACertificateNamesItsDeviceAsAnLscOrAMicDoes) {
  EXPECT_TRUE(cn_names_device("SEP001122334455", "SEP001122334455"));
  EXPECT_TRUE(cn_names_device("sep001122334455", "SEP001122334455"));
  EXPECT_TRUE(cn_names_device("CP-8845-SEP001122334455", "SEP001122334455"));
  EXPECT_FALSE(cn_names_device("XSEP001122334455", "SEP001122334455"));
  EXPECT_FALSE(cn_names_device("SEP00112233445", "SEP001122334455"));
}

}  // namespace
}  // namespace cucm::sip
