// Trust store rows: keyed by store and hash, put in one transaction, removed by a unique prefix.
#include "db/trust_certificates.hpp"

#include <gtest/gtest.h>

#include "db_fixture.hpp"

namespace cucm::db::test {
namespace {

TrustCertificateRow row(std::string store, char digit, std::string source = "admin") {
  return TrustCertificateRow{std::move(store), std::string(64, digit), "CN=" + std::string(1, digit), "CN=ca", "01",
                             "2030-01-01 00:00:00", "pem", std::move(source), ""};
}

using TrustCertificatesTest = DbTest;

TEST_F(TrustCertificatesTest, OneCertificateInTwoStoresIsTwoRows) {
  TrustCertificates t(db());
  ASSERT_TRUE(t.put({row("CAPF-trust", 'a'), row("CallManager-trust", 'a'), row("CAPF-trust", 'b')}));
  EXPECT_EQ(t.list()->size(), 3u);
  EXPECT_EQ(t.list("CAPF-trust")->size(), 2u);
  // Ambiguous without the store, unique with it.
  auto both = t.remove("", std::string(10, 'a'));
  ASSERT_FALSE(both);
  EXPECT_NE(both.error().message.find("--store"), std::string::npos) << both.error().message;
  auto gone = t.remove("CAPF-trust", std::string(10, 'a'));
  ASSERT_TRUE(gone) << gone.error().message;
  EXPECT_EQ(gone->store, "CAPF-trust");
  EXPECT_EQ(t.list()->size(), 2u);
  EXPECT_EQ(t.remove("", "abc").error().code, Errc::InvalidArgument);            // too short
  EXPECT_EQ(t.remove("", std::string(8, 'f')).error().code, Errc::NotFound);
}

TEST_F(TrustCertificatesTest, APutThatFailsHalfwayStoresNothing) {
  TrustCertificates t(db());
  auto bad = row("CAPF-trust", 'c');
  bad.sha256 = "short";  // the table's CHECK refuses it after the first row went in
  EXPECT_FALSE(t.put({row("CAPF-trust", 'b'), bad}));
  EXPECT_TRUE(t.list()->empty());
}

TEST_F(TrustCertificatesTest, ReplaceSourceKeepsOneRowOfThatSource) {
  TrustCertificates t(db());
  ASSERT_TRUE(t.put({row("CAPF-trust", 'a')}));
  EXPECT_TRUE(*t.replace_source(row("CAPF-trust", 'b', "lab")));
  EXPECT_FALSE(*t.replace_source(row("CAPF-trust", 'b', "lab")));  // already current
  EXPECT_TRUE(*t.replace_source(row("CAPF-trust", 'c', "lab")));
  auto rows = t.list("CAPF-trust");
  ASSERT_EQ(rows->size(), 2u);
  EXPECT_EQ((*rows)[0].sha256[0], 'a');
  EXPECT_EQ((*rows)[1].sha256[0], 'c');
}

}  // namespace
}  // namespace cucm::db::test
