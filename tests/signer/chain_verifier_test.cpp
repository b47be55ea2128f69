// OpenSSL's chain verification as CAPF uses it: anchors, intermediates, validity at a given time.
#include "signer/chain_verifier.hpp"

#include <gtest/gtest.h>

#include "signer/cert_builder.hpp"
#include "signer/keys.hpp"

namespace cucm::signer {
namespace {

constexpr std::time_t kNow = 1'767'225'600;  // 2026-01-01 00:00:00 UTC

struct Issued {
  X509Ptr cert;
  PkeyPtr key;
};

Issued make(const std::string& cn, const Issued* issuer, bool ca, std::time_t from = kNow - 86'400, int days = 365,
            int path_len = 0) {
  KeySpec ec;
  ec.kind = KeyKind::Ec;
  Issued out;
  out.key = std::move(*generate_key(ec));
  CertRequest req;
  req.subject = {{"CN", cn}};
  req.is_ca = ca;
  req.path_len = path_len;
  req.not_before = from;
  req.days = days;
  out.cert = issuer ? std::move(*issue_cert(*out.key, req, *issuer->cert, *issuer->key))
                    : std::move(*make_self_signed(*out.key, req));
  return out;
}

class ChainVerifierTest : public ::testing::Test {
 protected:
  Issued root = make("Root", nullptr, true, kNow - 86'400, 365, -1);
  Issued intermediate = make("Manufacturing", &root, true);
  Issued leaf = make("SEP001122334455", &intermediate, false);
};

TEST_F(ChainVerifierTest, ALeafChainsToTheRootThroughAGivenIntermediate) {
  ChainVerifier v;
  ASSERT_TRUE(v.add_anchor(*root.cert));
  auto through = v.verify(*leaf.cert, kNow, {intermediate.cert.get()});
  EXPECT_TRUE(through) << through.error().message;
  auto missing = v.verify(*leaf.cert, kNow);
  ASSERT_FALSE(missing);
  EXPECT_EQ(missing.error().code, Errc::Unauthenticated);
  EXPECT_NE(missing.error().message.find("unable to get local issuer certificate"), std::string::npos)
      << missing.error().message;
}

TEST_F(ChainVerifierTest, AnIntermediateTrustedOnItsOwnEndsTheChain) {
  ChainVerifier v;  // as CAPF-trust holding only Cisco's manufacturing CA
  ASSERT_TRUE(v.add_anchor(*intermediate.cert));
  EXPECT_TRUE(v.verify(*leaf.cert, kNow));
}

TEST_F(ChainVerifierTest, AnchorsAddedTwiceCountOnce) {
  ChainVerifier v;
  ASSERT_TRUE(v.add_anchor(*root.cert));
  ASSERT_TRUE(v.add_anchor(*root.cert));
  EXPECT_EQ(v.anchors(), 1u);
}

TEST_F(ChainVerifierTest, ValidityIsJudgedAtTheGivenTime) {
  ChainVerifier v;
  ASSERT_TRUE(v.add_anchor(*intermediate.cert));
  auto later = v.verify(*leaf.cert, kNow + 400 * 86'400);
  ASSERT_FALSE(later);
  EXPECT_NE(later.error().message.find("certificate has expired"), std::string::npos) << later.error().message;
  auto before = v.verify(*leaf.cert, kNow - 2 * 86'400);
  ASSERT_FALSE(before);
  EXPECT_NE(before.error().message.find("not yet valid"), std::string::npos) << before.error().message;
}

TEST_F(ChainVerifierTest, SelfSignedAndEmptyStoresAreRefusedWithTheReason) {
  ChainVerifier v;
  ASSERT_TRUE(v.add_anchor(*root.cert));
  Issued self = make("SEP001122334455", nullptr, false);
  auto r = v.verify(*self.cert, kNow);
  ASSERT_FALSE(r);
  EXPECT_NE(r.error().message.find("self-signed certificate"), std::string::npos) << r.error().message;
  EXPECT_NE(r.error().message.find("CN=SEP001122334455"), std::string::npos);
  ChainVerifier empty;
  EXPECT_FALSE(empty.verify(*leaf.cert, kNow, {intermediate.cert.get()}));
}

}  // namespace
}  // namespace cucm::signer
