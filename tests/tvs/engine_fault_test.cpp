// The TVS engine's answers under an armed fault (issue 18: tvs-invalid, tvs-no-answer,
// tvs-wrong-roles), decided by the transport and passed in as data: no socket, no board.
#include <algorithm>

#include <gtest/gtest.h>

#include "tvs/proto/engine.hpp"

namespace cucm::tvs {
namespace {

constexpr std::uint8_t kCcmTftp = 2, kAppServer = 7, kTvs = 21;

// A query as the engine reads it from the wire: the SID and device the answer must carry.
Query query() {
  Bytes wire = encode_verify_request({0x0a0b0c0d, "CP-8845-SEP00AABBCCDDEE", Bytes{0x30, 0x03, 0x02, 0x01, 0x00}});
  Engine e;
  EXPECT_TRUE(e.on_header(ByteView(wire).first(kHeaderSize)));
  auto q = e.on_body(ByteView(wire).subspan(kHeaderSize));
  EXPECT_TRUE(q) << q.error().message;
  return *q;
}

VerifyResponse parsed(const Reply& r) {
  auto p = parse_verify_response(r.message);
  EXPECT_TRUE(p) << p.error().message;
  return p ? *p : VerifyResponse{};
}

TEST(TvsEngineFault, TheCatalogNamesMapToTheFaults) {
  for (auto f : {AnswerFault::Invalid, AnswerFault::NoAnswer, AnswerFault::WrongRoles}) {
    EXPECT_EQ(answer_fault(answer_fault_name(f)), f) << answer_fault_name(f);
  }
  EXPECT_EQ(answer_fault("tvs-slow"), std::nullopt);
  EXPECT_EQ(answer_fault("sgn-bad-signature"), std::nullopt);
  EXPECT_EQ(answer_fault(""), std::nullopt);  // None has no name to be armed by
}

TEST(TvsEngineFault, InvalidAnswersInvalidForACertificateTheStoreKnows) {
  Query q = query();
  Reply r = Engine::answer(q, Trusted{{kCcmTftp}, 600}, AnswerFault::Invalid);
  VerifyResponse p = parsed(r);
  EXPECT_EQ(p.sid, 0x0a0b0c0du);
  EXPECT_EQ(p.status, TrustStatus::Invalid);
  EXPECT_TRUE(p.roles.empty());
  // Byte for byte the store's "unknown" answer (PROTOCOLS §4: body 07 0001 01): nothing tells it apart.
  EXPECT_EQ(r.message, Engine::answer(q, std::nullopt).message);
  EXPECT_EQ(r.result, "invalid: injected tvs-invalid (the store says valid CCM+TFTP)");
}

TEST(TvsEngineFault, NoAnswerHasNothingToSendAndSaysSo) {
  Reply r = Engine::answer(query(), Trusted{{kCcmTftp}, 600}, AnswerFault::NoAnswer);
  EXPECT_TRUE(r.message.empty());
  EXPECT_EQ(r.result, "no answer: injected tvs-no-answer (the store says valid CCM+TFTP)");
  EXPECT_NE(r.what.find("no answer"), std::string::npos) << r.what;
}

TEST(TvsEngineFault, WrongRolesVouchesWithARoleTheCertificateDoesNotHold) {
  Query q = query();
  Reply r = Engine::answer(q, Trusted{{kCcmTftp}, 600}, AnswerFault::WrongRoles);
  VerifyResponse p = parsed(r);
  EXPECT_EQ(p.status, TrustStatus::Valid);
  EXPECT_EQ(p.roles, std::vector<std::uint8_t>{kAppServer});
  EXPECT_EQ(p.ttl, 600u);
  EXPECT_EQ(r.result, "ok: injected tvs-wrong-roles (the store says valid CCM+TFTP)");
  // A certificate stored as APP-SERVER gets another role; an unknown one is vouched for all the same.
  EXPECT_EQ(parsed(Engine::answer(q, Trusted{{kAppServer}, 60}, AnswerFault::WrongRoles)).roles,
            std::vector<std::uint8_t>{kTvs});
  VerifyResponse unknown = parsed(Engine::answer(q, std::nullopt, AnswerFault::WrongRoles));
  EXPECT_EQ(unknown.status, TrustStatus::Valid);
  EXPECT_EQ(unknown.roles, std::vector<std::uint8_t>{kAppServer});
  EXPECT_EQ(unknown.ttl, kDefaultTtl);
}

TEST(TvsEngineFault, TheWrongRoleIsNeverOneTheCertificateHolds) {
  const std::vector<std::vector<std::uint8_t>> held = {{}, {0}, {2}, {7}, {7, 21}, {1, 7, 21}, {0, 1, 7, 21},
                                                       {0, 1, 2, 3, 4, 7, 21}};
  for (const auto& roles : held) {
    std::uint8_t wrong = role_not_in(roles);
    EXPECT_EQ(std::find(roles.begin(), roles.end(), wrong), roles.end()) << role_list(roles);
  }
  EXPECT_EQ(role_not_in({0, 1, 2, 3, 4, 7, 21}), 5);  // every role held: a code no role has
}

TEST(TvsEngineFault, NoFaultIsTheTrueAnswer) {
  Query q = query();
  Trusted t{{kCcmTftp, kTvs}, 600};
  EXPECT_EQ(Engine::answer(q, t, AnswerFault::None).message, Engine::answer(q, t).message);
  EXPECT_EQ(Engine::answer(q, t).result, "ok");
}

}  // namespace
}  // namespace cucm::tvs
