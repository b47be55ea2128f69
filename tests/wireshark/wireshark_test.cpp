// The Wireshark dissectors of wireshark/ (cucm_files.lua, cucm_capf.lua, cucm_tvs.lua), run by
// the real tshark: every header field and element name shows, framing faults are expert info,
// and no input, however damaged, gives a Lua error. Packets come from make_pcap.py (beside this
// file), which wraps files as TFTP reads, HTTP responses or TCP payloads; nothing is captured and
// nothing is sent.
#include <gtest/gtest.h>
#include <sys/wait.h>
#include <unistd.h>

#include <array>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <regex>
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

bool in_ci() { return std::getenv("CI") != nullptr; }

class Wireshark : public ::testing::Test {
 protected:
  void SetUp() override {
    if (run("command -v tshark").rc != 0) {
      if (in_ci()) FAIL() << "tshark is missing: scripts/bootstrap.sh installs it";
      GTEST_SKIP() << "tshark is not installed (scripts/bootstrap.sh installs it)";
    }
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
  std::string tshark(const fs::path& file, const std::string& options = "") {
    std::string cmd = "HOME=" + quote(dir_ / "home") + " tshark -n -r " + quote(file);
    for (const char* s : {"cucm_files.lua", "cucm_capf.lua", "cucm_tvs.lua"}) {
      cmd += " -X lua_script:" + quote(kSource / "wireshark" / s);
    }
    Output r = run(cmd + " " + options + " -V");
    EXPECT_EQ(r.rc, 0) << r.out.substr(0, 4000);
    EXPECT_EQ(count(r.out, "Lua Error"), 0u) << first_line_with(r.out, "Lua Error");
    EXPECT_EQ(count(r.out, "Lua: Error"), 0u) << first_line_with(r.out, "Lua: Error");
    return r.out;
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
    std::string name, make_args, options;
  };
  const std::vector<Case> cases = {
      {"all.tftp.pcap", "tftp" + files, ""},
      {"all.tftp-reassembled.pcap", "tftp" + files, "-o tftp.defragment:TRUE"},
      {"all.http.pcap", "http" + files, ""},
      {"all.capf.pcap", "tcp 3804" + files, decode},
      {"all.tvs.pcap", "tcp 2445" + files, decode},
      {"damaged.http.pcap", "--mutate 30 http" + seeds, ""},
      {"damaged.tftp.pcap", "--mutate 30 tftp" + seeds, "-o tftp.defragment:TRUE"},
      {"damaged.capf.pcap", "--mutate 40 --segment 200 tcp 3804" + capf_seeds, decode},
      {"damaged.tvs.pcap", "--mutate 60 tcp 2445" + tvs_seeds, decode},
  };
  const std::regex ours(R"(Malformed Packet: (CUCM|cucm))");
  for (const auto& c : cases) {
    SCOPED_TRACE(c.name);
    std::string before, after = c.make_args;
    if (c.make_args.rfind("--", 0) == 0) {
      // "--mutate N [--segment M] mode ..." : options go before the output file
      std::smatch m;
      std::regex opts(R"(^((?:--\w+ \d+ )+)(.*)$)");
      ASSERT_TRUE(std::regex_match(c.make_args, m, opts));
      before = m[1];
      after = m[2];
    }
    std::string out = tshark(make(c.name, before, after), c.options);
    EXPECT_FALSE(std::regex_search(out, ours)) << first_line_with(out, "Malformed Packet: C");
    // The dissectors did run on these inputs.
    EXPECT_GT(count(out, "\nCUCM "), 0u);
  }
}

}  // namespace
