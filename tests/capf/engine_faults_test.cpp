// The CAPF faults of issue 18 inside the engine, without a socket: a refusal, a silence, a drop
// before StoreCertRequest, and each way an LSC is made wrong. None records anything the phone did
// not confirm, and each says "injected <fault>" in its event.
#include <gtest/gtest.h>
#include <openssl/x509v3.h>

#include <variant>

#include "capf/proto/engine.hpp"
#include "signer/cert.hpp"
#include "signer/cert_builder.hpp"
#include "signer/keys.hpp"

namespace cucm::capf {
namespace {

constexpr std::time_t kNow = 1'767'225'600;  // 2026-01-01 00:00:00 UTC

struct Ca {
  signer::PkeyPtr key;
  signer::X509Ptr cert;
};

Ca make_ca(const std::string& cn) {
  Ca ca;
  ca.key = std::move(*signer::generate_key({signer::KeyKind::Ec, 0, "prime256v1"}));
  signer::CertRequest req;
  req.subject = {{"CN", cn}};
  req.not_before = kNow - 86'400;
  ca.cert = std::move(*signer::make_self_signed(*ca.key, req));
  return ca;
}

class EngineFaults : public ::testing::Test {
 protected:
  void SetUp() override {
    cfg_.ca = ca_.cert.get();
    cfg_.ca_key = ca_.key.get();
    cfg_.stranger_ca = stranger_.cert.get();
    cfg_.stranger_ca_key = stranger_.key.get();
    cfg_.now = [] { return kNow; };
    cfg_.serial = [] { return std::array<std::uint8_t, 16>{0x42}; };
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
    EXPECT_TRUE(m);
    return m ? *m : Message{};
  }
  Step after_lookup(Engine& e) {
    e.start();
    Message auth = msg(Command::AuthResponse);
    auth.device_name = device_.name;
    EXPECT_EQ(e.on_message(auth).lookup, device_.name);
    return e.on_device(device_);
  }
  // Through the key generation: the step that answers the phone's KeyGenResponse.
  Step after_keygen(Engine& e) {
    Step s = after_lookup(e);
    EXPECT_EQ(parsed(s.send.at(0)).command, Command::KeyGenRequest);
    auto key = signer::generate_key({});
    Message k = msg(Command::KeyGenResponse);
    k.public_key = *signer::public_key_spki_der(**key);
    return e.on_message(k);
  }
  // The LSC of the StoreCertRequest that answers KeyGenResponse.
  signer::X509Ptr issued(Engine& e) {
    Step s = after_keygen(e);
    Message store = parsed(s.send.at(0));
    EXPECT_EQ(store.command, Command::StoreCertRequest);
    return store.certificate ? std::move(*signer::load_cert(*store.certificate)) : nullptr;
  }
  static bool has_event_with(const Step& s, const std::string& text) {
    for (const auto& effect : s.effects) {
      if (const auto* ev = std::get_if<EventRecord>(&effect); ev && ev->result.find(text) != std::string::npos) return true;
    }
    return false;
  }

  Ca ca_ = make_ca("CAPF-test");
  Ca stranger_ = make_ca("CAPF-of-no-cluster");
  EngineConfig cfg_;
  DeviceFacts device_;
};

TEST(SessionFaultNames, EveryNameParsesBackAndOnlyRefusalAndSilenceActWithoutAnInstall) {
  for (auto f : {SessionFault::Refuse, SessionFault::StallAfterHello, SessionFault::DropBeforeStore, SessionFault::LscWrongCn,
                 SessionFault::LscExpired, SessionFault::LscWrongEku, SessionFault::LscUnknownCa}) {
    EXPECT_EQ(parse_session_fault(session_fault_name(f)), f);
    EXPECT_TRUE(session_fault_applies(f, Operation::Install));
    bool any_op = f == SessionFault::Refuse || f == SessionFault::StallAfterHello;
    EXPECT_EQ(session_fault_applies(f, Operation::None), any_op) << session_fault_name(f);
  }
  EXPECT_FALSE(parse_session_fault("capf-tls-1.0-only"));  // the transport's, before any session
  EXPECT_FALSE(session_fault_applies(SessionFault::None, Operation::Install));
}

TEST_F(EngineFaults, RefuseEndsAtOnceWithTheReasonGivenAndCommitsNothing) {
  device_.fault = SessionFault::Refuse;
  device_.fault_reason = 9;
  Engine e(1, cfg_);
  Step s = after_lookup(e);
  EXPECT_FALSE(s.commit);  // the install stays pending for the next session
  ASSERT_EQ(s.send.size(), 1u);
  EXPECT_EQ(parsed(s.send[0]).command, Command::End);
  EXPECT_EQ(parsed(s.send[0]).reason, 9);
  EXPECT_TRUE(s.close);
  EXPECT_TRUE(has_event_with(s, "injected capf-refuse"));
}

TEST_F(EngineFaults, StallSendsNothingAndStaysSilentWhateverThePhoneSays) {
  device_.fault = SessionFault::StallAfterHello;
  Engine e(1, cfg_);
  Step s = after_lookup(e);
  EXPECT_TRUE(s.send.empty());
  EXPECT_FALSE(s.close);  // the transport's deadline or the phone ends it
  EXPECT_TRUE(has_event_with(s, "injected capf-stall-after-hello"));
  s = e.on_message(msg(Command::KeyGenResponse));
  EXPECT_TRUE(s.send.empty());
  EXPECT_FALSE(s.commit);
  s = e.on_disconnect();
  EXPECT_TRUE(e.done());
  EXPECT_EQ(e.ending(), Ending::Disconnected);
}

TEST_F(EngineFaults, DropBeforeStoreClosesWithoutAStoreCertRequestAndIssuesNothing) {
  device_.fault = SessionFault::DropBeforeStore;
  Engine e(1, cfg_);
  Step s = after_keygen(e);
  EXPECT_TRUE(s.send.empty());
  EXPECT_TRUE(s.close);
  EXPECT_FALSE(s.commit);
  for (const auto& effect : s.effects) EXPECT_FALSE(std::holds_alternative<IssuedRecord>(effect));
  EXPECT_TRUE(has_event_with(s, "injected capf-drop-before-store"));
  EXPECT_TRUE(e.done());
}

TEST_F(EngineFaults, WrongCnNamesAnotherDevice) {
  device_.fault = SessionFault::LscWrongCn;
  Engine e(1, cfg_);
  auto lsc = issued(e);
  ASSERT_TRUE(lsc);
  EXPECT_NE(signer::subject_name(*lsc).find(kFaultOtherDevice), std::string::npos) << signer::subject_name(*lsc);
  EXPECT_EQ(signer::subject_name(*lsc).find(device_.name), std::string::npos);
}

TEST_F(EngineFaults, ExpiredEndedTheDayBeforeItWasIssued) {
  device_.fault = SessionFault::LscExpired;
  Engine e(1, cfg_);
  auto lsc = issued(e);
  ASSERT_TRUE(lsc);
  EXPECT_LT(signer::not_after(*lsc), kNow);
}

TEST_F(EngineFaults, WrongEkuLeavesClientAuthOut) {
  Engine normal(1, cfg_);
  auto good = issued(normal);
  ASSERT_TRUE(good);
  EXPECT_TRUE(X509_get_extended_key_usage(good.get()) & XKU_SSL_CLIENT);
  device_.fault = SessionFault::LscWrongEku;
  Engine e(1, cfg_);
  auto lsc = issued(e);
  ASSERT_TRUE(lsc);
  EXPECT_FALSE(X509_get_extended_key_usage(lsc.get()) & XKU_SSL_CLIENT);
  EXPECT_TRUE(X509_get_extended_key_usage(lsc.get()) & XKU_SSL_SERVER);
}

TEST_F(EngineFaults, UnknownCaIsSignedByTheStrangerAndTheInstallStillNeedsThePhonesConfirmation) {
  device_.fault = SessionFault::LscUnknownCa;
  Engine e(1, cfg_);
  Step s = after_keygen(e);
  Message store = parsed(s.send.at(0));
  auto lsc = signer::load_cert(*store.certificate);
  ASSERT_TRUE(lsc);
  EXPECT_EQ(X509_check_issued(stranger_.cert.get(), lsc->get()), X509_V_OK);
  EXPECT_NE(X509_check_issued(ca_.cert.get(), lsc->get()), X509_V_OK);
  Message ok = msg(Command::StoreCertResponse);
  ok.reason = static_cast<std::uint8_t>(Reason::UpdateCertificate);
  s = e.on_message(ok);
  ASSERT_TRUE(s.commit);
  s = e.on_committed(Ok{});
  EXPECT_TRUE(has_event_with(s, "injected capf-lsc-unknown-ca"));
}

TEST_F(EngineFaults, UnknownCaWithoutAStrangerFailsTheSessionWithAMessage) {
  cfg_.stranger_ca = nullptr;
  device_.fault = SessionFault::LscUnknownCa;
  Engine e(1, cfg_);
  Step s = after_keygen(e);
  ASSERT_TRUE(s.commit);
  EXPECT_NE(s.commit->failure.find("no stranger CA"), std::string::npos) << s.commit->failure;
}

}  // namespace
}  // namespace cucm::capf
