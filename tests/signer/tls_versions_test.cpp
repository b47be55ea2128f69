// TLS floor and ceiling: the versions and suites an SSL_CTX ends up allowing.
#include <gtest/gtest.h>

#include <memory>

#include "signer/tls_versions.hpp"

namespace cucm::signer {
namespace {

struct CtxFree {
  void operator()(SSL_CTX* c) const { SSL_CTX_free(c); }
};
using Ctx = std::unique_ptr<SSL_CTX, CtxFree>;

Ctx client() { return Ctx(SSL_CTX_new(TLS_client_method())); }

TEST(TlsVersions, CeilingForOldFirmwareAllowsOnlyTls10AndTheGivenSuite) {
  auto c = client();
  ASSERT_TRUE(set_tls_min_version(*c, "1.0"));
  ASSERT_TRUE(set_tls_max_version(*c, "1.0", "AES128-SHA"));
  EXPECT_EQ(SSL_CTX_get_min_proto_version(c.get()), TLS1_VERSION);
  EXPECT_EQ(SSL_CTX_get_max_proto_version(c.get()), TLS1_VERSION);
  EXPECT_EQ(SSL_CTX_get_security_level(c.get()), 0);  // else OpenSSL 3 refuses TLS 1.0 and SHA-1
  std::unique_ptr<SSL, decltype(&SSL_free)> ssl(SSL_new(c.get()), SSL_free);
  STACK_OF(SSL_CIPHER)* suites = SSL_get1_supported_ciphers(ssl.get());
  ASSERT_NE(suites, nullptr);
  ASSERT_EQ(sk_SSL_CIPHER_num(suites), 1);
  EXPECT_STREQ(SSL_CIPHER_get_name(sk_SSL_CIPHER_value(suites, 0)), "AES128-SHA");
  sk_SSL_CIPHER_free(suites);
}

TEST(TlsVersions, EmptyCeilingMeansTheHighestAndLeavesTheSuitesAlone) {
  auto c = client();
  int level = SSL_CTX_get_security_level(c.get());
  ASSERT_TRUE(set_tls_max_version(*c, "", ""));
  EXPECT_EQ(SSL_CTX_get_max_proto_version(c.get()), 0);
  EXPECT_EQ(SSL_CTX_get_security_level(c.get()), level);
}

TEST(TlsVersions, UnknownVersionsAndSuitesAreRefusedWithTheReason) {
  auto c = client();
  auto v = set_tls_max_version(*c, "1.4", "");
  ASSERT_FALSE(v);
  EXPECT_EQ(v.error().code, Errc::InvalidArgument);
  EXPECT_NE(v.error().message.find("'1.4'"), std::string::npos);
  auto s = set_tls_max_version(*c, "1.2", "NO-SUCH-SUITE");
  ASSERT_FALSE(s);
  EXPECT_NE(s.error().message.find("NO-SUCH-SUITE"), std::string::npos);
  EXPECT_FALSE(set_tls_min_version(*c, "2"));
}

}  // namespace
}  // namespace cucm::signer
