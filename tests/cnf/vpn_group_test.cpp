// <vpnGroup> with several headend hashes and a hash algorithm, built and read back as a phone
// reads it.
#include "cnf/vpn_group.hpp"

#include <fmt/format.h>
#include <gtest/gtest.h>

namespace cucm::cnf {
namespace {

PhoneConfig with_vpn(VpnGroup v) {
  PhoneConfig c;
  c.call_managers = {{"10.48.46.4", 2000, 5060, 5061}};
  c.vpn = std::move(v);
  return c;
}

TEST(VpnGroupXml, CarriesEveryCertHashAndTheHashAlg) {
  std::vector<std::string> hashes;
  for (int i = 0; i < kMaxVpnCertHashes; ++i) hashes.push_back(fmt::format("hash{}=", i + 1));
  auto xml = build_full_config(with_vpn({"https://vpn.example/SSLVPNphone", 1, hashes}));
  ASSERT_TRUE(xml) << xml.error().message;
  EXPECT_NE(xml->find("<hashAlg>1</hashAlg>"), std::string::npos) << *xml;
  for (int i = 1; i <= kMaxVpnCertHashes; ++i) {
    EXPECT_NE(xml->find(fmt::format("<certHash{0}>hash{0}=</certHash{0}>", i)), std::string::npos) << i << "\n" << *xml;
  }
  EXPECT_EQ(xml->find("certHash11"), std::string::npos);
  // hashAlg comes before the hashes, inside credentials, as in seed 001.
  EXPECT_LT(xml->find("<credentials>"), xml->find("<hashAlg>"));
  EXPECT_LT(xml->find("<hashAlg>"), xml->find("<certHash1>"));
  EXPECT_LT(xml->find("<certHash10>"), xml->find("</credentials>"));

  auto back = read_vpn_group(*xml);
  ASSERT_TRUE(back) << back.error().message;
  ASSERT_TRUE(*back);
  EXPECT_EQ((*back)->url, "https://vpn.example/SSLVPNphone");
  EXPECT_EQ((*back)->hash_alg, 1);
  EXPECT_EQ((*back)->cert_hashes, hashes);
}

TEST(VpnGroupXml, OneHashIsTheSeedsLayoutAndNoHashAnEmptyCertHash1) {
  auto one = build_full_config(with_vpn({"https://10.201.160.201/SSLVPNphone", kVpnHashAlgSha1, {"fZ2xQHMBcWj/fSoNs5IkPbA2Pt8="}}));
  ASSERT_TRUE(one);
  EXPECT_NE(one->find("<hashAlg>0</hashAlg>\n      <certHash1>fZ2xQHMBcWj/fSoNs5IkPbA2Pt8=</certHash1>\n    </credentials>"),
            std::string::npos)
      << *one;
  auto none = build_full_config(with_vpn({"https://10.201.160.201/SSLVPNphone", kVpnHashAlgSha1, {}}));
  ASSERT_TRUE(none);
  EXPECT_NE(none->find("<certHash1/>"), std::string::npos) << *none;  // empty, as before groups had hashes
  auto too_many = build_full_config(with_vpn({"https://x/", 0, std::vector<std::string>(11, "a")}));
  ASSERT_FALSE(too_many);
  EXPECT_EQ(too_many.error().code, Errc::InvalidArgument);
}

TEST(VpnGroupXml, ReadsTheSeedsGroupAndGapsAsAPhoneWould) {
  // Seed 001's vpnGroup as CME wrote it.
  const char* seed =
      "<device><vpnGroup> <enableHostIDCheck>0</enableHostIDCheck>\n<addresses>\n"
      "<url1>https://10.201.160.201/SSLVPNphone</url1>\n</addresses>\n<credentials>\n<hashAlg>0</hashAlg>\n"
      "<certHash1>fZ2xQHMBcWj/fSoNs5IkPbA2Pt8=</certHash1>\n</credentials>\n</vpnGroup></device>";
  auto g = read_vpn_group(seed);
  ASSERT_TRUE(g) << g.error().message;
  ASSERT_TRUE(*g);
  EXPECT_EQ((*g)->url, "https://10.201.160.201/SSLVPNphone");
  EXPECT_EQ((*g)->hash_alg, 0);
  EXPECT_EQ((*g)->cert_hashes, std::vector<std::string>{"fZ2xQHMBcWj/fSoNs5IkPbA2Pt8="});

  auto gap = read_vpn_group("<device><vpnGroup><credentials><certHash3>c</certHash3></credentials></vpnGroup></device>");
  ASSERT_TRUE(gap && *gap);
  EXPECT_EQ((*gap)->hash_alg, 0);  // absent: SHA-1, the only value seen
  EXPECT_EQ((*gap)->cert_hashes, (std::vector<std::string>{"", "", "c"}));

  auto none = read_vpn_group("<device><fullConfig>true</fullConfig></device>");
  ASSERT_TRUE(none);
  EXPECT_FALSE(*none);

  auto bad = read_vpn_group("<device><vpnGroup><credentials><hashAlg>sha1</hashAlg></credentials></vpnGroup></device>");
  ASSERT_FALSE(bad);
  EXPECT_EQ(bad.error().message, "cnf: vpnGroup hashAlg 'sha1' is not a number");
}

}  // namespace
}  // namespace cucm::cnf
