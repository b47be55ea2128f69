// The admin command line: the seed's SQL query (ours and sqlite3's), configs that pass xmllint,
// bulk import that changes nothing on a bad row, and one clear error per bad input.
#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <vector>

#include <nlohmann/json.hpp>

#include "cli_support.hpp"

namespace cucm {
namespace {

constexpr const char* kEncProfile = "\"Cisco 7942 - Standard SCCP Encrypted Config\"";

class AdminCli : public Cli {
 protected:
  void add_seed_phone() {
    auto r = run(emu(std::string("device add SEPA45630BBFA40 --product \"Cisco 7942\" --protocol SCCP --profile ") +
                     kEncProfile + " --description \"Desk <3> & 'lab' \\\"A\\\"\""));
    ASSERT_EQ(r.rc, 0) << r.out;
  }
};

TEST_F(AdminCli, SeedQueryAsRunSqlAndAsSqlite3) {
  add_seed_phone();
  make_device("mic");
  auto rec = run(emu("device cert SEPA45630BBFA40 --type MIC --cert " + path("mic.pem")));
  ASSERT_EQ(rec.rc, 0) << rec.out;
  std::string md5 = run("openssl x509 -in " + path("mic.pem") + " -outform DER | openssl dgst -md5 -r").out.substr(0, 32);
  const std::string query = "select md5hash,name from device where name='SEPA45630BBFA40'";
  auto ours = run_stdout(emu("sql \"" + query + "\""));
  ASSERT_EQ(ours.rc, 0) << ours.out;
  EXPECT_EQ(ours.out, "md5hash                          name\n"
                      "================================ ===============\n" +
                          md5 + " SEPA45630BBFA40\n");
  auto theirs = run("sqlite3 " + (dir_ / "data/cucm.db").string() + " \"" + query + "\"");
  ASSERT_EQ(theirs.rc, 0) << theirs.out;
  EXPECT_EQ(theirs.out, md5 + "|SEPA45630BBFA40\n");
}

TEST_F(AdminCli, SqlIsReadOnlyUnlessAskedToWrite) {
  add_seed_phone();
  auto refused = run(emu("sql \"delete from device\""));
  EXPECT_EQ(refused.rc, 1);
  EXPECT_NE(refused.out.find("--write"), std::string::npos) << refused.out;
  EXPECT_NE(run_stdout(emu("sql \"select count(*) as n from device\"")).out.find("\n1\n"), std::string::npos);
  auto bad = run(emu("sql \"select nope from device\""));
  EXPECT_EQ(bad.rc, 1);
  EXPECT_NE(bad.out.find("no such column"), std::string::npos) << bad.out;
  auto json = run_stdout(emu("sql --json \"select name, product from device\""));
  auto j = nlohmann::json::parse(json.out);
  EXPECT_EQ(j[0]["product"], "Cisco 7942");
  EXPECT_EQ(run(emu("sql --write \"update device set description = 'x'\"")).rc, 0);
}

TEST_F(AdminCli, EveryServedConfigPassesXmllint) {
  add_seed_phone();
  make_device("mic");
  // Partial config (no key yet), then the full config, the decrypted config and XMLDefault.
  ASSERT_EQ(run(emu("cnf fetch SEPA45630BBFA40.cnf.xml.sgn -o " + path("partial.sgn"))).rc, 0);
  ASSERT_EQ(run(emu("sgn strip " + path("partial.sgn") + " -o " + path("partial.xml"))).rc, 0);
  ASSERT_EQ(run(emu("device cert SEPA45630BBFA40 --type MIC --cert " + path("mic.pem"))).rc, 0);
  ASSERT_EQ(run(emu("cnf show SEPA45630BBFA40 --variant full -o " + path("full.xml"))).rc, 0);
  ASSERT_EQ(run(emu("cnf fetch SEPA45630BBFA40.cnf.xml.enc.sgn -o " + path("enc.sgn"))).rc, 0);
  auto dec = run(emu("enc decrypt " + path("enc.sgn") + " --device-key " + path("mic.key") + " -o " + path("dec.xml")));
  ASSERT_EQ(dec.rc, 0) << dec.out;
  EXPECT_EQ(read("dec.xml"), read("full.xml"));
  ASSERT_EQ(run(emu("cnf fetch XMLDefault.cnf.xml -o " + path("default.xml"))).rc, 0);
  for (const char* f : {"partial.xml", "full.xml", "dec.xml", "default.xml"}) {
    auto lint = run("xmllint --noout " + path(f));
    EXPECT_EQ(lint.rc, 0) << f << ": " << lint.out;
  }
  // Partial configs never carry lines or the description's text.
  EXPECT_EQ(std::string(as_chars(read("partial.xml"))).find("Desk"), std::string::npos);
}

TEST_F(AdminCli, CnfShowExplainsTheDecision) {
  add_seed_phone();
  auto r = run(emu("cnf show SEPA45630BBFA40"));
  ASSERT_EQ(r.rc, 0) << r.out;
  EXPECT_NE(r.out.find("SEPA45630BBFA40.cnf.xml.enc.sgn  not-found    no public key on record yet"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("<certHash/>"), std::string::npos);
  auto j = nlohmann::json::parse(run_stdout(emu("cnf show --json SEPA45630BBFA40")).out);
  EXPECT_EQ(j["decisions"][1]["variant"], "partial");
  auto enc = run(emu("cnf show SEPA45630BBFA40 --variant enc"));
  EXPECT_EQ(enc.rc, 1);
  EXPECT_NE(enc.out.find("must complete CAPF first"), std::string::npos);
}

TEST_F(AdminCli, BulkImportIsAllOrNothing) {
  std::string header =
      "name,description,product,protocol,profile,load_information,vpn_group,directory_number,display_name,"
      "auth_name,auth_password,capf_operation,capf_auth_string\n";
  std::string good = header +
                     "SEP000000000001,\"a, b\",Cisco 8845,SIP,Universal Device Template - Model-independent Security Profile,,,1001,A,,,,\n"
                     "SEP000000000002,,Cisco 8845,SIP,Universal Device Template - Model-independent Security Profile,,,1002,B,,,install,\n"
                     "sep000000000003,,Cisco 7942,SCCP,Cisco 7942 - Standard SCCP Encrypted Config,,,,,,,,\n";
  write("good.csv", as_bytes(good));
  auto ok = run(emu("device import " + path("good.csv")));
  ASSERT_EQ(ok.rc, 0) << ok.out;
  EXPECT_NE(ok.out.find("imported 3 devices"), std::string::npos);
  std::string bad = header +
                    "SEP000000000004,,Cisco 8845,SIP,Universal Device Template - Model-independent Security Profile,,,,,,,,\n"
                    "SEP000000000001,,Cisco 8845,SIP,Universal Device Template - Model-independent Security Profile,,,,,,,,\n"
                    "SEP000000000005,,Cisco 8845,SIP,No Such Profile,,,,,,,,\n";
  write("bad.csv", as_bytes(bad));
  auto refused = run(emu("device import " + path("bad.csv")));
  EXPECT_EQ(refused.rc, 1);
  EXPECT_NE(refused.out.find("line 3: device SEP000000000001 already exists"), std::string::npos) << refused.out;
  EXPECT_NE(refused.out.find("line 4: unknown phone security profile 'No Such Profile'"), std::string::npos);
  EXPECT_NE(refused.out.find("nothing was imported"), std::string::npos);
  auto list = nlohmann::json::parse(run_stdout(emu("device list --json")).out);
  EXPECT_EQ(list.size(), 3u);
  auto exported = run_stdout(emu("device export"));
  EXPECT_EQ(exported.out.substr(0, header.size()), header);
  EXPECT_NE(exported.out.find("SEP000000000001,\"a, b\",Cisco 8845"), std::string::npos) << exported.out;
}

TEST_F(AdminCli, BadInputGetsOneClearErrorAndExitCode1) {
  add_seed_phone();
  struct Case {
    std::string args, message;
  } cases[] = {
      {"device add SEP123 --product \"Cisco 7942\"", "invalid device name 'SEP123'"},
      {"device add SEP001122334455 --product \"Cisco 7942\" --profile Nope", "unknown phone security profile 'Nope'"},
      {std::string("device add SEPA45630BBFA40 --product \"Cisco 7942\" --protocol SCCP --profile ") + kEncProfile,
       "device SEPA45630BBFA40 already exists"},
      {"capf schedule SEPA45630BBFA40 --operation install --auth-string 12", "4 to 10 digits"},
      {"capf schedule SEPA45630BBFA40 --operation reboot", "invalid CAPF operation 'reboot'"},
      {"profile add X --product \"Cisco 7942\" --protocol SCCP --rsa-key-size 8192", "invalid RSA key size 8192"},
      {"profile set \"Cisco 7942 - Standard SCCP Non-Secure Profile\" --tftp-encrypted true", "cannot be changed"},
      {"profile delete " + std::string(kEncProfile), "used by 1 device"},
      {"cluster set capf_port 99999", "invalid capf_port '99999'"},
      {"cluster set itl_version 2.0", "invalid itl_version '2.0': 1.0, or 1.1"},
      {"device show SEP00000000000F", "unknown device SEP00000000000F"},
  };
  for (const auto& c : cases) {
    auto r = run(emu(c.args));
    EXPECT_EQ(r.rc, 1) << c.args << ": " << r.out;
    EXPECT_NE(r.out.find(c.message), std::string::npos) << c.args << ": " << r.out;
    EXPECT_EQ(r.out.rfind("cucm-emu: ", 0), 0u) << r.out;
  }
  auto list = nlohmann::json::parse(run_stdout(emu("device list --json")).out);
  EXPECT_EQ(list.size(), 1u);
}

TEST_F(AdminCli, CapfScheduleStatusAndEvents) {
  add_seed_phone();
  ASSERT_EQ(run(emu("capf schedule SEPA45630BBFA40 --operation install --days 7")).rc, 0);
  auto st = run_stdout(emu("capf status"));
  EXPECT_NE(st.out.find("SEPA45630BBFA40 install   Operation Pending"), std::string::npos) << st.out;
  ASSERT_EQ(run(emu("capf cancel SEPA45630BBFA40")).rc, 0);
  auto show = nlohmann::json::parse(run_stdout(emu("device show --json SEPA45630BBFA40")).out);
  EXPECT_EQ(show["capf"]["operation"], "none");
  auto ev = run_stdout(emu("events --device SEPA45630BBFA40"));
  EXPECT_NE(ev.out.find("device added"), std::string::npos) << ev.out;
  EXPECT_NE(ev.out.find("CAPF install scheduled"), std::string::npos);
  EXPECT_NE(ev.out.find("CAPF operation cancelled"), std::string::npos);
}

TEST_F(AdminCli, CapfIssuedReadsTheBundle) {
  // Two LSC-like certificates in the bundle layout the CAPF appends (a comment line, then PEM).
  for (const char* dev : {"SEPA45630BBFA40", "SEP001122334455"}) {
    auto r = run(std::string("openssl req -x509 -newkey rsa:2048 -nodes -days 30 -subj /CN=") + dev + "/O=Lab -keyout " +
                 path(std::string(dev) + ".key") + " -out " + path(std::string(dev) + ".pem"));
    ASSERT_EQ(r.rc, 0) << r.out;
  }
  fs::create_directories(dir_ / "data" / "capf");
  Bytes bundle = to_bytes("# SEPA45630BBFA40 serial 01 issued 2026-11-23 00:00:00 UTC\n");
  for (const char* dev : {"SEPA45630BBFA40", "SEP001122334455"}) {
    Bytes pem = read(std::string(dev) + ".pem");
    bundle.insert(bundle.end(), pem.begin(), pem.end());
  }
  ASSERT_TRUE(write_file_atomic(dir_ / "data" / "capf" / "issued.pem", bundle));

  auto all = run_stdout(emu("capf issued"));
  EXPECT_EQ(all.rc, 0);
  EXPECT_NE(all.out.find("SEPA45630BBFA40"), std::string::npos) << all.out;
  EXPECT_NE(all.out.find("SEP001122334455"), std::string::npos) << all.out;
  EXPECT_NE(all.out.find("RSA 2048"), std::string::npos) << all.out;
  auto one = run_stdout(emu("capf issued sepa45630bbfa40 --pem"));
  EXPECT_EQ(one.rc, 0);
  EXPECT_EQ(one.out, as_chars(read("SEPA45630BBFA40.pem")));
  // And the PEM is what openssl reads.
  write("one.pem", as_bytes(one.out));
  auto subject = run("openssl x509 -noout -subject -in " + path("one.pem"));
  EXPECT_NE(subject.out.find("CN = SEPA45630BBFA40"), std::string::npos) << subject.out;
}

TEST_F(AdminCli, VpnGroupCarriesTheHeadendHash) {
  make_device("asa");
  auto add = run(emu("vpn add lab --url https://10.201.160.201/SSLVPNphone --headend-cert " + path("asa.pem")));
  ASSERT_EQ(add.rc, 0) << add.out;
  ASSERT_EQ(run(emu("device add SEP001122334455 --product \"Cisco 8845\" --vpn-group lab")).rc, 0);
  auto full = run_stdout(emu("cnf show SEP001122334455 --variant full"));
  std::string sha1 = run("openssl x509 -in " + path("asa.pem") + " -outform DER | openssl dgst -sha1 -binary | base64").out;
  sha1.pop_back();
  EXPECT_NE(full.out.find("<certHash1>" + sha1 + "</certHash1>"), std::string::npos) << full.out;
  EXPECT_EQ(run(emu("vpn delete lab")).rc, 1);  // in use
}

}  // namespace
}  // namespace cucm

namespace cucm {
namespace {

// A TCP and UDP port on loopback where nothing listens: bound, then closed.
int closed_port() {
  int s = ::socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in a{};
  a.sin_family = AF_INET;
  a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  ::bind(s, reinterpret_cast<sockaddr*>(&a), sizeof a);  // NOLINT: the sockets API
  socklen_t len = sizeof a;
  ::getsockname(s, reinterpret_cast<sockaddr*>(&a), &len);  // NOLINT: the sockets API
  ::close(s);
  return ntohs(a.sin_port);
}

// Every failure a lab engineer can cause by hand (a host that does not resolve, a port where
// nothing listens or that cannot be one, a file that is not there) ends the same way: exit code
// 1 and one line on stderr saying what was wrong, never an abort.
TEST_F(Cli, EveryFailureIsOneLineAndExitCodeOne) {
  ASSERT_EQ(run(emu("pki init")).rc, 0);  // so no command below says it created the identities
  std::string port = std::to_string(closed_port());
  std::string missing = path("missing.file");
  const std::vector<std::string> commands = {
      "phone boot SEP001122334455 --server no-such-host.invalid --timeout-ms 300",
      "phone boot SEP001122334455 --server localhost --tftp-port " + port + " --http-port " + port + " --timeout-ms 300",
      "phone boot SEP001122334455 --tftp-port 70000",
      "phone fleet --count 2 --concurrency 2 --server no-such-host.invalid --timeout-ms 300",
      "phone fleet --count 1 --http-port 0",
      "serve --tftp-port 70000",
      "serve --events-max-age-days -1",
      "serve --tftp-address no.such.address --tftp-port 0 --http-port 0 --https-port 0 --capf-port 0 --tvs-port 0 --no-sip",
      "sgn build " + missing,
      "sgn parse " + missing,
      "sgn verify " + missing,
      "enc build " + missing + " --device-cert " + missing,
      "enc parse " + missing,
      "enc decrypt " + missing + " --device-key " + missing,
      "tlv parse " + missing,
      "tlv verify " + missing,
      "certhash " + missing,
      "device import " + missing,
      "pki import --role callmanager --cert " + missing + " --key " + missing,
      "cnf fetch ITLFile.tlv --digest md4 -o " + path("out.tlv"),
  };
  for (const auto& c : commands) {
    auto r = run_raw(emu(c) + " 2>&1 >/dev/null");  // stderr only
    EXPECT_EQ(r.rc, 1) << c << "\n" << r.out;
    EXPECT_EQ(std::count(r.out.begin(), r.out.end(), '\n'), 1) << c << "\n" << r.out;
    EXPECT_EQ(r.out.rfind("cucm-emu: ", 0), 0u) << c << "\n" << r.out;
    EXPECT_EQ(r.out.find("internal error"), std::string::npos) << c << "\n" << r.out;
  }
}

// The event log's bounds are serve flags, and serve says at exit what the log took.
TEST_F(Cli, ServeTakesTheEventLogBoundsAndCountsAtExit) {
  auto r = run_stdout(emu("serve --tftp-address 127.0.0.1 --http-address 127.0.0.1 --capf-address 127.0.0.1 "
                          "--https-address 127.0.0.1 --tvs-address 127.0.0.1 --tftp-port 0 --http-port 0 --https-port 0 "
                          "--capf-port 0 --tvs-port 0 --sip-address 127.0.0.1 --sip-tls-port 0 --sip-port 0 --admin-port 0 --events-max-mb 1 --events-max-age-days 7 "
                          "--exit-after 1"));
  EXPECT_EQ(r.rc, 0) << r.out;
  EXPECT_NE(r.out.find("events: 0 written, 0 repeated refusals counted in summaries, 0 dropped (queue full), "
                       "0 removed by retention"),
            std::string::npos)
      << r.out;
}

}  // namespace
}  // namespace cucm
