// The Wireshark dissectors of wireshark/ (cucm_files.lua, cucm_capf.lua, cucm_tvs.lua), run by
// the real tshark: every header field and element name shows, framing faults are expert info,
// and no input, however damaged, gives a Lua error. Packets come from make_pcap.py (beside this
// file), which wraps files as TFTP reads, HTTP responses or TCP payloads; nothing is captured and
// nothing is sent.
#include <gtest/gtest.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <array>
#include <cctype>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <future>
#include <string>
#include <vector>

namespace {
namespace fs = std::filesystem;

const fs::path kSource = CUCM_SOURCE_DIR;

struct Output {
  int rc = -1;
  std::string out;  // stdout and stderr
};

Output run(const std::string& cmd) {
  Output r;
  FILE* p = ::popen((cmd + " 2>&1").c_str(), "r");
  if (!p) return r;
  std::array<char, 65536> buf{};
  while (std::size_t n = std::fread(buf.data(), 1, buf.size(), p)) r.out.append(buf.data(), n);
  int status = ::pclose(p);
  r.rc = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  return r;
}

std::string quote(const fs::path& p) { return "'" + p.string() + "'"; }

std::size_t count(const std::string& haystack, const std::string& needle) {
  std::size_t n = 0;
  for (auto at = haystack.find(needle); at != std::string::npos; at = haystack.find(needle, at + 1))
    ++n;
  return n;
}

class Wireshark : public ::testing::Test {
 protected:
  void SetUp() override {
    // A missing tshark is a failure, not a skip: scripts/bootstrap.sh installs it, as it installs
    // curl and openssl for the other tests.
    ASSERT_EQ(run("command -v tshark").rc, 0) << "tshark is missing: scripts/bootstrap.sh installs it";
    dir_ = fs::temp_directory_path() /
           ("cucm-wireshark-" + std::to_string(::getpid()) + "-" +
            ::testing::UnitTest::GetInstance()->current_test_info()->name());
    fs::remove_all(dir_);
    fs::create_directories(dir_ / "home");
  }
  void TearDown() override {
    if (!dir_.empty() && !HasFailure()) fs::remove_all(dir_);
  }

  // make_pcap.py BEFORE dir_/NAME AFTER (BEFORE: its --options); returns the pcap's path.
  fs::path make(const std::string& name, const std::string& before, const std::string& after) {
    fs::path out = dir_ / name;
    Output r = run("python3 " + quote(kSource / "tests/wireshark/make_pcap.py") + " " + before +
                   " " + quote(out) + " " + after);
    EXPECT_EQ(r.rc, 0) << r.out;
    return out;
  }

  // tshark -V over a pcap with the three dissectors loaded. HOME points at an empty folder so that
  // personal preferences and plugins (an installed copy of the same scripts) stay out.
  std::string tshark_command(const fs::path& file, const std::string& options = "") const {
    std::string cmd = "HOME=" + quote(dir_ / "home") + " tshark -n -r " + quote(file);
    for (const char* s : {"cucm_files.lua", "cucm_capf.lua", "cucm_tvs.lua"}) {
      cmd += " -X lua_script:" + quote(kSource / "wireshark" / s);
    }
    return cmd + " " + options + " -V";
  }
  // What tshark printed, once checked for a failure and for Lua errors.
  static std::string checked(const Output& r) {
    EXPECT_EQ(r.rc, 0) << r.out.substr(0, 4000);
    EXPECT_EQ(count(r.out, "Lua Error"), 0u) << first_line_with(r.out, "Lua Error");
    EXPECT_EQ(count(r.out, "Lua: Error"), 0u) << first_line_with(r.out, "Lua: Error");
    return r.out;
  }
  std::string tshark(const fs::path& file, const std::string& options = "") {
    return checked(run(tshark_command(file, options)));
  }

  static std::string first_line_with(const std::string& text, const std::string& needle) {
    auto at = text.find(needle);
    if (at == std::string::npos) return {};
    auto from = text.rfind('\n', at);
    from = from == std::string::npos ? 0 : from + 1;
    return text.substr(from, text.find('\n', at) - from);
  }

  fs::path dir_;
};

const fs::path kFiles = kSource / "fixtures/pcap/files";

// Header items every signed file has (PROTOCOLS §5.1), as "<Name> (tag <n>,".
const std::vector<std::string> kCommonHeader = {"Version (tag 1,",
                                                "HeaderLength (tag 2,",
                                                "SignerInfo (tag 3,",
                                                "SignerName (tag 4,",
                                                "SerialNumber (tag 5,",
                                                "IssuerName (tag 6,",
                                                "SignatureInfo (tag 7,",
                                                "HashAlgorithm (tag 8,",
                                                "SignatureAlgorithmInfo (tag 9,",
                                                "SignatureAlgorithm (tag 10,",
                                                "SignatureModulus (tag 11,",
                                                "Signature (tag 12,",
                                                "Filename (tag 14,",
                                                "Timestamp (tag 15,"};
const std::vector<std::string> kEncryption = {"EncryptionInfo (tag 16,",  "IvInfo (tag 17,",
                                              "IvFlag (tag 18,",          "Iv (tag 19,",
                                              "PadCount (tag 20,",        "KeyInfo (tag 21,",
                                              "KeyFlag (tag 22,",         "KeyBits (tag 23,",
                                              "Cipher (tag 24,",          "WrappedKey (tag 25,",
                                              "DigestAlgorithm (tag 26,", "Digest (tag 27,"};
const std::vector<std::string> kRecord = {"SignerVersion (tag 28,", "RecordLength (tag 1,",
                                          "Subject (tag 3,",        "Issuer (tag 5,",
                                          "Serial (tag 6,",         "Role (tag 4,",
                                          "PublicKey (tag 7,",      "Signature (tag 8,",
                                          "Certificate (tag 9,",    "Certificate MD5 (certHash):",
                                          "Certificate subject:"};

void expect_all(const std::string& out, const std::vector<std::string>& names,
                const std::string& what) {
  for (const auto& n : names)
    EXPECT_NE(out.find(n), std::string::npos) << what << ": no \"" << n << "\"";
}

struct FileCase {
  std::string file;
  std::vector<std::vector<std::string>> names;
};

std::vector<FileCase> file_cases() {
  return {{"SEP001122334455.cnf.xml.sgn", {kCommonHeader, {"Padding (tag 13", "Payload:"}}},
          {"SEP001122334455.cnf.xml.enc.sgn",
           {kCommonHeader, kEncryption, {"Padding (tag 13", "Ciphertext:"}}},
          {"ITLFile.tlv",
           {kCommonHeader, kRecord, {"SAST (0)", "CCM+TFTP (2)", "CAPF (4)", "TVS (21)"}}},
          {"CTLFile.tlv", {kCommonHeader, kRecord, {"SAST (0)", "CCM+TFTP (2)", "CAPF (4)"}}}};
}

TEST_F(Wireshark, FilesOverHttpShowEveryField) {
  for (const auto& c : file_cases()) {
    SCOPED_TRACE(c.file);
    std::string out = tshark(make(c.file + ".http.pcap", "", "http " + quote(kFiles / c.file)));
    for (const auto& names : c.names) expect_all(out, names, c.file + " over HTTP");
    EXPECT_NE(out.find("Filename: " + c.file), std::string::npos);
    EXPECT_EQ(count(out, "Malformed"), 0u) << first_line_with(out, "Malformed");
    EXPECT_EQ(count(out, "cucm_files.truncated"), 0u);
    EXPECT_EQ(count(out, "(Warning/Undecoded)"), 0u) << first_line_with(out, "(Warning/Undecoded)");
  }
}

TEST_F(Wireshark, FilesOverTftpReassembledShowEveryField) {
  for (const auto& c : file_cases()) {
    SCOPED_TRACE(c.file);
    // -2: in the second pass the first block knows it was reassembled, so only the last one shows
    // the file.
    std::string out = tshark(make(c.file + ".tftp.pcap", "", "tftp " + quote(kFiles / c.file)),
                             "-2 -o tftp.defragment:TRUE");
    for (const auto& names : c.names) expect_all(out, names, c.file + " over TFTP");
    EXPECT_EQ(count(out, "CUCM signed file (.sgn, .enc.sgn, ITL/CTL),"), 1u);
    EXPECT_EQ(count(out, "Malformed"), 0u) << first_line_with(out, "Malformed");
    EXPECT_EQ(count(out, "(Warning/Undecoded)"), 0u) << first_line_with(out, "(Warning/Undecoded)");
  }
}

// Wireshark's default: no TFTP reassembly. The first block is decoded alone and what is past it
// is flagged, without a fault.
TEST_F(Wireshark, FirstTftpBlockAloneIsFlaggedAsTruncated) {
  std::string out = tshark(make("itl.tftp.pcap", "", "tftp " + quote(kFiles / "ITLFile.tlv")));
  expect_all(out,
             {"Version (tag 1,", "HeaderLength (tag 2,", "SignerVersion (tag 28,",
              "Signature (tag 12,", "Timestamp (tag 15,", "RecordLength (tag 1,"},
             "first block");
  EXPECT_EQ(count(out, "CUCM signed file (.sgn, .enc.sgn, ITL/CTL),"), 1u);
  EXPECT_NE(out.find("[Expert Info (Warning/Undecoded): record 1: "), std::string::npos)
      << out.substr(0, 3000);
  EXPECT_EQ(count(out, "Malformed"), 0u) << first_line_with(out, "Malformed");
}

// The third-party ITL of PROTOCOLS §5.6: its records, roles and the SAST certificate's MD5.
TEST_F(Wireshark, ThirdPartyItlMatchesTheWorkedExample) {
  std::string out = tshark(make("fixture-itl.http.pcap", "",
                                "http " + quote(kSource / "fixtures/third_party/ITLFile.tlv")));
  expect_all(out, kCommonHeader, "fixture ITL");
  expect_all(out, kRecord, "fixture ITL");
  expect_all(out,
             {"HeaderLength: 388", "Records (5, from offset 388)",
              "Record 1 at offset 388, 1484 bytes: SAST CN=SAST,O=SAST,OU=SAST",
              "[Certificate MD5 (certHash): 78f037402e330aa0ca2054106eb948ef]",
              "APP-SERVER C=US,O=Internet Security Research Group,CN=ISRG Root X1",
              "Timestamp (tag 15, length 4): 2025-12-30 17:25:42 UTC"},
             "fixture ITL");
  EXPECT_EQ(count(out, "Malformed"), 0u) << first_line_with(out, "Malformed");
}

// PROTOCOLS §3.6 examples (tests/fuzz/corpus/capf_message_fuzz) over plain TCP: all in one
// segment, then cut into 7-byte segments so that every message spans several.
TEST_F(Wireshark, CapfMessagesPackedAndSplit) {
  std::string all;
  std::vector<fs::path> seeds;
  for (const auto& e : fs::directory_iterator(kSource / "tests/fuzz/corpus/capf_message_fuzz"))
    seeds.push_back(e.path());
  std::sort(seeds.begin(), seeds.end());
  for (const auto& s : seeds) {
    std::ifstream in(s, std::ios::binary);
    all.append(std::istreambuf_iterator<char>(in), {});
  }
  std::ofstream(dir_ / "capf.bin", std::ios::binary) << all;
  const std::string decode = "-d tcp.port==3804,cucm_capf";
  for (const std::string segment : {"1000", "7"}) {
    SCOPED_TRACE("segments of " + segment);
    std::string out = tshark(make("capf" + segment + ".pcap", "--segment " + segment,
                                  "tcp 3804 " + quote(dir_ / "capf.bin")),
                             decode);
    EXPECT_EQ(count(out, "\nCUCM CAPF, "), seeds.size());
    for (const char* n :
         {"AuthRequest", "AuthResponse", "KeyGenRequest", "StoreCertRequest", "End"}) {
      EXPECT_NE(out.find(std::string("Command: ") + n + " ("), std::string::npos) << n;
    }
    expect_all(
        out,
        {"Reason (tag 1,", "CertificateType (tag 3,", "Certificate (tag 4,", "SignedData (tag 6,",
         "Version (tag 7,", "AuthType (tag 8,", "KeySize (tag 10,", "Password (tag 11,",
         "DeviceName (tag 13,", "SudiData (tag 16,", "KeyType (tag 17,", "Curve (tag 18,",
         "Sha2SignedData (tag 20,", "Protocol id: 0x55", "SID: 1", "Body length: "},
        "CAPF");
    EXPECT_NE(out.find("DeviceName: SEP001122334455"), std::string::npos);
  }
}

TEST_F(Wireshark, TvsRequestAndResponses) {
  std::string args = "tcp 2445";
  for (const char* s : {"verify_request", "verify_response_valid", "verify_response_invalid"}) {
    args += " " + quote(kSource / "tests/fuzz/corpus/tvs_fuzz" / s);
  }
  std::string out = tshark(make("tvs.pcap", "", args), "-d tcp.port==2445,cucm_tvs");
  expect_all(out,
             {"Command: VerifyRequest (1)", "Command: VerifyResponse (2)", "DeviceName (tag 1,",
              "DeviceName: CP-7975-SEP001122334455", "Certificate (tag 2,", "Status: valid (0)",
              "Status: invalid (1)", "Roles (tag 8, length 1): CCM",
              "TTL (tag 9, length 4): 86400 s", "Protocol id: 0x57", "Version: 1", "SID: 1"},
             "TVS");
  // The corpus request's certificate is a 5-byte stand-in (30 03 02 01 00): flagged, nothing else.
  EXPECT_NE(out.find("[Expert Info (Error/Malformed): certificate: no tbsCertificate]"),
            std::string::npos);
  EXPECT_EQ(count(out, "(Error/Malformed)"), 1u) << first_line_with(out, "Malformed");
}

// CAPF and TVS messages as PROTOCOLS §3.6 and §4 lay them out, SID 1.
using Element = std::pair<int, std::string>;
std::string u16(std::size_t v) { return {static_cast<char>(v >> 8), static_cast<char>(v & 0xff)}; }
std::string capf(int command, const std::vector<Element>& elements) {
  std::string body;
  for (const auto& [tag, value] : elements)
    body += static_cast<char>(tag) + u16(value.size()) + value;
  return std::string{0x55, static_cast<char>(command), 0, 0, 0, 1} + u16(body.size()) + body;
}
std::string tvs(int command, const std::vector<Element>& elements) {
  std::string body;
  for (const auto& [tag, value] : elements)
    body += static_cast<char>(tag) + u16(value.size()) + value;
  return std::string{0x57, 1, static_cast<char>(command), 0, 0, 0, 0, 1} + u16(body.size()) + body;
}
std::string byte(int v) { return std::string(1, static_cast<char>(v)); }
std::string read_all(const fs::path& p) {
  std::ifstream in(p, std::ios::binary);
  return {std::istreambuf_iterator<char>(in), {}};
}

// Real TLS (Python's ssl between two in-memory endpoints, make_tls_pcap.py) with its key log:
// CAPF install, delete and key recording, and a TVS query. Decrypted with tls.keylog_file, every
// command and element shows, with messages split over TLS records and packed into one.
class WiresharkTls : public Wireshark {
 protected:
  void SetUp() override {
    Wireshark::SetUp();
    if (IsSkipped() || HasFatalFailure()) return;
    // An EC server key: quick to make. The certificate also stands for the phone's.
    auto r =
        run("openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -days 30 "
            "-subj /CN=SEP001122334455/O=Lab -keyout " +
            quote(dir_ / "key.pem") + " -out " + quote(dir_ / "cert.pem") +
            " && openssl x509 -in " + quote(dir_ / "cert.pem") + " -outform DER -out " +
            quote(dir_ / "cert.der") + " && openssl pkey -in " + quote(dir_ / "key.pem") +
            " -pubout -outform DER -out " + quote(dir_ / "spki.der") + " && openssl x509 -in " +
            quote(dir_ / "cert.pem") + " -noout -fingerprint -md5");
    ASSERT_EQ(r.rc, 0) << r.out;
    // "md5 Fingerprint=AA:BB:..." -> "aabb..."
    for (char c : r.out.substr(r.out.find('=') + 1)) {
      if (std::isxdigit(static_cast<unsigned char>(c))) md5_ += static_cast<char>(std::tolower(c));
    }
    der_ = read_all(dir_ / "cert.der");
    spki_ = read_all(dir_ / "spki.der");
  }
  // One TLS connection to PORT; steps are {"c" or "s", message, record size (0: one record)}.
  struct Step {
    std::string side, bytes;
    int record = 0;
  };
  fs::path connection(const std::string& name, int port, const std::vector<Step>& steps,
                      const std::string& tls = "") {
    std::string args = quote(dir_ / (name + ".keylog")) + " " + quote(dir_ / "cert.pem") + " " +
                       quote(dir_ / "key.pem") + " " + std::to_string(port) + " " + tls;
    for (std::size_t i = 0; i < steps.size(); ++i) {
      fs::path f = dir_ / (name + "." + std::to_string(i));
      std::ofstream(f, std::ios::binary) << steps[i].bytes;
      args += " " + steps[i].side + "=" + quote(f) +
              (steps[i].record ? ":" + std::to_string(steps[i].record) : "");
    }
    fs::path out = dir_ / (name + ".pcap");
    auto r = run("python3 " + quote(kSource / "tests/wireshark/make_tls_pcap.py") + " " +
                 quote(out) + " " + args);
    EXPECT_EQ(r.rc, 0) << r.out;
    return out;
  }
  std::string decrypted(const std::string& name, const fs::path& pcap) {
    return tshark(pcap, "-o tls.keylog_file:" + quote(dir_ / (name + ".keylog")));
  }
  std::string cert_element() const {
    return byte(1) + u16(der_.size() + 2) + byte(0) + byte(1) + der_;
  }
  std::string md5_, der_, spki_;
};

const std::string kDevice = std::string("SEP001122334455") + '\0';

TEST_F(WiresharkTls, CapfInstallDeleteAndKeyRecording) {
  const std::string auth_request = capf(1, {{7, byte(3)}, {8, byte(0)}});
  const std::string auth_response =
      capf(2, {{1, byte(1)}, {7, byte(3)}, {11, std::string(1, '\0')}, {13, kDevice}});
  const std::string end_ok = capf(15, {{1, byte(1)}});
  // Install over TLS 1.2: the certificate goes in records of 100 bytes, and the phone's
  // RequestInProgress and KeyGenResponse share one record.
  auto install = connection("install", 3804,
                            {{"s", auth_request},
                             {"c", auth_response},
                             {"s", capf(3, {{10, u16(2048)}, {17, byte(0)}})},
                             {"c", capf(17, {}) + capf(4, {{1, byte(1)}, {9, spki_}})},
                             {"s", capf(9, {{3, byte(1)}, {4, cert_element()}}), 100},
                             {"c", capf(10, {{1, byte(1)}})},
                             {"s", end_ok}},
                            "--tls1.2");
  auto remove = connection("delete", 3804,
                           {{"s", auth_request},
                            {"c", auth_response},
                            {"s", capf(13, {})},
                            {"c", capf(14, {{1, byte(1)}})},
                            {"s", end_ok}});
  // Key recording (seed 004): no operation, the phone proves its certificate; and a fetch.
  const std::string signature(64, '\x5a');
  auto record = connection(
      "record", 3804,
      {{"s", auth_request},
       {"c", capf(2, {{1, byte(1)},
                      {4, cert_element()},
                      {6, signature},
                      {7, byte(3)},
                      {11, std::string(1, '\0')},
                      {13, kDevice},
                      {20, byte(3) + u16(signature.size()) + signature}})},
       {"s", capf(11, {})},
       {"c", capf(12, {{1, byte(1)}, {4, cert_element()}})},
       {"s", capf(15, {{1, byte(0)}, {18, byte(0)}, {2, std::string("0")}, {3, byte(2)}})}});
  std::string all =
      decrypted("install", install) + decrypted("delete", remove) + decrypted("record", record);
  for (const char* c : {"AuthRequest (1)", "AuthResponse (2)", "KeyGenRequest (3)",
                        "KeyGenResponse (4)", "StoreCertRequest (9)", "StoreCertResponse (10)",
                        "FetchCertRequest (11)", "FetchCertResponse (12)", "DeleteCertRequest (13)",
                        "DeleteCertResponse (14)", "End (15)", "RequestInProgress (17)"}) {
    EXPECT_NE(all.find(std::string("Command: ") + c), std::string::npos) << c;
  }
  expect_all(
      all,
      {"Reason (tag 1, length 1): update certificate (success) (1)", "ReasonInfo (tag 2,",
       "CertificateType (tag 3, length 1): MIC (2)", "CertificateType (tag 3, length 1): LSC (1)",
       "Certificate (tag 4,", "SignedData (tag 6, length 64)", "Version (tag 7, length 1): 3",
       "AuthType (tag 8, length 1): none (0)", "PublicKey (tag 9,",
       "KeySize (tag 10, length 2): 2048 bits", "Password (tag 11, length 1): \"\"",
       "DeviceName (tag 13, length 16): \"SEP001122334455\"", "KeyType (tag 17, length 1): RSA (0)",
       "Curve (tag 18, length 1): secp256r1",
       "Sha2SignedData (tag 20, length 67): SHA-512, 64-byte signature",
       "[Certificate MD5 (certHash): " + md5_ + "]",
       "[Certificate subject: CN=SEP001122334455,O=Lab]", "Protocol id: 0x55", "SID: 1"},
      "CAPF over TLS");
  EXPECT_EQ(count(all, "Malformed"), 0u) << first_line_with(all, "Malformed");
  // Without the key log nothing of CAPF shows.
  EXPECT_EQ(count(tshark(install), "\nCUCM CAPF, "), 0u);
}

TEST_F(WiresharkTls, TvsQueryAndAnswer) {
  const std::string name = std::string(1, '\x01') + "CP-7975-SEP001122334455";
  auto pcap = connection(
      "tvs", 2445,
      {{"c", tvs(1, {{1, name}, {2, der_}}), 50},
       {"s",
        tvs(2, {{7, byte(0)}, {8, byte(2) + byte(21)}, {9, std::string("\0\1\x51\x80", 4)}})}});
  std::string out = decrypted("tvs", pcap);
  expect_all(out,
             {"Command: VerifyRequest (1)", "Command: VerifyResponse (2)",
              "DeviceName (tag 1, length 24)", "DeviceName: CP-7975-SEP001122334455",
              "Certificate (tag 2,", "Status (tag 7, length 1): valid (0)",
              "Roles (tag 8, length 2): CCM+TFTP,TVS", "TTL (tag 9, length 4): 86400 s",
              "[Certificate MD5 (certHash): " + md5_ + "]", "Protocol id: 0x57", "Version: 1"},
             "TVS over TLS");
  EXPECT_EQ(count(out, "Malformed"), 0u) << first_line_with(out, "Malformed");
  EXPECT_EQ(count(tshark(pcap), "\nCUCM TVS, "), 0u);
}

// HTTPS 6971 (PROTOCOLS §8.1): the trust list in an HTTP response inside TLS, in records of 3000
// bytes; decrypted, the files dissector finds it in the HTTP body.
TEST_F(WiresharkTls, TrustListOverHttps) {
  const std::string itl = read_all(kFiles / "ITLFile.tlv");
  const std::string response = "HTTP/1.1 200 OK\r\nContent-Length: " + std::to_string(itl.size()) +
                               "\r\nContent-Type: */*\r\n\r\n" + itl;
  auto pcap = connection(
      "https", 6971,
      {{"c", "GET /ITLFile.tlv HTTP/1.1\r\nHost: 127.0.0.2:6971\r\n\r\n"}, {"s", response, 3000}});
  std::string out = decrypted("https", pcap);
  expect_all(out, kCommonHeader, "ITL over HTTPS");
  expect_all(out, kRecord, "ITL over HTTPS");
  EXPECT_EQ(count(out, "Malformed"), 0u) << first_line_with(out, "Malformed");
}

// A real capture (fixtures/pcap/make_captures.sh): cucm-emu serve and its simulated phone on
// loopback, CAPF key recording, install, delete and troubleshoot, then a TVS query, all in TLS
// 1.3 with the key log both wrote. Decrypted, every command and element the sessions carried
// shows, and the certificates with their MD5.
TEST_F(Wireshark, CapturedCapfAndTvsDecryptedWithKeyLog) {
  const fs::path pcap = kSource / "fixtures/pcap/capf_tvs.pcapng";
  std::string out =
      tshark(pcap, "-o tls.keylog_file:" + quote(kSource / "fixtures/pcap/capf_tvs.keylog"));
  for (const char* c : {"AuthRequest (1)", "AuthResponse (2)", "KeyGenRequest (3)",
                        "KeyGenResponse (4)", "StoreCertRequest (9)", "StoreCertResponse (10)",
                        "FetchCertRequest (11)", "FetchCertResponse (12)", "DeleteCertRequest (13)",
                        "DeleteCertResponse (14)", "End (15)", "RequestInProgress (17)"}) {
    EXPECT_NE(out.find(std::string("Command: ") + c), std::string::npos) << c;
  }
  EXPECT_EQ(count(out, "\nCUCM CAPF, AuthRequest, SID "), 4u);
  EXPECT_EQ(count(out, "\nCUCM CAPF, End, SID "), 4u);
  expect_all(
      out,
      {"Reason (tag 1, length 1): no action (0)",
       "Reason (tag 1, length 1): update certificate (success) (1)",
       "CertificateType (tag 3, length 1): MIC (2)", "CertificateType (tag 3, length 1): LSC (1)",
       "Certificate (tag 4, length ", "SignedData (tag 6, length 256)",
       "Version (tag 7, length 1): 3", "AuthType (tag 8, length 1): none (0)",
       "PublicKey (tag 9, length ", "KeySize (tag 10, length 2): 2048 bits",
       "Password (tag 11, length 1): \"\"", "DeviceName (tag 13, length 16): \"SEP001122334455\"",
       "KeyType (tag 17, length 1): RSA (0)",
       "Sha2SignedData (tag 20, length 259): SHA-512, 256-byte signature",
       "[Certificate MD5 (certHash): ", "[Certificate subject: ", "Protocol id: 0x55"},
      "captured CAPF");
  expect_all(out,
             {"Command: VerifyRequest (1)", "Command: VerifyResponse (2)",
              "DeviceName: CP-8845-SEP001122334455", "Certificate (tag 2, length ",
              "Status (tag 7, length 1): valid (0)", "Roles (tag 8, length 1): SAST",
              "TTL (tag 9, length 4): 86400 s", "Protocol id: 0x57"},
             "captured TVS");
  EXPECT_EQ(count(out, "Malformed"), 0u) << first_line_with(out, "Malformed");
  // Without the key log: TLS only.
  std::string sealed = tshark(pcap);
  EXPECT_EQ(count(sealed, "\nCUCM CAPF, "), 0u);
  EXPECT_EQ(count(sealed, "\nCUCM TVS, "), 0u);
}

// Every file of the fuzz corpora and fixtures, as a TFTP read, an HTTP response and a TCP payload
// on both ports; then the well-formed seeds damaged many ways (make_pcap.py --mutate). No input
// may give a Lua error, nor a malformed-packet exception in our own protocols (Wireshark's X.509
// dissector may rightly call a damaged certificate malformed).
TEST_F(Wireshark, NoLuaErrorOnAnyInput) {
  std::string files;
  for (const char* root : {"tests/fuzz/corpus", "fixtures"}) {
    std::vector<std::string> found;
    for (const auto& e : fs::recursive_directory_iterator(kSource / root)) {
      if (e.is_regular_file()) found.push_back(quote(e.path()));
    }
    std::sort(found.begin(), found.end());
    for (const auto& f : found) files += " " + f;
  }
  std::string seeds;
  for (const char* f : {"SEP001122334455.cnf.xml.sgn", "SEP001122334455.cnf.xml.enc.sgn",
                        "ITLFile.tlv", "CTLFile.tlv"}) {
    seeds += " " + quote(kFiles / f);
  }
  seeds += " " + quote(kSource / "fixtures/third_party/ITLFile.tlv");
  std::string capf_seeds = " " + quote(kSource / "tests/fuzz/corpus/capf_message_fuzz") + "/*";
  std::string tvs_seeds = " " + quote(kSource / "tests/fuzz/corpus/tvs_fuzz") + "/*";
  const std::string decode = "-d tcp.port==3804,cucm_capf -d tcp.port==2445,cucm_tvs";
  struct Case {
    std::string name, make_options, make_args, options;
  };
  const std::vector<Case> cases = {
      {"all.tftp.pcap", "", "tftp" + files, ""},
      {"all.tftp-reassembled.pcap", "", "tftp" + files, "-o tftp.defragment:TRUE"},
      {"all.http.pcap", "", "http" + files, ""},
      {"all.capf.pcap", "", "tcp 3804" + files, decode},
      {"all.tvs.pcap", "", "tcp 2445" + files, decode},
      {"damaged.http.pcap", "--mutate 30", "http" + seeds, ""},
      {"damaged.tftp.pcap", "--mutate 30", "tftp" + seeds, "-o tftp.defragment:TRUE"},
      {"damaged.capf.pcap", "--mutate 40 --segment 200", "tcp 3804" + capf_seeds, decode},
      {"damaged.tvs.pcap", "--mutate 60", "tcp 2445" + tvs_seeds, decode},
  };
  // Each case is a pcap build then a tshark run, all at once (the test's time is tshark's).
  std::vector<std::future<Output>> runs;
  for (const auto& c : cases) {
    fs::path out = dir_ / c.name;
    std::string cmd = "python3 " + quote(kSource / "tests/wireshark/make_pcap.py") + " " +
                      c.make_options + " " + quote(out) + " " + c.make_args + " && " +
                      tshark_command(out, c.options);
    runs.push_back(std::async(std::launch::async, [cmd] { return run(cmd); }));
  }
  for (std::size_t i = 0; i < cases.size(); ++i) {
    SCOPED_TRACE(cases[i].name);
    std::string out = checked(runs[i].get());
    for (const char* ours : {"Malformed Packet: CUCM", "Malformed Packet: cucm"}) {
      EXPECT_EQ(count(out, ours), 0u) << first_line_with(out, ours);
    }
    // The dissectors did run on these inputs.
    EXPECT_GT(count(out, "\nCUCM "), 0u);
  }
}

}  // namespace
