// Seed 001's troubleshooting against a live headend: openssl s_server plays the VPN headend on
// loopback; `vpn add --from`, `vpn check` and `phone vpn` take the certificate it presents and
// compare its hash with the group's certHash1 ... certHashN, as the phone does ("Bad Certificate").
#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>

#include <algorithm>
#include <chrono>
#include <regex>

#include <nlohmann/json.hpp>

#include "child_process.hpp"
#include "cli_support.hpp"

namespace cucm {
namespace {

using namespace std::chrono_literals;

// A loopback TCP socket bound to a port the kernel picked; listening when asked, else closed at
// once (a port where nothing listens).
struct LoopbackSocket {
  explicit LoopbackSocket(bool listen) : fd(::socket(AF_INET, SOCK_STREAM, 0)) {
    sockaddr_in a{};
    a.sin_family = AF_INET;
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    EXPECT_EQ(::bind(fd, reinterpret_cast<sockaddr*>(&a), sizeof a), 0);  // NOLINT: the sockets API
    socklen_t len = sizeof a;
    ::getsockname(fd, reinterpret_cast<sockaddr*>(&a), &len);  // NOLINT: the sockets API
    port = ntohs(a.sin_port);
    if (listen) {
      EXPECT_EQ(::listen(fd, 8), 0);
    } else {
      ::close(fd);
      fd = -1;
    }
  }
  ~LoopbackSocket() {
    if (fd >= 0) ::close(fd);
  }
  int fd;
  int port = 0;
};

// openssl s_server presenting `cert`, on a loopback port of its own.
struct Headend {
  std::unique_ptr<ChildProcess> proc;
  int port = 0;
  std::string address() const { return "127.0.0.1:" + std::to_string(port); }
};

class VpnCli : public Cli {
 protected:
  // An EC key and a self-signed certificate made by openssl itself.
  void make_cert(const std::string& stem, const std::string& cn) const {
    auto r = run("openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes -days 30 -subj /CN=" + cn +
                 " -keyout " + path(stem + ".key") + " -out " + path(stem + ".pem"));
    ASSERT_EQ(r.rc, 0) << r.out;
  }
  // What the phone compares, computed by openssl alone.
  std::string openssl_hash(const std::string& stem, const std::string& digest) const {
    auto r = run("openssl x509 -in " + path(stem + ".pem") + " -outform DER | openssl dgst -" + digest +
                 " -binary | base64 -w0");
    EXPECT_EQ(r.rc, 0) << r.out;
    return r.out;
  }
  // Starts s_server and waits for its ACCEPT line; a port taken meanwhile is retried with another.
  Headend start_headend(const std::string& stem) const {
    std::string seen;
    for (int attempt = 0; attempt < 5; ++attempt) {
      int port = LoopbackSocket(false).port;
      std::string why;
      auto p = ChildProcess::start({"openssl", "s_server", "-accept", "127.0.0.1:" + std::to_string(port), "-cert",
                                    path(stem + ".pem"), "-key", path(stem + ".key"), "-www"},
                                   why);
      if (!p) {
        ADD_FAILURE() << why;
        return {};
      }
      if (p->wait_for("ACCEPT", 20s)) return Headend{std::move(p), port};
      seen = p->output();
    }
    ADD_FAILURE() << "openssl s_server did not start: " << seen;
    return {};
  }
  void add_phone(const std::string& group) const {
    auto r = run(emu("device add SEP001122334455 --product \"Cisco 8845\" --protocol SIP --vpn-group " + group));
    ASSERT_EQ(r.rc, 0) << r.out;
  }
  static bool has(const std::string& text, const std::string& what) { return text.find(what) != std::string::npos; }
};

TEST_F(VpnCli, AddFromFillsTheHashOfTheCertificateTheHeadendPresents) {
  make_cert("asa", "asa.lab");
  make_cert("spare", "spare.lab");
  auto headend = start_headend("asa");
  ASSERT_TRUE(headend.proc);
  std::string asa = openssl_hash("asa", "sha1");
  std::string spare = openssl_hash("spare", "sha1");
  ASSERT_EQ(asa.size(), 28u) << asa;

  // The sources are taken in the order given: certHash1 from the headend, 2 from a file, 3 given.
  auto add = run(emu("vpn add lab --url https://" + headend.address() + "/SSLVPNphone --from " + headend.address() +
                     " --headend-cert " + path("spare.pem") + " --cert-hash1 fZ2xQHMBcWj/fSoNs5IkPbA2Pt8="));
  ASSERT_EQ(add.rc, 0) << add.out;
  EXPECT_TRUE(has(add.out, "certHash1 " + asa + " (headend " + headend.address() + ": CN=asa.lab)")) << add.out;
  EXPECT_TRUE(has(add.out, "certHash2 " + spare)) << add.out;
  EXPECT_TRUE(has(add.out, "certHash3 fZ2xQHMBcWj/fSoNs5IkPbA2Pt8= (given)")) << add.out;
  EXPECT_TRUE(has(add.out, "hashAlg 0 (SHA-1)")) << add.out;

  auto list = run_stdout(emu("vpn list --json"));
  ASSERT_EQ(list.rc, 0) << list.out;
  auto j = nlohmann::json::parse(list.out);
  ASSERT_EQ(j.size(), 1u);
  EXPECT_EQ(j[0]["hash_alg"], "sha1");
  EXPECT_EQ(j[0]["cert_hashes"], nlohmann::json({asa, spare, "fZ2xQHMBcWj/fSoNs5IkPbA2Pt8="}));

  // The config carries every hash, and hashAlg.
  add_phone("lab");
  auto full = run_stdout(emu("cnf show SEP001122334455 --variant full"));
  ASSERT_EQ(full.rc, 0) << full.out;
  for (const std::string& want : {std::string("<hashAlg>0</hashAlg>"), "<certHash1>" + asa + "</certHash1>",
                                  "<certHash2>" + spare + "</certHash2>",
                                  std::string("<certHash3>fZ2xQHMBcWj/fSoNs5IkPbA2Pt8=</certHash3>")}) {
    EXPECT_TRUE(has(full.out, want)) << want << "\n" << full.out;
  }

  // Eleven hashes are refused before anything is fetched.
  std::string eleven = "vpn add big --url https://x/";
  for (int i = 0; i < 11; ++i) eleven += " --cert-hash1 " + asa;
  auto big = run(emu(eleven));
  EXPECT_EQ(big.rc, 1);
  EXPECT_TRUE(has(big.out, "11 certificate hashes vs at most 10")) << big.out;
}

TEST_F(VpnCli, CheckMatchesThenSaysBadCertificateWhenTheHeadendsCertificateChanges) {
  make_cert("old", "vpn.lab");
  make_cert("new", "vpn.lab");
  auto before = start_headend("old");
  ASSERT_TRUE(before.proc);
  ASSERT_EQ(run(emu("vpn add lab --url https://" + before.address() + "/SSLVPNphone --from " + before.address())).rc, 0);
  add_phone("lab");
  std::string old_hash = openssl_hash("old", "sha1");
  std::string new_hash = openssl_hash("new", "sha1");

  // The group's URL names the headend: the check connects there.
  auto ok = run(emu("vpn check SEP001122334455"));
  EXPECT_EQ(ok.rc, 0) << ok.out;
  EXPECT_TRUE(has(ok.out, "headend    " + old_hash)) << ok.out;
  EXPECT_TRUE(has(ok.out, "certHash1  " + old_hash + "   match")) << ok.out;
  EXPECT_TRUE(has(ok.out, "verdict: match (certHash1)")) << ok.out;

  // The headend now presents another certificate (same name, new key): the phone's "Bad Certificate".
  auto after = start_headend("new");
  ASSERT_TRUE(after.proc);
  auto bad = run(emu("vpn check sep001122334455 --connect " + after.address()));
  EXPECT_EQ(bad.rc, 1) << bad.out;
  EXPECT_TRUE(has(bad.out, "headend    " + new_hash)) << bad.out;           // what the headend presents
  EXPECT_TRUE(has(bad.out, "certHash1  " + old_hash + "   differs")) << bad.out;  // what the group carries
  EXPECT_TRUE(has(bad.out, "verdict: mismatch: the phone shows \"Bad Certificate\"")) << bad.out;
  EXPECT_TRUE(has(bad.out, "Bad Certificate: headend " + after.address())) << bad.out;

  auto json = run_stdout(emu("vpn check SEP001122334455 --json --connect " + after.address()));
  EXPECT_EQ(json.rc, 1);
  auto j = nlohmann::json::parse(json.out);
  EXPECT_EQ(j["verdict"], "mismatch");
  EXPECT_EQ(j["presented"], new_hash);
  EXPECT_EQ(j["cert_hashes"][0]["value"], old_hash);
  EXPECT_EQ(j["cert_hashes"][0]["match"], false);
  EXPECT_TRUE(j["matched"].is_null());
  EXPECT_EQ(j["subject"], "CN=vpn.lab");

  // Both certificates in the group (a headend's planned replacement): the new one is certHash2.
  ASSERT_EQ(run(emu("vpn add lab --url https://" + before.address() + "/SSLVPNphone --cert-hash1 " + old_hash +
                    " --from " + after.address()))
                .rc,
            0);
  auto both = run(emu("vpn check SEP001122334455 --connect " + after.address()));
  EXPECT_EQ(both.rc, 0) << both.out;
  EXPECT_TRUE(has(both.out, "verdict: match (certHash2)")) << both.out;
}

TEST_F(VpnCli, Sha512GroupsHashWithSha512AndWriteTheSettingsHashAlg) {
  make_cert("asa", "asa.lab");
  auto headend = start_headend("asa");
  ASSERT_TRUE(headend.proc);
  std::string sha512 = openssl_hash("asa", "sha512");
  ASSERT_EQ(sha512.size(), 88u) << sha512;
  auto add = run(emu("vpn add lab --hash-alg sha512 --url https://" + headend.address() + "/SSLVPNphone --from " +
                     headend.address()));
  ASSERT_EQ(add.rc, 0) << add.out;
  EXPECT_TRUE(has(add.out, "certHash1 " + sha512)) << add.out;
  EXPECT_TRUE(has(add.out, "hashAlg 1 (SHA-512)")) << add.out;  // the lab value: SHA-512's code is not known
  add_phone("lab");
  auto full = run_stdout(emu("cnf show SEP001122334455 --variant full"));
  EXPECT_TRUE(has(full.out, "<hashAlg>1</hashAlg>")) << full.out;
  EXPECT_TRUE(has(full.out, "<certHash1>" + sha512 + "</certHash1>")) << full.out;
  // The code is settable, and the config follows.
  ASSERT_EQ(run(emu("cluster set vpn_sha512_hash_alg 5")).rc, 0);
  EXPECT_TRUE(has(run_stdout(emu("cnf show SEP001122334455 --variant full")).out, "<hashAlg>5</hashAlg>"));

  auto ok = run(emu("vpn check SEP001122334455"));
  EXPECT_EQ(ok.rc, 0) << ok.out;
  EXPECT_TRUE(has(ok.out, "hashAlg 5 (SHA-512)")) << ok.out;
  EXPECT_TRUE(has(ok.out, "certHash1  " + sha512 + "   match")) << ok.out;

  // A SHA-1 hash cannot go into a SHA-512 group.
  auto wrong = run(emu("vpn add lab --hash-alg sha512 --url https://x/ --cert-hash1 fZ2xQHMBcWj/fSoNs5IkPbA2Pt8="));
  EXPECT_EQ(wrong.rc, 1);
  EXPECT_TRUE(has(wrong.out, "is 20 bytes vs 64 for sha512")) << wrong.out;
}

TEST_F(VpnCli, EveryFailureIsOneLineAndExitCodeOne) {
  LoopbackSocket closed(false);
  LoopbackSocket silent(true);  // accepts TCP (the kernel's backlog) but never speaks TLS
  std::string refused = "127.0.0.1:" + std::to_string(closed.port);
  ASSERT_EQ(run(emu("vpn add lab --url https://" + refused + "/SSLVPNphone --cert-hash1 fZ2xQHMBcWj/fSoNs5IkPbA2Pt8=")).rc, 0);
  ASSERT_EQ(run(emu("device add SEP0011223344AA --product \"Cisco 8845\" --protocol SIP")).rc, 0);
  add_phone("lab");
  struct Case {
    std::string args, message;
  };
  const std::vector<Case> cases = {
      {"vpn check SEP001122334455", "vpn headend " + refused + ": connect failed: Connection refused"},
      {"vpn check SEP001122334455 --connect 127.0.0.1:" + std::to_string(silent.port) + " --timeout-ms 300",
       "vpn headend 127.0.0.1:" + std::to_string(silent.port) + ": TLS handshake timed out after 300 ms"},
      {"vpn check SEP0011223344AA", "SEP0011223344AA has no vpn group (cucm-emu device set SEP0011223344AA --vpn-group NAME)"},
      {"vpn check SEP0011223344BB", "unknown device SEP0011223344BB"},
      {"vpn check SEP001122334455 --connect 127.0.0.1:99999", "port '99999' vs 1..65535"},
      {"vpn add other --url https://x/ --from " + refused, "connect failed: Connection refused"},
      {"vpn add other --url https://x/ --hash-alg md5", "vpn hash algorithm 'md5' vs sha1 or sha512"},
      {"phone vpn SEP001122334455 --server 127.0.0.1 --tftp-port " + std::to_string(closed.port) + " --http-port " +
           std::to_string(closed.port) + " --timeout-ms 300",
       "the phone did not reach a full config"},
  };
  for (const auto& c : cases) {
    auto r = run_raw(emu(c.args) + " 2>&1 >/dev/null");  // stderr only
    EXPECT_EQ(r.rc, 1) << c.args << "\n" << r.out;
    EXPECT_EQ(std::count(r.out.begin(), r.out.end(), '\n'), 1) << c.args << "\n" << r.out;
    EXPECT_EQ(r.out.rfind("cucm-emu: ", 0), 0u) << c.args << "\n" << r.out;
    EXPECT_TRUE(has(r.out, c.message)) << c.args << "\n" << r.out;
  }
}

// `serve` on loopback ports of its own, for the simulated phone to boot from.
struct Server {
  std::unique_ptr<ChildProcess> proc;
  std::string tftp_port, http_port, https_port;
};

TEST_F(VpnCli, PhoneVpnAcceptsTheMatchingHeadendAndSaysBadCertificateOtherwise) {
  make_cert("asa", "asa.lab");
  make_cert("rogue", "asa.lab");
  auto good = start_headend("asa");
  auto rogue = start_headend("rogue");
  ASSERT_TRUE(good.proc && rogue.proc);
  ASSERT_EQ(run(emu("vpn add lab --url https://" + good.address() + "/SSLVPNphone --from " + good.address())).rc, 0);
  add_phone("lab");

  std::string why;
  Server s;
  s.proc = ChildProcess::start({CUCM_EMU, "--data-dir", (dir_ / "data").string(), "serve", "--tftp-address", "127.0.0.1",
                                "--http-address", "127.0.0.1", "--https-address", "127.0.0.1", "--capf-address",
                                "127.0.0.1", "--tvs-address", "127.0.0.1", "--tftp-port", "0", "--http-port", "0",
                                "--https-port", "0", "--capf-port", "0", "--tvs-port", "0", "--sip-address", "127.0.0.1",
                                "--sip-tls-port", "0", "--sip-port", "0", "--admin-port", "0"},
                               why);
  ASSERT_TRUE(s.proc) << why;
  ASSERT_TRUE(s.proc->wait_for("serving ", 60s)) << s.proc->output();
  std::smatch m;
  const std::string& out = s.proc->output();
  ASSERT_TRUE(std::regex_search(out, m, std::regex(R"(tftp: listening on 127\.0\.0\.1:(\d+)/udp)"))) << out;
  s.tftp_port = m[1];
  ASSERT_TRUE(std::regex_search(out, m, std::regex(R"(http: listening on 127\.0\.0\.1:(\d+)/tcp)"))) << out;
  s.http_port = m[1];
  ASSERT_TRUE(std::regex_search(out, m, std::regex(R"(https: listening on 127\.0\.0\.1:(\d+)/tcp)"))) << out;
  s.https_port = m[1];
  std::string phone = "phone vpn SEP001122334455 --server 127.0.0.1 --tftp-port " + s.tftp_port + " --http-port " +
                      s.http_port + " --https-port " + s.https_port;
  std::string asa = openssl_hash("asa", "sha1");
  std::string other = openssl_hash("rogue", "sha1");

  // The vpnGroup's url1 names the good headend: the phone connects there by itself.
  auto accepted = run(emu(phone));
  EXPECT_EQ(accepted.rc, 0) << accepted.out;
  for (const std::string& want : {"vpnGroup: url1 https://" + good.address() + "/SSLVPNphone, hashAlg 0 (SHA-1), 1 certificate hash(es)",
                                  "connect " + good.address(), "Certificate CN=asa.lab, SHA-1 " + asa,
                                  "compare: certHash1 " + asa + " (match)",
                                  std::string("VPN connected (certificate accepted)")}) {
    EXPECT_TRUE(has(accepted.out, want)) << want << "\n" << accepted.out;
  }

  auto refused = run(emu(phone + " --headend " + rogue.address()));
  EXPECT_EQ(refused.rc, 1) << refused.out;
  for (const std::string& want : {"Certificate CN=asa.lab, SHA-1 " + other, "compare: certHash1 " + asa + " (differs)",
                                  std::string("Bad Certificate")}) {
    EXPECT_TRUE(has(refused.out, want)) << want << "\n" << refused.out;
  }
  EXPECT_FALSE(has(refused.out, "VPN connected")) << refused.out;

  auto json = run_stdout(emu(phone + " --json --headend " + rogue.address()));
  EXPECT_EQ(json.rc, 1);
  auto j = nlohmann::json::parse(json.out);
  EXPECT_EQ(j["vpn"]["bad_certificate"], true);
  EXPECT_EQ(j["vpn"]["presented"], other);
  EXPECT_EQ(j["boot"]["full_config"], true);
}

}  // namespace
}  // namespace cucm
