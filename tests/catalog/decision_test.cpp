// The decision table, for every combination of security mode, encrypted config, key on record
// and mixed mode, and every kind of name.
#include "catalog/decision.hpp"

#include <gtest/gtest.h>

namespace cucm::catalog {
namespace {

TEST(FileName, Classify) {
  EXPECT_EQ(classify("ITLFile.tlv").kind, FileKind::Itl);
  auto itl = classify("ITLSEPA45630BBFA40.tlv");
  EXPECT_EQ(itl.kind, FileKind::Itl);
  EXPECT_EQ(itl.device, "SEPA45630BBFA40");
  EXPECT_EQ(classify("CTLSEPA45630BBFA40.tlv").kind, FileKind::Ctl);
  EXPECT_EQ(classify("CTLFile.tlv").kind, FileKind::Ctl);
  EXPECT_EQ(classify("SEPA45630BBFA40.cnf.xml").kind, FileKind::Config);
  EXPECT_EQ(classify("SEPA45630BBFA40.cnf.xml.sgn").kind, FileKind::ConfigSgn);
  auto enc = classify("SEPA45630BBFA40.cnf.xml.enc.sgn");
  EXPECT_EQ(enc.kind, FileKind::ConfigEncSgn);
  EXPECT_EQ(enc.device, "SEPA45630BBFA40");
  EXPECT_EQ(classify("XMLDefault.cnf.xml").kind, FileKind::XmlDefault);
  EXPECT_EQ(classify("XmlDefault.cnf.xml").kind, FileKind::XmlDefault);
  EXPECT_EQ(classify("XMLDefault.cnf.xml.sgn").kind, FileKind::XmlDefaultSgn);
  for (const char* other : {"sepa45630bbfa40.cnf.xml", "SEPA45630BBFA4.cnf.xml", "SEPA45630BBFA40X.cnf.xml",
                            "SEPA45630BBFA40.cnf", "../SEPA45630BBFA40.cnf.xml", "ITLSEP.tlv", "load.bin", ""}) {
    EXPECT_EQ(classify(other).kind, FileKind::Other) << other;
  }
}

// The expected variant of each per-device name, given the facts.
Variant expected(FileKind k, bool encrypted, bool key) {
  switch (k) {
    case FileKind::Config: return encrypted ? Variant::NotFound : Variant::FullConfig;
    case FileKind::ConfigSgn: return encrypted ? Variant::PartialConfigSigned : Variant::FullConfigSigned;
    case FileKind::ConfigEncSgn: return encrypted && key ? Variant::EncryptedConfig : Variant::NotFound;
    default: return Variant::NotFound;
  }
}

TEST(Decision, EveryCombination) {
  int checked = 0;
  for (int mode : {1, 2, 3}) {
    for (bool encrypted : {false, true}) {
      for (bool key : {false, true}) {
        for (bool mixed : {false, true}) {
          DeviceFacts facts{mode, encrypted, key, true};
          for (FileKind k : {FileKind::Config, FileKind::ConfigSgn, FileKind::ConfigEncSgn}) {
            RequestedFile f{k, "SEP001122334455", "x"};
            auto d = decide(f, facts, mixed);
            EXPECT_EQ(d.variant, expected(k, encrypted, key))
                << "mode " << mode << " enc " << encrypted << " key " << key << " mixed " << mixed << " kind "
                << kind_name(k) << ": " << d.rule;
            EXPECT_FALSE(d.rule.empty());
            // Unknown devices never get a config of their own.
            EXPECT_EQ(decide(f, std::nullopt, mixed).variant, Variant::NotFound);
            ++checked;
          }
          EXPECT_EQ(decide({FileKind::Itl, "SEP001122334455", "x"}, facts, mixed).variant, Variant::Itl);
          EXPECT_EQ(decide({FileKind::Ctl, "", "CTLFile.tlv"}, facts, mixed).variant, mixed ? Variant::Ctl : Variant::NotFound);
          EXPECT_EQ(decide({FileKind::XmlDefault, "", "x"}, std::nullopt, mixed).variant, Variant::XmlDefault);
          EXPECT_EQ(decide({FileKind::Other, "", "x"}, std::nullopt, mixed).variant, Variant::Static);
        }
      }
    }
  }
  EXPECT_EQ(checked, 3 * 2 * 2 * 2 * 3);
}

TEST(Decision, RulesExplainTheSeedFlow) {
  DeviceFacts before{1, true, false, true}, after{1, true, true, true};
  RequestedFile sgn{FileKind::ConfigSgn, "SEPA45630BBFA40", "x"};
  RequestedFile enc{FileKind::ConfigEncSgn, "SEPA45630BBFA40", "x"};
  EXPECT_NE(decide(sgn, before, false).rule.find("empty certHash"), std::string::npos);
  EXPECT_NE(decide(enc, before, false).rule.find("CAPF"), std::string::npos);
  EXPECT_NE(decide(sgn, after, false).rule.find("MD5"), std::string::npos);
  EXPECT_EQ(decide(enc, after, false).variant, Variant::EncryptedConfig);
  // An EC key on record: no .enc.sgn, and the rule says why and what to do.
  DeviceFacts ec{1, true, true, false};
  auto d = decide(enc, ec, false);
  EXPECT_EQ(d.variant, Variant::NotFound);
  EXPECT_NE(d.rule.find("key order to rsa"), std::string::npos) << d.rule;
}

}  // namespace
}  // namespace cucm::catalog
