// CSV: RFC 4180 quoting, all-or-nothing bulk import with a per-row report, export round trip.
#include "db/csv.hpp"

#include "db/device_store.hpp"
#include "db_fixture.hpp"

namespace cucm::db {
namespace {

using test::DbTest;

TEST(Csv, QuotingAndLineEnds) {
  auto rows = parse_csv("a,\"b,c\",\"d \"\"q\"\"\"\r\n\n\"multi\nline\",x,\n");
  ASSERT_TRUE(rows);
  ASSERT_EQ(rows->size(), 2u);
  EXPECT_EQ((*rows)[0], (std::vector<std::string>{"a", "b,c", "d \"q\""}));
  EXPECT_EQ((*rows)[1], (std::vector<std::string>{"multi\nline", "x", ""}));
  EXPECT_EQ(csv_escape("plain"), "plain");
  EXPECT_EQ(csv_escape("a,\"b\""), "\"a,\"\"b\"\"\"");
  auto bad = parse_csv("a,\"open\nb\n");
  ASSERT_FALSE(bad);
  EXPECT_NE(bad.error().message.find("line 1"), std::string::npos);
}

TEST_F(DbTest, ImportIsAllOrNothingWithAReportPerRow) {
  std::string csv = std::string(kCsvColumns) + "\n" +
                    "SEP000000000001,ok,Cisco 7942,SCCP,Cisco 7942 - Standard SCCP Encrypted Config,,,1001,A,,,,\n"
                    "SEP00000000000G,bad name,Cisco 7942,SCCP,Cisco 7942 - Standard SCCP Encrypted Config,,,,,,,,\n"
                    "SEP000000000003,bad profile,Cisco 7942,SCCP,nope,,,,,,,,\n"
                    "SEP000000000001,duplicate,Cisco 7942,SCCP,Cisco 7942 - Standard SCCP Encrypted Config,,,,,,,,\n";
  auto rows = parse_csv(csv);
  ASSERT_TRUE(rows);
  std::vector<RowError> errors;
  auto devices = devices_from_csv(*rows, errors);
  ASSERT_EQ(errors.size(), 1u);  // the bad name is caught while reading
  EXPECT_EQ(errors[0].row, 2u);
  errors.clear();
  auto added = DeviceStore(db()).add_all(devices, errors);
  ASSERT_FALSE(added);
  ASSERT_EQ(errors.size(), 2u);
  EXPECT_NE(errors[0].message.find("unknown phone security profile 'nope'"), std::string::npos);
  EXPECT_NE(errors[1].message.find("also on row 1"), std::string::npos);
  EXPECT_EQ(DeviceStore(db()).list()->size(), 0u);  // nothing written
}

TEST_F(DbTest, ExportThenImportRoundTrips) {
  DeviceStore s(db());
  for (int i = 0; i < 20; ++i) {
    Device d;
    d.name = "SEP0000000000" + std::string(i < 10 ? "0" : "") + std::to_string(i);
    d.product = "Cisco 8845";
    d.protocol = "SIP";
    d.profile = test::kUniversal;
    d.description = "desk, \"corner\" " + std::to_string(i);
    d.lines = {Line{1, std::to_string(2000 + i), "User " + std::to_string(i), "u", "p,w"}};
    ASSERT_TRUE(s.add(d)) << d.name;
  }
  auto all = s.list();
  ASSERT_TRUE(all);
  std::string csv = devices_to_csv(*all);
  ASSERT_TRUE(db().exec("DELETE FROM device"));
  auto rows = parse_csv(csv);
  ASSERT_TRUE(rows);
  std::vector<RowError> errors;
  auto devices = devices_from_csv(*rows, errors);
  ASSERT_TRUE(errors.empty());
  auto added = s.add_all(devices, errors);
  ASSERT_TRUE(added) << added.error().message;
  EXPECT_EQ(*added, 20u);
  auto again = s.list();
  ASSERT_EQ(again->size(), 20u);
  EXPECT_EQ((*again)[7].description, (*all)[7].description);
  EXPECT_EQ((*again)[7].lines[0].auth_password, "p,w");
}

TEST(Csv, HeaderProblemsAreReported) {
  std::vector<RowError> errors;
  devices_from_csv(*parse_csv("name,colour\n"), errors);
  ASSERT_EQ(errors.size(), 1u);
  EXPECT_NE(errors[0].message.find("unknown column 'colour'"), std::string::npos);
  errors.clear();
  devices_from_csv(*parse_csv("name,product\n"), errors);
  ASSERT_EQ(errors.size(), 1u);
  EXPECT_NE(errors[0].message.find("no 'protocol' column"), std::string::npos);
  errors.clear();
  devices_from_csv({}, errors);
  EXPECT_EQ(errors.size(), 1u);
}

}  // namespace
}  // namespace cucm::db
