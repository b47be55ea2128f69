// The TVS trust store and certificate rotation from the command line: what an admin adds, what
// the cluster mirrors, a rotation refused while it could strand phones, and forced.
#include <nlohmann/json.hpp>

#include "cli_support.hpp"

namespace cucm {
namespace {

using TrustCli = Cli;

nlohmann::json trust_rows(const Run& r) { return nlohmann::json::parse(r.out); }

std::string role_sha(const nlohmann::json& rows, const std::string& roles) {
  for (const auto& row : rows) {
    if (row["roles"] == roles) return row["sha256"];
  }
  return "";
}

TEST_F(TrustCli, AddListRemove) {
  ASSERT_EQ(run("openssl req -x509 -newkey rsa:2048 -nodes -keyout " + path("k.pem") + " -out " + path("dir.pem") +
                " -subj /CN=directory.lab -days 30").rc,
            0);
  auto added = run(emu("trust add " + path("dir.pem") + " --role APP-SERVER --ttl 600"));
  ASSERT_EQ(added.rc, 0) << added.out;
  EXPECT_NE(added.out.find("CN=directory.lab as APP-SERVER for 600 s"), std::string::npos) << added.out;
  auto rows = trust_rows(run_stdout(emu("trust list --json")));
  ASSERT_EQ(rows.size(), 6u) << rows.dump();  // the cluster's five identities and the admin's
  std::string sha = role_sha(rows, "APP-SERVER");
  ASSERT_EQ(sha.size(), 64u);
  // What sqlite3 sees is the same row.
  auto sq = run_stdout("sqlite3 " + path("data/cucm.db") + " \"select roles, ttl, source from tvs_trust where sha256='" + sha + "'\"");
  EXPECT_EQ(sq.out, "APP-SERVER|600|admin\n");
  auto refused = run(emu("trust remove " + role_sha(rows, "TVS").substr(0, 12)));
  EXPECT_EQ(refused.rc, 1);
  EXPECT_NE(refused.out.find("one of the cluster's own certificates"), std::string::npos) << refused.out;
  auto removed = run(emu("trust remove " + sha.substr(0, 10)));
  EXPECT_EQ(removed.rc, 0) << removed.out;
  EXPECT_EQ(trust_rows(run_stdout(emu("trust list --json"))).size(), 5u);
  EXPECT_EQ(run(emu("trust add " + path("dir.pem") + " --role NOPE")).rc, 1);
  EXPECT_EQ(run(emu("trust add " + path("dir.pem") + " --role CCM --ttl 0")).rc, 1);
  EXPECT_EQ(run(emu("trust remove zz")).rc, 1);
}

TEST_F(TrustCli, RotationThatCouldStrandPhonesIsRefusedUnlessForced) {
  ASSERT_EQ(run(emu("pki init")).rc, 0);
  // A phone fetched this cluster's ITL (as TFTP records it).
  ASSERT_EQ(run(emu("sql --write \"INSERT INTO event (source, service, device, what, result) VALUES ('127.0.0.1:9', "
                    "'tftp', 'SEP001122334455', 'RRQ ITLSEP001122334455.tlv variant=itl bytes=1 duration_ms=1', 'ok')\""))
                .rc,
            0);
  auto before = trust_rows(run_stdout(emu("trust list --json")));
  auto refused = run(emu("pki rotate --role itlrecovery"));
  EXPECT_EQ(refused.rc, 1);
  EXPECT_NE(refused.out.find("refused"), std::string::npos) << refused.out;
  EXPECT_NE(refused.out.find("SEP001122334455"), std::string::npos) << refused.out;
  EXPECT_EQ(run(emu("pki rotate --role tvs --role capf")).rc, 1);
  EXPECT_EQ(trust_rows(run_stdout(emu("trust list --json"))), before);  // nothing changed
  auto one = run(emu("pki rotate --role callmanager"));
  ASSERT_EQ(one.rc, 0) << one.out;
  auto forced = run(emu("pki rotate --role itlrecovery --force"));
  ASSERT_EQ(forced.rc, 0) << forced.out;
  auto after = trust_rows(run_stdout(emu("trust list --json")));
  EXPECT_NE(role_sha(after, "CCM+TFTP"), role_sha(before, "CCM+TFTP"));
  EXPECT_NE(role_sha(after, "SAST"), role_sha(before, "SAST"));
  EXPECT_EQ(role_sha(after, "TVS"), role_sha(before, "TVS"));
  EXPECT_TRUE(fs::exists(dir_ / "data" / "pki" / "itlrecovery.pem"));
  std::size_t backups = 0;
  for (const auto& e : fs::directory_iterator(dir_ / "data" / "pki")) backups += e.path().string().find(".bak-") != std::string::npos;
  EXPECT_EQ(backups, 4u);  // callmanager and itlrecovery, certificate and key
}

// Before CUCM 12.0 (cluster set itl_signer callmanager) the CallManager certificate signs the ITL:
// its rotation is the one refused, and ITLRecovery's goes through.
TEST_F(TrustCli, BeforeTwelveTheRotationRefusedIsCallManagers) {
  ASSERT_EQ(run(emu("pki init")).rc, 0);
  ASSERT_EQ(run(emu("cluster set itl_signer callmanager")).rc, 0);
  auto refused = run(emu("pki rotate --role callmanager"));
  EXPECT_EQ(refused.rc, 1);
  EXPECT_NE(refused.out.find("The CallManager certificate signs the ITL (itl_signer callmanager"), std::string::npos)
      << refused.out;
  auto itlr = run(emu("pki rotate --role itlrecovery"));
  EXPECT_EQ(itlr.rc, 0) << itlr.out;
  // tlv build makes the ITL of the era too: six records, signed by CallManager.
  auto built = run(emu("tlv build --type itl -o " + path("itl.tlv")));
  EXPECT_EQ(built.rc, 0) << built.out;
  EXPECT_NE(built.out.find("6 records, signed by CN=cucm-emu,"), std::string::npos) << built.out;
  auto bad = run(emu("cluster set itl_signer ccm"));
  EXPECT_EQ(bad.rc, 1);
  EXPECT_NE(bad.out.find("invalid itl_signer 'ccm'"), std::string::npos) << bad.out;
}

}  // namespace
}  // namespace cucm
