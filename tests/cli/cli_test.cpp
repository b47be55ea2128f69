// The cucm-emu command line, cross-checked with independent tools: openssl dgst/pkeyutl/enc
// verify what we sign and encrypt, xmllint accepts the partial config.
#include <unistd.h>

#include <regex>

#include <nlohmann/json.hpp>

#include "cli_support.hpp"

#include "core/encoding.hpp"
#include "core/file_io.hpp"
#include "signer/enc_sgn_file.hpp"
#include "signer/sgn_file.hpp"
#include "signer/trust_list.hpp"

namespace cucm {
namespace {

const std::string kConfig = std::string(CUCM_FIXTURES) + "/cnf/SEP001122334455.cnf.xml";
const std::string kFixtureItl = std::string(CUCM_THIRD_PARTY_FIXTURES) + "/ITLFile.tlv";

// Writes the signed region (file minus the signature item) and the signature for openssl dgst.
void split_for_openssl(const Bytes& file, const signer::ParsedHeader& p, Bytes& region, Bytes& sig) {
  region.assign(file.begin(), file.begin() + static_cast<std::ptrdiff_t>(p.signature_item_offset));
  region.insert(region.end(), file.begin() + static_cast<std::ptrdiff_t>(p.signature_item_offset + p.signature_item_size),
                file.end());
  sig = p.header.signature;
}

TEST_F(Cli, PkiInitShowAndJson) {
  auto init = run(emu("pki init --node lab1"));
  ASSERT_EQ(init.rc, 0) << init.out;
  EXPECT_NE(init.out.find("created"), std::string::npos);
  EXPECT_NE(init.out.find("CN=lab1,OU=Phone Security,O=cucm-emu Lab"), std::string::npos) << init.out;
  auto again = run(emu("pki init --node other"));
  ASSERT_EQ(again.rc, 0);
  EXPECT_NE(again.out.find("kept the existing"), std::string::npos);
  auto show = run(emu("pki show --json --role capf"));
  ASSERT_EQ(show.rc, 0) << show.out;
  auto j = nlohmann::json::parse(show.out);
  ASSERT_EQ(j.size(), 1u);
  EXPECT_EQ(j[0]["trust_role"], "CAPF");
  EXPECT_EQ(j[0]["key"], "RSA 2048");
  EXPECT_EQ(j[0]["sha1_fingerprint"].get<std::string>().size(), 59u);
  // openssl agrees on the fingerprint.
  auto fp = run("openssl x509 -noout -fingerprint -sha1 -in " + (dir_ / "data/pki/capf.pem").string());
  EXPECT_NE(fp.out.find(j[0]["sha1_fingerprint"].get<std::string>()), std::string::npos) << fp.out;
  // The HTTPS 6971 identity: EC, listed as TFTP, named after the node.
  auto https = nlohmann::json::parse(run(emu("pki show --json --role https")).out);
  ASSERT_EQ(https.size(), 1u);
  EXPECT_EQ(https[0]["trust_role"], "TFTP");
  EXPECT_EQ(https[0]["key"], "EC prime256v1");
  EXPECT_EQ(https[0]["subject"], "CN=lab1-EC,OU=Phone Security,O=cucm-emu Lab");
}

TEST_F(Cli, SgnSignatureVerifiesWithOpensslDgst) {
  ASSERT_EQ(run(emu("pki init")).rc, 0);
  ASSERT_EQ(run("openssl x509 -pubkey -noout -in " + (dir_ / "data/pki/callmanager.pem").string() + " > " +
                path("cm.pub")).rc, 0);
  for (const std::string digest : {"sha1", "sha512"}) {
    auto b = run(emu("sgn build " + kConfig + " --digest " + digest + " -o " + path("c.sgn")));
    ASSERT_EQ(b.rc, 0) << b.out;
    Bytes file = read("c.sgn");
    auto p = signer::parse_sgn(file);
    ASSERT_TRUE(p);
    EXPECT_EQ(p->header.filename, "SEP001122334455.cnf.xml.sgn");
    Bytes region, sig;
    split_for_openssl(file, *p, region, sig);
    write("region.bin", region);
    write("sig.bin", sig);
    auto v = run("openssl dgst -" + digest + " -verify " + path("cm.pub") + " -signature " + path("sig.bin") + " " +
                 path("region.bin"));
    EXPECT_EQ(v.rc, 0) << v.out;
    EXPECT_NE(v.out.find("Verified OK"), std::string::npos);
    auto ours = run(emu("sgn verify " + path("c.sgn")));
    EXPECT_EQ(ours.rc, 0) << ours.out;
    // strip gives back the config byte for byte.
    ASSERT_EQ(run(emu("sgn strip " + path("c.sgn") + " -o " + path("stripped.xml"))).rc, 0);
    EXPECT_EQ(read("stripped.xml"), *read_file(kConfig));
  }
}

TEST_F(Cli, EncSgnUnwrapsAndDecryptsWithOpensslAndPartialPassesXmllint) {
  make_device("dev");
  fs::copy_file(kConfig, dir_ / "SEP001122334455.cnf.xml");
  auto b = run(emu("enc build " + path("SEP001122334455.cnf.xml") + " --device-cert " + path("dev.pem")));
  ASSERT_EQ(b.rc, 0) << b.out;
  Bytes file = read("SEP001122334455.cnf.xml.enc.sgn");
  auto p = signer::parse_enc_sgn(file);
  ASSERT_TRUE(p) << p.error().message;
  const auto& e = *p->header.encryption;
  write("wrapped.bin", e.wrapped_key);
  auto unwrap = run("openssl pkeyutl -decrypt -inkey " + path("dev.key") + " -in " + path("wrapped.bin") + " -out " +
                    path("aes.bin"));
  ASSERT_EQ(unwrap.rc, 0) << unwrap.out;
  Bytes aes = read("aes.bin");
  ASSERT_EQ(aes.size(), 16u);
  write("ct.bin", ByteView(file).subspan(p->header_length));
  auto dec = run("openssl enc -d -aes-128-cbc -nopad -K " + to_hex(aes) + " -iv " + to_hex(e.iv) + " -in " +
                 path("ct.bin") + " -out " + path("padded.bin"));
  ASSERT_EQ(dec.rc, 0) << dec.out;
  Bytes padded = read("padded.bin");
  Bytes plain = *read_file(kConfig);
  ASSERT_EQ(padded.size(), plain.size() + e.pad_count);
  EXPECT_EQ(Bytes(padded.begin(), padded.begin() + static_cast<std::ptrdiff_t>(plain.size())), plain);
  for (std::size_t i = plain.size(); i < padded.size(); ++i) EXPECT_EQ(padded[i], 0x0d);
  auto sha = run("openssl dgst -sha1 -r " + kConfig);
  EXPECT_EQ(sha.out.substr(0, 40), to_hex(p->header.digest));

  auto ours = run(emu("enc decrypt " + path("SEP001122334455.cnf.xml.enc.sgn") + " --device-key " + path("dev.key") +
                      " -o " + path("plain.xml")));
  ASSERT_EQ(ours.rc, 0) << ours.out;
  EXPECT_EQ(read("plain.xml"), plain);

  // The partial config carries the MD5 of the device certificate, as openssl computes it.
  auto md5 = run("openssl x509 -in " + path("dev.pem") + " -outform DER | openssl dgst -md5 -r");
  std::string want = md5.out.substr(0, 32);
  auto hash = run(emu("certhash --alg md5 " + path("dev.pem")));
  EXPECT_EQ(hash.out, want + "\n");
  ASSERT_EQ(run(emu("sgn strip " + path("SEP001122334455.cnf.xml.sgn") + " -o " + path("partial.xml"))).rc, 0);
  std::string partial = as_chars(read("partial.xml")).data() ? std::string(as_chars(read("partial.xml"))) : "";
  EXPECT_NE(partial.find("<certHash>" + want + "</certHash>"), std::string::npos) << partial;
  EXPECT_NE(partial.find("<fullConfig>false</fullConfig>"), std::string::npos);
  EXPECT_NE(partial.find("<encrConfig>true</encrConfig>"), std::string::npos);
  auto lint = run("xmllint --noout " + path("partial.xml"));
  EXPECT_EQ(lint.rc, 0) << lint.out;

  // The wrong phone key fails cleanly.
  make_device("other");
  auto wrong = run(emu("enc decrypt " + path("SEP001122334455.cnf.xml.enc.sgn") + " --device-key " + path("other.key")));
  EXPECT_EQ(wrong.rc, 1);
  EXPECT_NE(wrong.out.find("cucm-emu: enc:"), std::string::npos) << wrong.out;
}

TEST_F(Cli, TrustListsBuildParseAndVerifyWithOpenssl) {
  make_device("app");
  auto b = run(emu("tlv build -o " + path("ITLFile.tlv") + " --add APP-SERVER=" + path("app.pem")));
  ASSERT_EQ(b.rc, 0) << b.out;
  auto parse = run(emu("tlv parse --json --verify " + path("ITLFile.tlv")));
  ASSERT_EQ(parse.rc, 0) << parse.out;
  auto j = nlohmann::json::parse(parse.out);
  ASSERT_EQ(j["records"].size(), 6u);
  EXPECT_EQ(j["records"][0]["role_name"], "SAST");
  EXPECT_EQ(j["records"][1]["role_name"], "CCM+TFTP");
  EXPECT_EQ(j["records"][2]["role_name"], "CAPF");
  EXPECT_EQ(j["records"][3]["role_name"], "TVS");
  EXPECT_EQ(j["records"][4]["role_name"], "TFTP");  // the HTTPS 6971 certificate (EC)
  EXPECT_EQ(j["records"][5]["role_name"], "APP-SERVER");
  EXPECT_TRUE(j["signature_valid"].get<bool>());

  Bytes file = read("ITLFile.tlv");
  auto list = signer::parse_trust_list(file);
  ASSERT_TRUE(list);
  Bytes region, sig;
  split_for_openssl(file, list->parsed, region, sig);
  write("region.bin", region);
  write("sig.bin", sig);
  ASSERT_EQ(run("openssl x509 -pubkey -noout -in " + (dir_ / "data/pki/itlrecovery.pem").string() + " > " +
                path("sast.pub")).rc, 0);
  auto v = run("openssl dgst -sha1 -verify " + path("sast.pub") + " -signature " + path("sig.bin") + " " + path("region.bin"));
  EXPECT_EQ(v.rc, 0) << v.out;

  auto ctl = run(emu("tlv build --type ctl -o " + path("CTLFile.tlv")));
  ASSERT_EQ(ctl.rc, 0) << ctl.out;
  auto cj = nlohmann::json::parse(run(emu("tlv parse --json " + path("CTLFile.tlv"))).out);
  EXPECT_EQ(cj["records"].size(), 4u);  // no TVS; HTTPS as TFTP
  EXPECT_EQ(cj["header"]["filename"], "CTLFile.tlv");
}

TEST_F(Cli, FixtureItlParsesAndVerifies) {
  auto r = run(emu("tlv parse --verify " + kFixtureItl));
  EXPECT_EQ(r.rc, 0) << r.out;
  EXPECT_NE(r.out.find("signature: OK"), std::string::npos);
  EXPECT_NE(r.out.find("ISRG Root X1"), std::string::npos);
  EXPECT_NE(r.out.find("0x184"), std::string::npos);
  auto v = run(emu("tlv verify " + kFixtureItl));
  EXPECT_EQ(v.rc, 0) << v.out;
}

TEST_F(Cli, BadInputGetsExitCode1AndOneClearLine) {
  ASSERT_EQ(run(emu("pki init")).rc, 0);
  ASSERT_EQ(run(emu("sgn build " + kConfig + " -o " + path("c.sgn"))).rc, 0);
  Bytes good = read("c.sgn");

  write("trunc.sgn", ByteView(good).first(200));
  auto t = run(emu("sgn parse " + path("trunc.sgn")));
  EXPECT_EQ(t.rc, 1);
  EXPECT_NE(t.out.find("offset"), std::string::npos) << t.out;
  EXPECT_EQ(std::count(t.out.begin(), t.out.end(), '\n'), 1) << t.out;

  Bytes tampered = good;
  tampered.back() ^= 1;
  write("tampered.sgn", tampered);
  auto v = run(emu("sgn verify " + path("tampered.sgn")));
  EXPECT_EQ(v.rc, 1);
  EXPECT_NE(v.out.find("BAD signature"), std::string::npos) << v.out;

  auto fixture = read_file(kFixtureItl);
  ASSERT_TRUE(fixture) << fixture.error().message;
  Bytes itl = *fixture;
  ASSERT_GT(itl.size(), 0x1000u);
  itl[0x1000] ^= 1;
  write("bad.tlv", itl);
  auto iv = run(emu("tlv verify " + path("bad.tlv")));
  EXPECT_EQ(iv.rc, 1) << iv.out;

  write("garbage", to_bytes("hello, this is not a signed file"));
  for (const std::string cmd : {"sgn parse", "enc parse", "tlv parse", "certhash"}) {
    auto g = run(emu(cmd + " " + path("garbage")));
    EXPECT_EQ(g.rc, 1) << cmd << ": " << g.out;
    EXPECT_EQ(g.out.rfind("cucm-emu: ", 0), 0u) << g.out;
  }
  auto missing = run(emu("sgn parse " + path("nope.sgn")));
  EXPECT_EQ(missing.rc, 1);
  EXPECT_NE(missing.out.find("cannot open"), std::string::npos);

  auto enc_as_sgn = run(emu("enc parse " + path("c.sgn")));
  EXPECT_EQ(enc_as_sgn.rc, 1);
  EXPECT_NE(enc_as_sgn.out.find("sgn parse"), std::string::npos) << enc_as_sgn.out;
}

TEST_F(Cli, ImportRefusesAMismatchedKey) {
  ASSERT_EQ(run(emu("pki init")).rc, 0);
  make_device("a");
  make_device("b");
  auto r = run(emu("pki import --role callmanager --cert " + path("a.pem") + " --key " + path("b.key")));
  EXPECT_EQ(r.rc, 1);
  EXPECT_NE(r.out.find("does not match the certificate"), std::string::npos) << r.out;
  auto ok = run(emu("pki import --role callmanager --cert " + path("a.pem") + " --key " + path("a.key")));
  EXPECT_EQ(ok.rc, 0) << ok.out;
  EXPECT_NE(ok.out.find("CN=SEP001122334455"), std::string::npos);
}

TEST_F(Cli, DemoRunsTheEncryptedConfigFlow) {
  auto r = run(emu("demo"));
  EXPECT_EQ(r.rc, 0) << r.out;
  EXPECT_NE(r.out.find("demo: OK"), std::string::npos) << r.out;
  // Issue 19 item 4: each CAPF message element by element.
  EXPECT_NE(r.out.find("| header: protocol 0x55, command 1 (AuthRequest), SID 1, body 8 bytes"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("| DeviceName (tag 13, 16 bytes): \"SEPA45630BBFA40\""), std::string::npos) << r.out;
  EXPECT_TRUE(std::regex_search(r.out, std::regex("\\| Certificate \\(tag 4, [0-9]+ bytes\\): CN=SEPA45630BBFA40,.*, MD5 [0-9a-f]{32}")))
      << r.out;
  EXPECT_EQ(r.out.find(": 0000  55 01"), std::string::npos);  // bytes only with --hex
  auto again = run(emu("demo --hex"));  // idempotent: keys and phone are reused
  EXPECT_EQ(again.rc, 0) << again.out;
  EXPECT_NE(again.out.find(": 0000  55 01 00 00 00 01 00 08  07 00 01 03 08 00 01 00"), std::string::npos) << again.out;
}

// Issue 21: with --sip the flow goes on to the REGISTER over TLS with the LSC CAPF just issued.
TEST_F(Cli, DemoSipEndsRegisteredOverTlsWithTheLsc) {
  auto r = run(emu("demo --sip"));
  EXPECT_EQ(r.rc, 0) << r.out;
  EXPECT_NE(r.out.find("SEPA45630BBFA41 is on \"Cisco 8845 - Standard SIP Encrypted Config\""), std::string::npos) << r.out;
  EXPECT_TRUE(std::regex_search(r.out, std::regex("phone -> cucm +SIP +REGISTER 1001"))) << r.out;
  EXPECT_NE(r.out.find("CertificateType (tag 3, 1 bytes): 1 (LSC)"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("registered: 1 of 1 line(s) over tls"), std::string::npos) << r.out;
  EXPECT_TRUE(std::regex_search(r.out, std::regex("SEPA45630BBFA41 1 +1001 .* tls +LSC"))) << r.out;
  EXPECT_NE(r.out.find("demo: OK"), std::string::npos) << r.out;
}

// Issue 19, item 2: the demo's TLS secrets for Wireshark, only when asked (flag or SSLKEYLOGFILE),
// with a warning, in a file only its owner reads. The 79xx demo phone speaks TLS 1.0 to CAPF.
TEST_F(Cli, DemoWritesATlsKeyLogOnlyWhenAsked) {
  auto plain = run(emu("demo"));
  ASSERT_EQ(plain.rc, 0) << plain.out;
  EXPECT_EQ(plain.out.find("TLS key log on"), std::string::npos) << plain.out;
  auto r = run(emu("demo --tls-keylog " + path("keys.log")));
  ASSERT_EQ(r.rc, 0) << r.out;
  EXPECT_NE(r.out.find("TLS key log on"), std::string::npos) << r.out;
  auto keys = std::string(as_chars(read("keys.log")));
  EXPECT_TRUE(std::regex_search(keys, std::regex("(^|\n)CLIENT_RANDOM [0-9a-f]{64} [0-9a-f]{96}\n"))) << keys;
  EXPECT_EQ(fs::status(path("keys.log")).permissions() & fs::perms::all, fs::perms::owner_read | fs::perms::owner_write);
  auto env = run("SSLKEYLOGFILE=" + path("env.log") + " " + emu("demo"));
  ASSERT_EQ(env.rc, 0) << env.out;
  EXPECT_NE(env.out.find("from SSLKEYLOGFILE"), std::string::npos) << env.out;
  EXPECT_NE(std::string(as_chars(read("env.log"))).find("CLIENT_RANDOM "), std::string::npos);
  EXPECT_NE(run(emu("demo --tls-keylog /nonexistent/dir/keys.log")).out.find("cannot open it for appending"),
            std::string::npos);
}

// Issue 19 item 1: `wireshark install` puts the dissectors where Wireshark looks for a user's
// Lua plugins, byte for byte as in wireshark/, and tshark then loads them.
TEST_F(Cli, WiresharkInstallPutsTheDissectorsWhereTsharkLoadsThem) {
  auto home = path("home");
  auto r = run("HOME=" + home + " " + emu("wireshark install"));
  ASSERT_EQ(r.rc, 0) << r.out;
  fs::path plugins = fs::path(home) / ".local/lib/wireshark/plugins";
  std::size_t n = 0;
  for (const auto& e : fs::directory_iterator(fs::path(CUCM_SOURCE_DIR) / "wireshark")) {
    if (e.path().extension() != ".lua") continue;
    ++n;
    auto installed = read_file(plugins / e.path().filename());
    auto source = read_file(e.path());
    ASSERT_TRUE(installed && source) << e.path().filename();
    EXPECT_EQ(*installed, *source) << e.path().filename();
  }
  EXPECT_EQ(n, 4u);
  auto loaded = run("HOME=" + home + " tshark -G plugins");
  for (const char* f : {"cucm_capf.lua", "cucm_tvs.lua", "cucm_files.lua"}) {
    EXPECT_NE(loaded.out.find(f), std::string::npos) << loaded.out;
  }
  EXPECT_EQ(run(emu("wireshark install --dir /proc/nope")).rc, 1);
}

// Issue 19 item 3: demo --pcap records the demo on loopback with dumpcap, its TLS secrets inside
// (editcap --inject-secrets): tshark with our dissectors and no key log shows the CAPF messages.
// dumpcap needs capture rights (root, or the wireshark group); without them the demo must say so.
TEST_F(Cli, DemoPcapRecordsTheHandshakeDecrypted) {
  auto r = run(emu("demo --pcap " + path("demo.pcapng")));
  if (r.rc != 0) {
    ASSERT_NE(r.out.find("dumpcap cannot capture on lo"), std::string::npos) << r.out;
    GTEST_SKIP() << "no capture rights here: " << r.out.substr(r.out.find("dumpcap cannot"));
  }
  EXPECT_NE(r.out.find("recorded the demo in " + path("demo.pcapng") + " (TLS secrets inside"), std::string::npos) << r.out;
  EXPECT_FALSE(fs::exists(path("demo.pcapng.part")));
  EXPECT_NE(std::string(as_chars(read("demo.pcapng.keylog"))).find("CLIENT_RANDOM "), std::string::npos);
  std::string lua;
  for (const char* f : {"cucm_files.lua", "cucm_capf.lua", "cucm_tvs.lua"}) {
    lua += " -X lua_script:" + (fs::path(CUCM_SOURCE_DIR) / "wireshark" / f).string();
  }
  auto shown = run("tshark -n -r " + path("demo.pcapng") + lua + " -V");
  ASSERT_EQ(shown.rc, 0) << shown.out.substr(0, 2000);
  for (const char* text : {"AuthRequest", "AuthResponse", "DeviceName", "SEPA45630BBFA40", "End"}) {
    EXPECT_NE(shown.out.find(text), std::string::npos) << text;
  }
  EXPECT_EQ(shown.out.find("Lua Error"), std::string::npos);
  if (::geteuid() == 0) {  // TFTP on port 69: the signed files decoded too
    EXPECT_NE(shown.out.find("ITLSEPA45630BBFA40.tlv"), std::string::npos);
    EXPECT_NE(shown.out.find("SignerName"), std::string::npos);
  }
  // Issue 21: with --sip the recording goes on to SIP over TLS on 5061, which tshark's own SIP
  // dissector reads with the secrets inside. In this test, not one of its own: both demos take
  // the standard ports, so they must not run at once.
  auto sip = run(emu("demo --sip --pcap " + path("sip.pcapng")));
  ASSERT_EQ(sip.rc, 0) << sip.out;
  auto registered = run("tshark -n -r " + path("sip.pcapng") + " -Y sip");
  EXPECT_NE(registered.out.find("Request: REGISTER sip:127.0.0.1:5061;transport=tls"), std::string::npos) << registered.out;
  EXPECT_NE(registered.out.find("Status: 200 OK (REGISTER)"), std::string::npos) << registered.out;
}

TEST_F(Cli, HelpAndUsageErrors) {
  auto help = run(std::string(CUCM_EMU) + " --help");
  EXPECT_EQ(help.rc, 0);
  for (const char* sub : {"pki", "sgn", "enc", "tlv", "certhash", "demo"}) {
    EXPECT_NE(help.out.find(sub), std::string::npos) << sub;
  }
  EXPECT_EQ(run(std::string(CUCM_EMU) + " frobnicate").rc, 2);
  EXPECT_EQ(run(emu("--log-level loud demo")).rc, 2);
}

}  // namespace
}  // namespace cucm
