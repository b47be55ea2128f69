// cucm-emu cert check on CA hierarchies made by the openssl command-line tool here, as a lab
// engineer makes them: root -> intermediate -> Expressway-E's certificate (seed 002).
#include <algorithm>

#include <nlohmann/json.hpp>

#include "cli_support.hpp"

namespace cucm {
namespace {

class CertCli : public Cli {
 protected:
  void SetUp() override {
    Cli::SetUp();
    make_hierarchy();
  }

  void openssl(const std::string& args) const {
    auto r = run("cd " + dir_.string() + " && openssl " + args);
    ASSERT_EQ(r.rc, 0) << args << "\n" << r.out;
  }

  void ext(const std::string& name, const std::string& lines) const {
    write(name, Bytes(lines.begin(), lines.end()));
  }

  // A leaf signed by the intermediate with the extensions in `ext_lines`.
  void make_leaf(const std::string& stem, const std::string& cn, const std::string& ext_lines) const {
    ext(stem + ".ext", ext_lines);
    openssl("req -new -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -subj '/CN=" + cn + "' -keyout " + stem +
            ".key -out " + stem + ".csr 2>&1");
    openssl("x509 -req -in " + stem + ".csr -CA inter.pem -CAkey inter.key -CAcreateserial -days 365 -sha256 " +
            "-extfile " + stem + ".ext -out " + stem + ".pem 2>&1");
  }

  void make_hierarchy() const {
    openssl("req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -days 3650 -subj '/CN=Lab Root CA' "
            "-addext basicConstraints=critical,CA:TRUE -addext keyUsage=critical,keyCertSign,cRLSign "
            "-keyout root.key -out root.pem 2>&1");
    ext("inter.ext",
        "basicConstraints=critical,CA:TRUE,pathlen:0\nkeyUsage=critical,keyCertSign,cRLSign\n"
        "subjectKeyIdentifier=hash\nauthorityKeyIdentifier=keyid\n");
    openssl("req -new -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -subj '/CN=Lab Intermediate CA' "
            "-keyout inter.key -out inter.csr 2>&1");
    openssl("x509 -req -in inter.csr -CA root.pem -CAkey root.key -CAcreateserial -days 1825 -sha256 "
            "-extfile inter.ext -out inter.pem 2>&1");
    make_leaf("leaf", "expressway-e.lab",
              "basicConstraints=CA:FALSE\nkeyUsage=critical,digitalSignature\n"
              "extendedKeyUsage=serverAuth,clientAuth\nsubjectAltName=DNS:expressway-e.lab,IP:192.0.2.10\n");
    concat("ca.pem", {"inter.pem", "root.pem"});       // what the trusted CA list needs
    concat("fullchain.pem", {"leaf.pem", "inter.pem"});  // what a server sends
  }

  void concat(const std::string& out, std::initializer_list<std::string> parts) const {
    Bytes all;
    for (const auto& p : parts) {
      Bytes b = read(p);
      all.insert(all.end(), b.begin(), b.end());
    }
    write(out, all);
  }

  std::string check(const std::string& args) const { return emu("cert check " + args); }
};

bool has(const std::string& s, const std::string& part) { return s.find(part) != std::string::npos; }

std::size_t lines(const std::string& s) { return static_cast<std::size_t>(std::count(s.begin(), s.end(), '\n')); }

TEST_F(CertCli, AValidChainExitsZero) {
  auto r = run(check(path("leaf.pem") + " --trusted " + path("ca.pem")));
  EXPECT_EQ(r.rc, 0) << r.out;
  EXPECT_EQ(r.out, "valid: CN=expressway-e.lab chains to CN=Lab Root CA for server and client\n");
  auto sent = run(check(path("fullchain.pem") + " --trusted " + path("root.pem") + " --host expressway-e.lab"));
  EXPECT_EQ(sent.rc, 0) << sent.out;
  EXPECT_EQ(sent.out, "valid: CN=expressway-e.lab chains to CN=Lab Root CA for server and client, host "
                      "expressway-e.lab\n");
  EXPECT_EQ(run(check(path("leaf.pem") + " --trusted " + path("ca.pem") + " --host 192.0.2.10")).rc, 0);
  // A check reads files only: no data folder is made.
  EXPECT_FALSE(fs::exists(dir_ / "data"));
}

TEST_F(CertCli, TheRootAloneMissesTheIntermediate) {
  auto r = run(check(path("leaf.pem") + " --trusted " + path("root.pem")));
  EXPECT_EQ(r.rc, 1);
  EXPECT_EQ(r.out,
            "invalid: 1 problem\n"
            "  error [intermediate-missing] CN=expressway-e.lab: intermediate certificate missing: its issuer CN=Lab "
            "Intermediate CA is neither in the chain nor in the trusted CA list\n");
}

TEST_F(CertCli, TheIntermediateAloneIsNotEnough) {
  auto r = run(check(path("leaf.pem") + " --trusted " + path("inter.pem")));
  EXPECT_EQ(r.rc, 1);
  EXPECT_TRUE(has(r.out, "[untrusted] CN=Lab Intermediate CA: not signed by a CA in the trusted CA list")) << r.out;
  auto none = run(check(path("fullchain.pem")));
  EXPECT_EQ(none.rc, 1);
  EXPECT_TRUE(has(none.out, "[intermediate-missing] CN=Lab Intermediate CA: intermediate certificate missing: its "
                            "issuer CN=Lab Root CA is neither in the chain nor in the trusted CA list; the trusted CA "
                            "list is empty"))
      << none.out;
}

TEST_F(CertCli, WrongEkuFailsForThePurposeAsked) {
  make_leaf("server", "expressway-c.lab",
            "basicConstraints=CA:FALSE\nextendedKeyUsage=serverAuth\nsubjectAltName=DNS:expressway-c.lab\n");
  auto both = run(check(path("server.pem") + " --trusted " + path("ca.pem")));
  EXPECT_EQ(both.rc, 1);
  EXPECT_TRUE(has(both.out, "[eku-client] CN=expressway-c.lab: EKU lacks TLS Web Client Authentication")) << both.out;
  auto server = run(check(path("server.pem") + " --trusted " + path("ca.pem") + " --purpose server"));
  EXPECT_EQ(server.rc, 0) << server.out;
  EXPECT_TRUE(has(server.out, "for server\n")) << server.out;
}

TEST_F(CertCli, AHostNotInTheSanFails) {
  auto r = run(check(path("leaf.pem") + " --trusted " + path("ca.pem") + " --host cucm.lab"));
  EXPECT_EQ(r.rc, 1);
  EXPECT_TRUE(has(r.out, "[host] CN=expressway-e.lab: host name not in the SAN: cucm.lab is not among "
                         "DNS:expressway-e.lab, IP Address:192.0.2.10"))
      << r.out;
}

TEST_F(CertCli, ValidityIsJudgedAtTheTimeAsked) {
  auto r = run(check(path("leaf.pem") + " --trusted " + path("ca.pem") + " --at '2099-01-01 00:00:00'"));
  EXPECT_EQ(r.rc, 1);
  EXPECT_TRUE(has(r.out, "invalid: 3 problems\n")) << r.out;
  EXPECT_TRUE(has(r.out, "[expired] CN=expressway-e.lab: expired on ")) << r.out;
  EXPECT_TRUE(has(r.out, "(checked at 2099-01-01 00:00:00 UTC)")) << r.out;
  auto bad = run(check(path("leaf.pem") + " --at 2099-02-30"));
  EXPECT_EQ(bad.rc, 1);
  EXPECT_EQ(bad.out, "cucm-emu: --at '2099-02-30': expected \"YYYY-MM-DD HH:MM:SS\" (UTC)\n");
  auto feb30 = run(check(path("leaf.pem") + " --at '2099-02-30 00:00:00'"));
  EXPECT_EQ(feb30.rc, 1);
  EXPECT_EQ(lines(feb30.out), 1u) << feb30.out;
}

TEST_F(CertCli, JsonParses) {
  auto ok = run_stdout(check(path("leaf.pem") + " --trusted " + path("ca.pem") + " --json"));
  EXPECT_EQ(ok.rc, 0);
  auto j = nlohmann::json::parse(ok.out);
  EXPECT_EQ(j["verdict"], "valid");
  EXPECT_EQ(j["chain"], (nlohmann::json{"CN=expressway-e.lab", "CN=Lab Intermediate CA", "CN=Lab Root CA"}));
  EXPECT_EQ(j["anchor"], "CN=Lab Root CA");
  EXPECT_TRUE(j["problems"].empty());

  auto bad = run_stdout(check(path("leaf.pem") + " --trusted " + path("root.pem") + " --host cucm.lab --json"));
  EXPECT_EQ(bad.rc, 1);
  auto b = nlohmann::json::parse(bad.out);
  EXPECT_EQ(b["verdict"], "invalid");
  EXPECT_TRUE(b["anchor"].is_null());
  ASSERT_EQ(b["problems"].size(), 2u) << b.dump(2);
  EXPECT_EQ(b["problems"][0]["code"], "intermediate-missing");
  EXPECT_EQ(b["problems"][0]["severity"], "error");
  EXPECT_EQ(b["problems"][0]["subject"], "CN=expressway-e.lab");
  EXPECT_EQ(b["problems"][1]["code"], "host");
  EXPECT_TRUE(has(b["problems"][1]["message"].get<std::string>(), "host name not in the SAN"));
}

TEST_F(CertCli, BadInputIsOneLine) {
  std::string text = "not a certificate\n";
  write("notes.txt", Bytes(text.begin(), text.end()));
  auto r = run(check(path("notes.txt")));
  EXPECT_EQ(r.rc, 1);
  EXPECT_EQ(r.out, "cucm-emu: signer: " + path("notes.txt") +
                       ": no certificate in it: neither PEM (-----BEGIN CERTIFICATE-----) nor DER\n");
  auto key_only = run(check(path("leaf.pem") + " --trusted " + path("leaf.key")));
  EXPECT_EQ(key_only.rc, 1);
  EXPECT_EQ(lines(key_only.out), 1u) << key_only.out;
  auto missing = run(check(path("nothing.pem")));
  EXPECT_EQ(missing.rc, 1);
  EXPECT_EQ(lines(missing.out), 1u) << missing.out;
  auto purpose = run(check(path("leaf.pem") + " --purpose email"));
  EXPECT_EQ(purpose.rc, 1);
  EXPECT_EQ(purpose.out, "cucm-emu: --purpose 'email': expected server, client or both\n");
  // 1,000 certificates: refused after the 64th, in one line.
  Bytes leaf = read("leaf.pem"), many;
  for (int i = 0; i < 1000; ++i) many.insert(many.end(), leaf.begin(), leaf.end());
  write("many.pem", many);
  auto big = run(check(path("many.pem")));
  EXPECT_EQ(big.rc, 1);
  EXPECT_TRUE(has(big.out, "more than 64 certificates")) << big.out;
  EXPECT_EQ(lines(big.out), 1u) << big.out;
}

TEST_F(CertCli, DerIsReadToo) {
  openssl("x509 -in leaf.pem -outform DER -out leaf.der");
  auto r = run(check(path("leaf.der") + " --trusted " + path("ca.pem")));
  EXPECT_EQ(r.rc, 0) << r.out;
}

}  // namespace
}  // namespace cucm
