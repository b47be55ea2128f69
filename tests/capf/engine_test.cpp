// The CAPF session engine without a socket or a database: conversations fed message by message,
// with a fixed clock and serial, checking what it sends, what it asks to commit and what it
// leaves behind.
#include "capf/proto/engine.hpp"

#include <gtest/gtest.h>

#include <variant>

#include "core/encoding.hpp"
#include "signer/cert.hpp"
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
    ca_ = signer::make_self_signed(*ca_key_, req)->release();
  }
  static void TearDownTestSuite() {
    X509_free(ca_);
    EVP_PKEY_free(ca_key_);
  }
  void SetUp() override {
    cfg_.ca = ca_;
    cfg_.ca_key = ca_key_;
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

  static inline X509* ca_ = nullptr;
  static inline EVP_PKEY* ca_key_ = nullptr;
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

TEST_F(EngineTest, NoOperationRecordsTheCertificateTheyAuthenticatedWith) {
  device_.operation = Operation::None;
  signer::KeySpec ec;
  ec.kind = signer::KeyKind::Ec;
  auto key = signer::generate_key(ec);
  signer::CertRequest req;
  req.subject = {{"CN", device_.name}};
  auto mic = signer::make_self_signed(**key, req);
  Engine e(1, cfg_);
  e.start();
  Message auth = msg(Command::AuthResponse);
  auth.device_name = device_.name;
  auth.certificate = signer::cert_der(**mic);
  e.on_message(auth);
  Step s = e.on_device(device_);
  ASSERT_TRUE(s.commit);
  EXPECT_EQ(s.commit->kind, CertKind::Mic);
  EXPECT_EQ(s.commit->started_with, Operation::None);
  EXPECT_EQ(s.commit->status, OperationStatus::Unchanged);
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

}  // namespace
}  // namespace cucm::capf
