// The partial config: golden output, element order, escaping, and hostile or broken input.
#include <cstdlib>
#include <fstream>
#include <sstream>

#include <gtest/gtest.h>

#include "cnf/partial_config.hpp"

namespace cucm::cnf {
namespace {

std::string slurp(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

const std::string kDir = std::string(CUCM_FIXTURES) + "/cnf/";
constexpr const char* kHash = "6e566143c1c14566c9da943d949a79c8";  // the seed's md5hash

TEST(PartialConfig, MatchesGoldenFile) {
  std::string full = slurp(kDir + "SEP001122334455.cnf.xml");
  ASSERT_FALSE(full.empty());
  auto partial = make_partial_config(full, kHash);
  ASSERT_TRUE(partial) << partial.error().message;
  std::string golden_path = kDir + "SEP001122334455.partial.cnf.xml";
  if (std::getenv("CUCM_UPDATE_GOLDEN")) {
    std::ofstream(golden_path, std::ios::binary) << *partial;
  }
  EXPECT_EQ(*partial, slurp(golden_path));
}

TEST(PartialConfig, KeepsOnlyTheCapfElementsInTheFullConfigsOrder) {
  std::string full =
      "<device><capfList><capf><phonePort>3804</phonePort><processNodeName>h</processNodeName></capf></capfList>"
      "<sipProfile><sipLines><line><authPassword>secret</authPassword></line></sipLines></sipProfile>"
      "<capfAuthMode>2</capfAuthMode><loadInformation>L</loadInformation></device>";
  auto partial = make_partial_config(full, "");
  ASSERT_TRUE(partial) << partial.error().message;
  EXPECT_EQ(*partial,
            "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
            "<device>\n"
            "  <fullConfig>false</fullConfig>\n"
            "  <capfList>\n"
            "    <capf>\n"
            "      <phonePort>3804</phonePort>\n"
            "      <processNodeName>h</processNodeName>\n"
            "    </capf>\n"
            "  </capfList>\n"
            "  <capfAuthMode>2</capfAuthMode>\n"
            "  <loadInformation>L</loadInformation>\n"
            "  <certHash/>\n"
            "  <encrConfig>true</encrConfig>\n"
            "</device>\n");
  EXPECT_EQ(partial->find("secret"), std::string::npos);  // lines live only in .enc.sgn
}

TEST(PartialConfig, DecisionFieldsAsAPhoneReadsThem) {
  auto partial = make_partial_config(slurp(kDir + "SEP001122334455.cnf.xml"), kHash);
  ASSERT_TRUE(partial);
  auto f = read_decision_fields(*partial);
  ASSERT_TRUE(f);
  EXPECT_FALSE(f->full_config);
  EXPECT_TRUE(f->encr_config);
  EXPECT_EQ(f->cert_hash, kHash);
  EXPECT_EQ(f->capf_auth_mode, 0);
  EXPECT_EQ(f->capf_host, "127.0.0.1");
  EXPECT_EQ(f->capf_port, 3804);
  // "False" as CUCM writes it is false; only exactly "true" is true.
  auto cucm = read_decision_fields("<device><fullConfig>False</fullConfig></device>");
  ASSERT_TRUE(cucm);
  EXPECT_FALSE(cucm->full_config);
  EXPECT_FALSE(cucm->capf_auth_mode);
}

TEST(PartialConfig, HostileValuesStayEscaped) {
  auto partial = make_partial_config("<device><loadInformation>a&lt;b&amp;c&gt;\"</loadInformation></device>", "");
  ASSERT_TRUE(partial);
  EXPECT_NE(partial->find("<loadInformation>a&lt;b&amp;c&gt;\"</loadInformation>"), std::string::npos) << *partial;
}

TEST(PartialConfig, DoctypesAreRefusedSoEntitiesCannotLeakOrDangle) {
  // An external entity must never be read; an internal one (found by fuzzing) would be copied as
  // a dangling reference and make the partial config malformed.
  for (std::string dtd : {"<!ENTITY x SYSTEM \"file:///etc/passwd\">", "<!ENTITY x \"e\">"}) {
    std::string xml = "<?xml version=\"1.0\"?><!DOCTYPE device [" + dtd + "]>"
                      "<device><loadInformation>&x;</loadInformation></device>";
    auto partial = make_partial_config(xml, "");
    ASSERT_FALSE(partial);
    EXPECT_NE(partial.error().message.find("DOCTYPE"), std::string::npos) << partial.error().message;
  }
}

TEST(PartialConfig, BadInputGetsOneClearError) {
  auto broken = make_partial_config("<device><fullConfig>true</device>", "");
  ASSERT_FALSE(broken);
  EXPECT_NE(broken.error().message.find("not well-formed XML at line 1"), std::string::npos) << broken.error().message;
  auto wrong_root = make_partial_config("<phone/>", "");
  ASSERT_FALSE(wrong_root);
  EXPECT_NE(wrong_root.error().message.find("root element is <phone> vs expected <device>"), std::string::npos);
  auto bad_hash = make_partial_config("<device/>", "6E566143C1C14566C9DA943D949A79C8");
  ASSERT_FALSE(bad_hash);
  EXPECT_NE(bad_hash.error().message.find("lowercase hex"), std::string::npos);
  auto huge = make_partial_config(std::string(2u << 20, ' '), "");
  ASSERT_FALSE(huge);
  EXPECT_EQ(huge.error().code, Errc::ResourceExhausted);
  EXPECT_FALSE(make_partial_config("", ""));
}

// Built from the model, the partial config is byte for byte the one made from the full config's
// text, whatever the values hold (escapes, UTF-8, a carriage return, empty ones).
TEST(PartialConfig, FromTheModelIsTheSameAsFromTheFullConfig) {
  PhoneConfig sip;
  sip.protocol = "SIP";
  sip.call_managers = {{"10.48.46.4", 2000, 5060, 5061}};
  sip.tvs = {{"10.48.46.4", 2445}};
  sip.load_information = "SIP75 <&> \"q\" 'a' \xC3\xA9\r";
  sip.capf_host = "cucm & <node>";
  sip.capf_port = 4804;
  sip.capf_auth_mode = 1;
  sip.security_mode = 3;
  sip.lines = {{1, "1001", "Alice", "alice", "secret"}};
  sip.vpn = VpnGroup{"https://vpn.example/phone", kVpnHashAlgSha1, {"fZ2xQHMBcWj/fSoNs5IkPbA2Pt8="}};
  PhoneConfig sccp;
  sccp.protocol = "SCCP";
  sccp.call_managers = {{"192.0.2.1", 2000, 5060, 5061}, {"192.0.2.2", 2000, 5060, 5061}};
  sccp.ip_address_mode = 2;
  for (const PhoneConfig& c : {sip, sccp}) {
    for (const char* hash : {"", kHash}) {
      auto full = build_full_config(c);
      ASSERT_TRUE(full) << full.error().message;
      auto from_text = make_partial_config(*full, hash);
      ASSERT_TRUE(from_text) << from_text.error().message;
      auto from_model = build_partial_config(c, hash);
      ASSERT_TRUE(from_model) << from_model.error().message;
      EXPECT_EQ(*from_model, *from_text);
    }
  }
  EXPECT_NE(build_partial_config(sip, kHash)->find("<phonePort>4804</phonePort>"), std::string::npos);
  // The same refusals as either path.
  EXPECT_NE(build_partial_config(sip, "6E56").error().message.find("lowercase hex"), std::string::npos);
  PhoneConfig none = sip;
  none.call_managers.clear();
  EXPECT_NE(build_partial_config(none, "").error().message.find("at least one call manager"), std::string::npos);
}

}  // namespace
}  // namespace cucm::cnf
