// The full config: structure, SIP lines, VPN group, and escaping of hostile values.
#include "cnf/full_config.hpp"

#include <gtest/gtest.h>

#include "cnf/partial_config.hpp"

namespace cucm::cnf {
namespace {

PhoneConfig sip_phone() {
  PhoneConfig c;
  c.protocol = "SIP";
  c.call_managers = {{"10.48.46.4", 2000, 5060, 5061}};
  c.tvs = {{"10.48.46.4", 2445}};
  c.load_information = "SIP75.9-3-1SR2-1S";
  c.capf_host = "10.48.46.4";
  c.security_mode = 3;
  c.cert_hash = "6e566143c1c14566c9da943d949a79c8";
  c.lines = {{1, "1001", "Alice <&> \"A\"", "alice", "pa<ss"}};
  c.vpn = VpnGroup{"https://10.201.160.201/SSLVPNphone", kVpnHashAlgSha1, {"fZ2xQHMBcWj/fSoNs5IkPbA2Pt8="}};
  return c;
}

TEST(FullConfig, SipPhoneWithLinesAndVpn) {
  auto xml = build_full_config(sip_phone());
  ASSERT_TRUE(xml) << xml.error().message;
  for (const char* want :
       {"<fullConfig>true</fullConfig>", "<deviceProtocol>SIP</deviceProtocol>", "<member priority=\"0\">",
        "<processNodeName>10.48.46.4</processNodeName>", "<securedSipPort>5061</securedSipPort>",
        "<TVS>", "<port>2445</port>", "<line button=\"1\" lineIndex=\"1\">",
        "<displayName>Alice &lt;&amp;&gt; \"A\"</displayName>", "<authPassword>pa&lt;ss</authPassword>",
        "<phonePort>3804</phonePort>", "<deviceSecurityMode>3</deviceSecurityMode>",
        "<transportLayerProtocol>3</transportLayerProtocol>", "<certHash>6e566143c1c14566c9da943d949a79c8</certHash>",
        "<encrConfig>false</encrConfig>", "<url1>https://10.201.160.201/SSLVPNphone</url1>",
        "<certHash1>fZ2xQHMBcWj/fSoNs5IkPbA2Pt8=</certHash1>", "<hashAlg>0</hashAlg>"}) {
    EXPECT_NE(xml->find(want), std::string::npos) << want << "\n" << *xml;
  }
  // It reads back as a phone reads it, and its partial config drops lines and passwords.
  auto f = read_decision_fields(*xml);
  ASSERT_TRUE(f);
  EXPECT_TRUE(f->full_config);
  EXPECT_EQ(f->capf_host, "10.48.46.4");
  auto partial = make_partial_config(*xml, f->cert_hash);
  ASSERT_TRUE(partial);
  EXPECT_EQ(partial->find("pa&lt;ss"), std::string::npos);
}

TEST(FullConfig, SccpHasNoSipProfileAndUsesTcpWhenNonSecure) {
  PhoneConfig c = sip_phone();
  c.protocol = "SCCP";
  c.security_mode = 1;
  c.vpn.reset();
  auto xml = build_full_config(c);
  ASSERT_TRUE(xml);
  EXPECT_EQ(xml->find("<sipProfile>"), std::string::npos);
  EXPECT_NE(xml->find("<transportLayerProtocol>1</transportLayerProtocol>"), std::string::npos);
  EXPECT_EQ(xml->find("vpnGroup"), std::string::npos);
}

TEST(FullConfig, CodesAndErrors) {
  EXPECT_EQ(capf_auth_mode_code("auth-string"), 1);
  EXPECT_EQ(capf_auth_mode_code("null-string"), 0);
  EXPECT_EQ(transport_code("SIP", 1), 2);
  EXPECT_EQ(transport_code("SIP", 2), 3);
  PhoneConfig none;
  EXPECT_FALSE(build_full_config(none));
  PhoneConfig bad = sip_phone();
  bad.protocol = "H323";
  EXPECT_FALSE(build_full_config(bad));
  auto def = build_xml_default({{"h", 2000, 5060, 5061}}, {});
  ASSERT_TRUE(def);
  EXPECT_NE(def->find("<Default>"), std::string::npos);
}

}  // namespace
}  // namespace cucm::cnf
