// Seed 003's steps from the command line: a CallManager CSR, signed by a CA made with openssl,
// imported once the CA is in CallManager-trust, and then used: the ITL lists it and the demo's
// phone boots against it. Also the trust stores themselves, and what is refused.
#include <sys/stat.h>

#include <algorithm>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "cli_support.hpp"

namespace cucm {
namespace {

class CertIdentityCli : public Cli {
 protected:
  // An enterprise CA, made with openssl in the test's folder.
  void make_ca(const std::string& name) const {
    ASSERT_EQ(run("openssl req -x509 -newkey rsa:2048 -nodes -keyout " + path(name + ".key") + " -out " +
                  path(name + ".pem") + " -subj '/CN=" + name + "/O=Enterprise' -days 365 -addext "
                  "basicConstraints=critical,CA:TRUE -addext keyUsage=critical,keyCertSign,cRLSign")
                  .rc,
              0);
  }
  // Signs `csr` with the CA `ca`, copying the CSR's extensions as a CA that honours them does.
  cucm::Run sign(const std::string& csr, const std::string& ca, const std::string& out) const {
    return run("openssl x509 -req -in " + path(csr) + " -CA " + path(ca + ".pem") + " -CAkey " + path(ca + ".key") +
               " -CAcreateserial -days 365 -copy_extensions copy -out " + path(out));
  }
};

TEST_F(CertIdentityCli, CsrSignedByAnEnterpriseCaIsImportedAndServed) {
  make_ca("EnterpriseRoot");
  std::string cluster = "--data-dir " + path("data/demo") + " ";
  auto emu_demo = [&](const std::string& args) { return std::string(CUCM_EMU) + " " + cluster + args; };
  ASSERT_EQ(run(emu_demo("pki init")).rc, 0);
  auto made = run(emu_demo("cert csr --role callmanager --cn cucm-a.lab --san DNS:cucm-a.lab,IP:127.0.0.1 --out " +
                           path("cm.csr")));
  ASSERT_EQ(made.rc, 0) << made.out;
  EXPECT_NE(made.out.find("CallManager-trust"), std::string::npos) << made.out;
  auto text = run("openssl req -in " + path("cm.csr") + " -noout -text -verify");
  EXPECT_NE(text.out.find("CN = cucm-a.lab"), std::string::npos) << text.out;
  EXPECT_NE(text.out.find("TLS Web Client Authentication"), std::string::npos) << text.out;
  EXPECT_NE(text.out.find("IP Address:127.0.0.1"), std::string::npos) << text.out;
  struct stat st {};
  ASSERT_EQ(::stat(path("data/demo/pki/callmanager.pending.key").c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0777, 0600u);
  ASSERT_EQ(sign("cm.csr", "EnterpriseRoot", "cm.pem").rc, 0);

  // The CA is not trusted yet: refused, and nothing changed.
  Bytes before = read("data/demo/pki/callmanager.pem");
  auto refused = run(emu_demo("cert import --role callmanager --cert " + path("cm.pem")));
  EXPECT_EQ(refused.rc, 1);
  EXPECT_NE(refused.out.find("not signed by a CA in CallManager-trust"), std::string::npos) << refused.out;
  EXPECT_EQ(read("data/demo/pki/callmanager.pem"), before);

  ASSERT_EQ(run(emu_demo("trust add --store CallManager-trust " + path("EnterpriseRoot.pem"))).rc, 0);
  // cert check agrees, against the same store.
  auto checked = run(emu_demo("cert check " + path("cm.pem") + " --store CallManager-trust --host 127.0.0.1"));
  EXPECT_EQ(checked.rc, 0) << checked.out;
  EXPECT_EQ(checked.out.rfind("valid", 0), 0u) << checked.out;
  auto imported = run(emu_demo("cert import --role callmanager --cert " + path("cm.pem")));
  ASSERT_EQ(imported.rc, 0) << imported.out;
  EXPECT_NE(imported.out.find("CN=cucm-a.lab"), std::string::npos) << imported.out;
  EXPECT_FALSE(fs::exists(dir_ / "data/demo/pki/callmanager.pending.key"));
  EXPECT_NE(read("data/demo/pki/callmanager.pem"), before);
  auto shown = nlohmann::json::parse(run_stdout(emu_demo("pki show --role callmanager --json")).out);
  EXPECT_NE(shown.dump().find("EnterpriseRoot"), std::string::npos) << shown.dump();

  // The ITL lists it as CCM+TFTP, and TVS vouches for it.
  ASSERT_EQ(run(emu_demo("tlv build --out " + path("ITLFile.tlv"))).rc, 0);
  auto itl = run(emu_demo("tlv parse " + path("ITLFile.tlv")));
  EXPECT_NE(itl.out.find("cucm-a.lab"), std::string::npos) << itl.out;
  auto tvs = run_stdout(emu_demo("trust list --store TVS --json"));
  EXPECT_NE(tvs.out.find("CN=cucm-a.lab"), std::string::npos) << tvs.out;

  // A phone boots against it: the demo's cluster is data/demo.
  auto demo = run(emu("demo"));
  EXPECT_EQ(demo.rc, 0) << demo.out;
  EXPECT_NE(demo.out.find("decrypted"), std::string::npos) << demo.out;
}

TEST_F(CertIdentityCli, ImportRefusalsChangeNothing) {
  make_ca("Root");
  ASSERT_EQ(run(emu("pki init")).rc, 0);
  ASSERT_EQ(run(emu("trust add --store CAPF-trust " + path("Root.pem"))).rc, 0);
  ASSERT_EQ(run(emu("trust add --store CallManager-trust " + path("Root.pem"))).rc, 0);
  // No CSR pending.
  auto none = run(emu("cert import --role tvs --cert " + path("Root.pem")));
  EXPECT_EQ(none.rc, 1);
  EXPECT_NE(none.out.find("no CSR is pending for tvs"), std::string::npos) << none.out;
  // ITLRecovery stays self-signed; an unknown role is named.
  EXPECT_NE(run(emu("cert csr --role itlrecovery")).out.find("self-signed"), std::string::npos);
  EXPECT_NE(run(emu("cert csr --role nope")).out.find("nope"), std::string::npos);
  EXPECT_EQ(run(emu("cert csr --role https --key rsa:2048")).rc, 1);  // 6971 takes EC only

  // A certificate over another key than the pending one.
  ASSERT_EQ(run(emu("cert csr --role tvs --out " + path("first.csr"))).rc, 0);
  ASSERT_EQ(run(emu("cert csr --role tvs --out " + path("second.csr"))).rc, 0);
  ASSERT_EQ(sign("first.csr", "Root", "first.pem").rc, 0);
  Bytes tvs_before = read("data/pki/tvs.pem");
  auto other = run(emu("cert import --role tvs --cert " + path("first.pem")));
  EXPECT_EQ(other.rc, 1);
  EXPECT_NE(other.out.find("not the pending key"), std::string::npos) << other.out;
  EXPECT_EQ(read("data/pki/tvs.pem"), tvs_before);

  // CAPF signed as an end entity: it could not issue LSCs.
  ASSERT_EQ(run(emu("cert csr --role capf --out " + path("capf.csr"))).rc, 0);
  ASSERT_TRUE(write_file_atomic(dir_ / "leaf.ext", as_bytes("basicConstraints=critical,CA:FALSE\n"
                                                            "keyUsage=critical,digitalSignature\nextendedKeyUsage=serverAuth\n")));
  auto leaf = run("openssl x509 -req -in " + path("capf.csr") + " -CA " + path("Root.pem") + " -CAkey " +
                  path("Root.key") + " -CAcreateserial -days 30 -extfile " + path("leaf.ext") + " -out " + path("capf.pem"));
  ASSERT_EQ(leaf.rc, 0) << leaf.out;
  auto not_ca = run(emu("cert import --role capf --cert " + path("capf.pem")));
  EXPECT_EQ(not_ca.rc, 1);
  EXPECT_NE(not_ca.out.find("CA:TRUE"), std::string::npos) << not_ca.out;
}

TEST_F(CertIdentityCli, TrustStoresAddListRemoveAndRefuseBadInput) {
  make_ca("VpnHeadend");
  auto added = run(emu("trust add --store phone-vpn-trust " + path("VpnHeadend.pem")));
  ASSERT_EQ(added.rc, 0) << added.out;
  EXPECT_NE(added.out.find("Phone-VPN-trust now holds CN=VpnHeadend"), std::string::npos) << added.out;
  auto rows = nlohmann::json::parse(run_stdout(emu("trust list --store Phone-VPN-trust --json")).out);
  ASSERT_EQ(rows.size(), 1u) << rows.dump();
  std::string sha = rows[0]["sha256"];
  auto sq = run_stdout("sqlite3 " + path("data/cucm.db") + " \"select store, source from trust_certificate where sha256='" +
                       sha + "'\"");
  EXPECT_EQ(sq.out, "Phone-VPN-trust|admin\n");
  // Every listing shows the stores and TVS's rows.
  auto all = nlohmann::json::parse(run_stdout(emu("trust list --json")).out);
  std::size_t tvs_rows = 0;
  for (const auto& r : all) tvs_rows += r["store"] == "TVS";
  EXPECT_EQ(all.size(), tvs_rows + 1);

  // Bad input: one line, exit 1, nothing stored.
  ASSERT_TRUE(write_file_atomic(dir_ / "junk.pem", as_bytes("not a certificate\n")));
  for (const std::string& cmd : std::vector<std::string>{"trust add --store CAPF-trust " + path("junk.pem"),
                                 "trust add --store Nope-trust " + path("VpnHeadend.pem"),
                                 "trust add " + path("VpnHeadend.pem"),
                                 "trust add --store CAPF-trust --role CCM " + path("VpnHeadend.pem"),
                                 "trust remove 0123456789abcdef --store CAPF-trust"}) {
    auto r = run(emu(cmd));
    EXPECT_EQ(r.rc, 1) << cmd << "\n" << r.out;
    EXPECT_EQ(std::count(r.out.begin(), r.out.end(), '\n'), 1) << cmd << "\n" << r.out;
  }
  std::string bundle;
  Bytes pem = read("VpnHeadend.pem");
  std::string one(pem.begin(), pem.end());
  for (int i = 0; i < 1000; ++i) bundle += one;
  ASSERT_TRUE(write_file_atomic(dir_ / "many.pem", as_bytes(bundle)));
  auto many = run(emu("trust add --store CallManager-trust " + path("many.pem")));
  EXPECT_EQ(many.rc, 1);
  EXPECT_NE(many.out.find("1000 certificates"), std::string::npos) << many.out;
  EXPECT_EQ(nlohmann::json::parse(run_stdout(emu("trust list --store CallManager-trust --json")).out).size(), 0u);

  // VPN groups take their headend certificates from Phone-VPN-trust, and put there those given.
  auto grp = run(emu("vpn add lab --url https://vpn.lab/SSLVPNphone --trusted " + sha.substr(0, 10)));
  ASSERT_EQ(grp.rc, 0) << grp.out;
  std::string sha1 = run_stdout(emu("certhash " + path("VpnHeadend.pem") + " --alg sha1")).out;
  sha1.erase(sha1.find_last_not_of(" \n") + 1);
  auto groups = nlohmann::json::parse(run_stdout(emu("vpn list --json")).out);
  ASSERT_EQ(groups.size(), 1u);
  EXPECT_EQ(groups[0]["cert_hashes"][0], sha1) << groups.dump();
  EXPECT_EQ(run(emu("vpn add lab2 --url https://vpn.lab/x --trusted 00000000")).rc, 1);
  make_ca("NextHeadend");
  ASSERT_EQ(run(emu("vpn add lab2 --url https://vpn.lab/x --headend-cert " + path("NextHeadend.pem"))).rc, 0);
  auto vpn_store = nlohmann::json::parse(run_stdout(emu("trust list --store Phone-VPN-trust --json")).out);
  ASSERT_EQ(vpn_store.size(), 2u) << vpn_store.dump();
  EXPECT_NE(vpn_store.dump().find("\"vpn add\""), std::string::npos) << vpn_store.dump();
  ASSERT_EQ(run(emu("vpn delete lab2")).rc, 0);

  auto removed = run(emu("trust remove " + sha.substr(0, 12)));
  EXPECT_EQ(removed.rc, 0) << removed.out;
  EXPECT_EQ(nlohmann::json::parse(run_stdout(emu("trust list --store Phone-VPN-trust --json")).out).size(), 1u);
}

// CAPF read its trusted CAs from capf/trust before the stores: the first command moves them.
TEST_F(CertIdentityCli, TheOldCapfTrustFolderMovesIntoCapfTrust) {
  make_ca("Manufacturing");
  ASSERT_EQ(run(emu("pki init")).rc, 0);
  fs::create_directories(dir_ / "data/capf/trust");
  fs::copy_file(dir_ / "Manufacturing.pem", dir_ / "data/capf/trust/mfg.pem");
  ASSERT_TRUE(write_file_atomic(dir_ / "data/capf/trust/README.txt", as_bytes("notes\n")));
  auto rows = nlohmann::json::parse(run_stdout(emu("trust list --store CAPF-trust --json")).out);
  ASSERT_EQ(rows.size(), 1u) << rows.dump();
  EXPECT_EQ(rows[0]["source"], "capf/trust");
  EXPECT_FALSE(fs::exists(dir_ / "data/capf/trust"));
  EXPECT_TRUE(fs::exists(dir_ / "data/capf/trust.moved/mfg.pem"));
  EXPECT_TRUE(fs::exists(dir_ / "data/capf/trust.moved/README.txt"));  // kept, not lost
}

}  // namespace
}  // namespace cucm
