// The CAPF session engine without a socket or a database: conversations fed message by message,
// with a fixed clock and serial, checking what it sends, what it asks to commit and what it
// leaves behind.
#include "capf/proto/engine.hpp"

#include <gtest/gtest.h>

#include <variant>

#include "core/encoding.hpp"
#include "signer/capf_signature.hpp"
#include "signer/cert.hpp"
#include "signer/chain_verifier.hpp"
#include "signer/cert_builder.hpp"
#include "signer/keys.hpp"

namespace cucm::capf {
namespace {

constexpr std::time_t kNow = 1'767'225'600;  // 2026-01-01 00:00:00 UTC

class EngineTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    signer::KeySpec ec;
    ec.kind = signer::KeyKind::Ec;
    ca_key_ = signer::generate_key(ec)->release();
    signer::CertRequest req;
    req.subject = {{"CN", "CAPF-test"}};
    req.not_before = kNow - 86'400;  // valid by the engine's clock
    ca_ = signer::make_self_signed(*ca_key_, req)->release();
    mfg_key_ = signer::generate_key(ec)->release();
    req.subject = {{"CN", "Test Manufacturing CA"}};
    mfg_ = signer::make_self_signed(*mfg_key_, req)->release();
    verifier_ = new signer::ChainVerifier;
    ASSERT_TRUE(verifier_->add_anchor(*ca_));
    ASSERT_TRUE(verifier_->add_anchor(*mfg_));
  }
  static void TearDownTestSuite() {
    delete verifier_;
    X509_free(mfg_);
    EVP_PKEY_free(mfg_key_);
    X509_free(ca_);
    EVP_PKEY_free(ca_key_);
  }
  void SetUp() override {
    cfg_.ca = ca_;
    cfg_.ca_key = ca_key_;
    cfg_.verifier = verifier_;
    cfg_.now = [] { return kNow; };
    cfg_.serial = [] { return std::array<std::uint8_t, 16>{0x11, 0x22, 0x33}; };
    device_.name = "SEP001122334455";
    device_.operation = Operation::Install;
  }

  static Message msg(Command c) {
    Message m;
    m.command = c;
    m.sid = 1;
    return m;
  }
  static Message parsed(const Bytes& b) {
    auto m = parse_message(b);
    EXPECT_TRUE(m) << (m ? "" : m.error().message);
    return m ? *m : Message{};
  }
  // Start, AuthResponse and the lookup's answer: what the engine sends next.
  Step authenticated(Engine& e) {
    EXPECT_EQ(parsed(e.start().send.at(0)).command, Command::AuthRequest);
    Message auth = msg(Command::AuthResponse);
    auth.device_name = device_.name;
    Step s = e.on_message(auth);
    EXPECT_EQ(s.lookup, device_.name);
    return e.on_device(device_);
  }
  Message keygen_response(const signer::KeySpec& spec) {
    auto key = signer::generate_key(spec);
    Message k = msg(Command::KeyGenResponse);
    k.public_key = *signer::public_key_spki_der(**key);
    return k;
  }

  // A phone certificate for `cn`, issued by `issuer` (self-signed without one), valid from
  // `from` for `days`, with its key.
  struct PhoneCert {
    signer::X509Ptr cert;
    signer::PkeyPtr key;
  };
  static PhoneCert phone_cert(const std::string& cn, X509* issuer, EVP_PKEY* issuer_key,
                              std::time_t from = kNow - 86'400, int days = 3650) {
    signer::KeySpec ec;
    ec.kind = signer::KeyKind::Ec;
    PhoneCert p;
    p.key = std::move(*signer::generate_key(ec));
    signer::CertRequest req;
    req.subject = {{"CN", cn}};
    req.is_ca = false;
    req.not_before = from;
    req.days = days;
    p.cert = issuer ? std::move(*signer::issue_cert(*p.key, req, *issuer, *issuer_key))
                    : std::move(*signer::make_self_signed(*p.key, req));
    return p;
  }
  // An AuthResponse for device_ with `cert`, its signatures made with `signer_key`.
  Message auth_with(const X509& cert, EVP_PKEY& signer_key) const {
    Message auth = msg(Command::AuthResponse);
    auth.device_name = device_.name;
    auth.certificate = signer::cert_der(cert);
    Bytes data = auth_signed_data(device_.name, *auth.certificate);
    auth.signed_data = *signer::capf_sign(signer_key, signer::HashAlg::Sha1, data);
    auth.sha2_signed_data = *signer::capf_sign(signer_key, signer::HashAlg::Sha512, data);
    auth.sha2_hash_code = 3;
    return auth;
  }
  // A session with no operation pending, given `auth`: the step after the lookup.
  Step record_attempt(Engine& e, const Message& auth) {
    device_.operation = Operation::None;
    e.start();
    EXPECT_EQ(e.on_message(auth).lookup, device_.name);
    return e.on_device(device_);
  }
  static bool has_event_with(const Step& s, const std::string& text) {
    for (const auto& effect : s.effects) {
      if (const auto* ev = std::get_if<EventRecord>(&effect); ev && ev->result.find(text) != std::string::npos) return true;
    }
    return false;
  }

  static inline X509* ca_ = nullptr;
  static inline EVP_PKEY* ca_key_ = nullptr;
  static inline X509* mfg_ = nullptr;
  static inline EVP_PKEY* mfg_key_ = nullptr;
  static inline signer::ChainVerifier* verifier_ = nullptr;
  EngineConfig cfg_;
  DeviceFacts device_;
};

TEST_F(EngineTest, InstallIssuesWithTheGivenClockAndSerialAndCommitsOnlyOnConfirmation) {
  Engine e(1, cfg_);
  Step s = authenticated(e);
  Message kg = parsed(s.send.at(0));
  EXPECT_EQ(kg.command, Command::KeyGenRequest);
  EXPECT_EQ(kg.key_size, 2048);
  s = e.on_message(keygen_response({}));
  ASSERT_FALSE(s.commit);  // nothing changes before the phone confirms
  Message store = parsed(s.send.at(0));
  ASSERT_EQ(store.command, Command::StoreCertRequest);
  auto lsc = signer::load_cert(*store.certificate);
  ASSERT_TRUE(lsc);
  EXPECT_EQ(signer::not_before(**lsc), kNow);
  EXPECT_EQ(to_hex(signer::serial_bytes(**lsc)).substr(0, 6), "112233");
  Message ok = msg(Command::StoreCertResponse);
  ok.reason = static_cast<std::uint8_t>(Reason::UpdateCertificate);
  s = e.on_message(ok);
  ASSERT_TRUE(s.commit);
  EXPECT_TRUE(s.send.empty());  // the End waits for the commit
  EXPECT_EQ(s.commit->started_with, Operation::Install);
  EXPECT_EQ(s.commit->status, OperationStatus::UpgradeSuccess);
  EXPECT_EQ(s.commit->der, *store.certificate);
  EXPECT_EQ(s.commit->at, "2026-01-01 00:00:00");
  s = e.on_committed(Ok{});
  EXPECT_EQ(parsed(s.send.at(0)).reason, static_cast<std::uint8_t>(Reason::UpdateCertificate));
  EXPECT_TRUE(s.close);
  bool issued = false;
  for (const auto& effect : s.effects) issued = issued || std::holds_alternative<IssuedRecord>(effect);
  EXPECT_TRUE(issued);
  EXPECT_TRUE(e.done());
}

TEST_F(EngineTest, AWeakerKeyThanAskedForIsRefusedAndNothingIsIssued) {
  Engine e(1, cfg_);
  authenticated(e);
  signer::KeySpec weak;
  weak.rsa_bits = 1024;
  Step s = e.on_message(keygen_response(weak));
  ASSERT_TRUE(s.commit);  // the failure is the device's status
  EXPECT_EQ(s.commit->status, OperationStatus::Failed);
  EXPECT_EQ(s.commit->certificate, Commit::Certificate::Keep);
  EXPECT_NE(s.commit->failure.find("RSA 1024 but RSA 2048 was asked for"), std::string::npos) << s.commit->failure;
  s = e.on_committed(Ok{});
  EXPECT_EQ(parsed(s.send.at(0)).reason, static_cast<std::uint8_t>(Reason::InvalidElement));
}

TEST_F(EngineTest, AnOperationChangedDuringTheSessionLeavesNothingRecorded) {
  Engine e(1, cfg_);
  authenticated(e);
  Step s = e.on_message(keygen_response({}));
  Message ok = msg(Command::StoreCertResponse);
  ok.reason = static_cast<std::uint8_t>(Reason::UpdateCertificate);
  s = e.on_message(ok);
  ASSERT_TRUE(s.commit);
  s = e.on_committed(make_error(Errc::AlreadyExists, "the CAPF operation changed from 'install' to 'delete'"));
  ASSERT_FALSE(s.commit);  // no second commit of a failure over the new schedule
  EXPECT_EQ(parsed(s.send.at(0)).reason, static_cast<std::uint8_t>(Reason::InvalidElement));
  for (const auto& effect : s.effects) EXPECT_FALSE(std::holds_alternative<IssuedRecord>(effect));
  EXPECT_NE(e.outcome().find("nothing recorded"), std::string::npos) << e.outcome();
}

TEST_F(EngineTest, APassedDeadlineFailsByTheGivenClock) {
  device_.deadline = "2025-12-31 23:59:59";  // one second before kNow
  Engine e(1, cfg_);
  Step s = authenticated(e);
  ASSERT_TRUE(s.commit);
  EXPECT_NE(s.commit->failure.find("deadline"), std::string::npos);
  device_.deadline = "2026-01-01 00:00:01";
  Engine later(1, cfg_);
  EXPECT_EQ(parsed(authenticated(later).send.at(0)).command, Command::KeyGenRequest);
}

TEST_F(EngineTest, NoOperationRecordsAMicIssuedByATrustedCaForThisDevice) {
  PhoneCert mic = phone_cert(device_.name, mfg_, mfg_key_);
  Engine e(1, cfg_);
  Step s = record_attempt(e, auth_with(*mic.cert, *mic.key));
  ASSERT_TRUE(s.commit);
  EXPECT_EQ(s.commit->certificate, Commit::Certificate::Record);
  EXPECT_EQ(s.commit->kind, CertKind::Mic);
  EXPECT_EQ(s.commit->started_with, Operation::None);
  EXPECT_EQ(s.commit->status, OperationStatus::Unchanged);
}

TEST_F(EngineTest, NoOperationRecordsAnLscOfThisCapfAsAnLsc) {
  PhoneCert lsc = phone_cert(device_.name, ca_, ca_key_);
  Engine e(1, cfg_);
  Step s = record_attempt(e, auth_with(*lsc.cert, *lsc.key));
  ASSERT_TRUE(s.commit);
  EXPECT_EQ(s.commit->kind, CertKind::Lsc);
}

TEST_F(EngineTest, ACiscoStyleMicNameEndingWithTheDeviceIsTheDevices) {
  PhoneCert mic = phone_cert("CP-8845-" + device_.name, mfg_, mfg_key_);
  Engine e(1, cfg_);
  EXPECT_TRUE(record_attempt(e, auth_with(*mic.cert, *mic.key)).commit);
}

// Issue 16, item 2: what an attacker presented was recorded, and the next .enc.sgn was made for
// the attacker's key. Each of these must end with End{7}, nothing to commit, and an event saying why.
TEST_F(EngineTest, ASelfSignedCertificateIsNeverRecorded) {
  PhoneCert self = phone_cert(device_.name, nullptr, nullptr);
  Engine e(1, cfg_);
  Step s = record_attempt(e, auth_with(*self.cert, *self.key));
  EXPECT_FALSE(s.commit);
  EXPECT_EQ(parsed(s.send.at(0)).reason, static_cast<std::uint8_t>(Reason::InvalidElement));
  EXPECT_TRUE(has_event_with(s, "certificate not recorded")) << e.outcome();
  EXPECT_NE(e.outcome().find("self-signed"), std::string::npos) << e.outcome();
}

TEST_F(EngineTest, ACertificateFromAnUnknownCaIsNeverRecorded) {
  signer::KeySpec ec;
  ec.kind = signer::KeyKind::Ec;
  auto rogue_key = signer::generate_key(ec);
  signer::CertRequest req;
  req.subject = {{"CN", "Rogue CA"}};
  req.not_before = kNow - 86'400;
  auto rogue = signer::make_self_signed(**rogue_key, req);
  PhoneCert cert = phone_cert(device_.name, rogue->get(), rogue_key->get());
  Engine e(1, cfg_);
  Step s = record_attempt(e, auth_with(*cert.cert, *cert.key));
  EXPECT_FALSE(s.commit);
  EXPECT_NE(e.outcome().find("unable to get local issuer certificate"), std::string::npos) << e.outcome();
}

TEST_F(EngineTest, AnotherDevicesCertificateIsNeverRecorded) {
  PhoneCert other = phone_cert("SEP00000000BEEF", mfg_, mfg_key_);
  Engine e(1, cfg_);
  Step s = record_attempt(e, auth_with(*other.cert, *other.key));
  EXPECT_FALSE(s.commit);
  EXPECT_NE(e.outcome().find("is not SEP001122334455's"), std::string::npos) << e.outcome();
}

TEST_F(EngineTest, AnExpiredOrNotYetValidMicIsNeverRecorded) {
  PhoneCert expired = phone_cert(device_.name, mfg_, mfg_key_, kNow - 20 * 86'400, 10);
  Engine e(1, cfg_);
  EXPECT_FALSE(record_attempt(e, auth_with(*expired.cert, *expired.key)).commit);
  EXPECT_NE(e.outcome().find("expired"), std::string::npos) << e.outcome();
  PhoneCert future = phone_cert(device_.name, mfg_, mfg_key_, kNow + 86'400);
  Engine later(1, cfg_);
  EXPECT_FALSE(record_attempt(later, auth_with(*future.cert, *future.key)).commit);
  EXPECT_NE(later.outcome().find("not yet valid"), std::string::npos) << later.outcome();
}

TEST_F(EngineTest, ATrustedCertificateWithoutProofOfItsKeyIsNeverRecorded) {
  PhoneCert mic = phone_cert(device_.name, mfg_, mfg_key_);
  PhoneCert thief = phone_cert(device_.name, nullptr, nullptr);
  Engine e(1, cfg_);
  // Someone's genuine MIC, replayed without its private key: signed with another key.
  EXPECT_FALSE(record_attempt(e, auth_with(*mic.cert, *thief.key)).commit);
  EXPECT_NE(e.outcome().find("bad SignedData"), std::string::npos) << e.outcome();
  Message bare = msg(Command::AuthResponse);
  bare.device_name = device_.name;
  bare.certificate = signer::cert_der(*mic.cert);
  Engine no_signature(1, cfg_);
  EXPECT_FALSE(record_attempt(no_signature, bare).commit);
  EXPECT_NE(no_signature.outcome().find("needs Certificate, SignedData and Sha2SignedData"), std::string::npos);
}

TEST_F(EngineTest, ExistingCertificateAuthenticationUsesTheSameChecks) {
  device_.auth_mode = AuthMode::MicFirst;
  PhoneCert self = phone_cert(device_.name, nullptr, nullptr);
  Engine e(1, cfg_);
  e.start();
  e.on_message(auth_with(*self.cert, *self.key));
  Step s = e.on_device(device_);  // the install fails: its status is committed
  ASSERT_TRUE(s.commit);
  EXPECT_EQ(s.commit->status, OperationStatus::Failed);
  EXPECT_NE(s.commit->failure.find("self-signed"), std::string::npos) << s.commit->failure;
  PhoneCert mic = phone_cert(device_.name, mfg_, mfg_key_);
  Engine good(1, cfg_);
  good.start();
  good.on_message(auth_with(*mic.cert, *mic.key));
  EXPECT_EQ(parsed(good.on_device(device_).send.at(0)).command, Command::KeyGenRequest);
}

// Found by capf_engine_fuzz: garbage after the End once made a second "Failed" commit.
TEST_F(EngineTest, NothingHappensAfterTheEnd) {
  Engine e(1, cfg_);
  authenticated(e);
  Step s = e.on_message(msg(Command::KeyGenResponse));  // no PublicKey: the session fails
  ASSERT_TRUE(s.commit);
  e.on_committed(Ok{});
  ASSERT_TRUE(e.done());
  s = e.on_bad_bytes(make_error(Errc::InvalidArgument, "capf: garbage"));
  EXPECT_FALSE(s.commit);
  EXPECT_TRUE(s.send.empty());
  s = e.on_message(msg(Command::AuthResponse));
  EXPECT_FALSE(s.commit);
  EXPECT_FALSE(s.lookup);
  EXPECT_TRUE(s.send.empty());
}

TEST_F(EngineTest, UnknownDeviceEndsWithReasonNine) {
  Engine e(1, cfg_);
  e.start();
  Message auth = msg(Command::AuthResponse);
  auth.device_name = "SEP000000000000";
  e.on_message(auth);
  Step s = e.on_device(make_error(Errc::NotFound, "unknown device SEP000000000000"));
  EXPECT_FALSE(s.commit);
  EXPECT_EQ(parsed(s.send.at(0)).reason, static_cast<std::uint8_t>(Reason::UnknownDevice));
}

// What the server's session counter reads once a session is done: how it ended, and the
// device's operation (none known when the phone named no device on record).
TEST_F(EngineTest, EachSessionEndsWithAnEndingAndTheOperation) {
  Engine installed(1, cfg_);
  authenticated(installed);
  installed.on_message(keygen_response({}));
  Message ok = msg(Command::StoreCertResponse);
  ok.reason = static_cast<std::uint8_t>(Reason::UpdateCertificate);
  installed.on_message(ok);
  installed.on_committed(Ok{});
  EXPECT_EQ(installed.ending(), Ending::Ok);
  EXPECT_EQ(installed.operation(), Operation::Install);

  Engine weak(1, cfg_);
  authenticated(weak);
  signer::KeySpec small;
  small.rsa_bits = 1024;
  weak.on_message(keygen_response(small));
  weak.on_committed(Ok{});
  EXPECT_EQ(weak.ending(), Ending::Failed);

  Engine unknown(1, cfg_);
  unknown.start();
  Message auth = msg(Command::AuthResponse);
  auth.device_name = "SEP00000000FFFF";
  unknown.on_message(auth);
  unknown.on_device(make_error(Errc::NotFound, "capf: no device SEP00000000FFFF"));
  EXPECT_EQ(unknown.ending(), Ending::UnknownDevice);
  EXPECT_EQ(unknown.operation(), std::nullopt);

  Engine left(1, cfg_);
  authenticated(left);
  left.on_disconnect();
  EXPECT_EQ(left.ending(), Ending::Disconnected);
  EXPECT_EQ(left.operation(), Operation::Install);

  Engine old(1, cfg_);
  old.on_tls_refused("TLS 1.0 only");
  EXPECT_EQ(old.ending(), Ending::TlsRefused);
  EXPECT_EQ(ending_name(Ending::UnknownDevice), "unknown_device");
  EXPECT_EQ(ending_name(Ending::Ok), "ok");
}

}  // namespace
}  // namespace cucm::capf
