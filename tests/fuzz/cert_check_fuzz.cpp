// Fuzzes cert check: any bytes loaded as a PEM or DER bundle (load_cert_bundle), then judged as a
// chain (check_cert_chain) against trusted lists made of the bundle's own certificates.
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "core/bytes.hpp"
#include "signer/cert_check.hpp"

namespace cucm::signer {
namespace {

// A broken invariant is a bug: abort so libFuzzer records the input.
void require(bool ok) {
  if (!ok) __builtin_trap();
}

constexpr std::time_t kAt = 1'767'225'600;  // 2026-01-01 00:00:00 UTC

// Every code cert_check.hpp lists.
constexpr std::string_view kCodes[] = {
    "untrusted",     "intermediate-missing", "loop",           "eku-server",      "eku-client",      "host",
    "expired",       "not-yet-valid",        "bad-validity",   "subject-too-long", "san-too-long",   "wildcard",
    "key-too-small", "bad-key",              "sha1-signature", "md5-signature",   "bad-signature",   "not-a-ca",
    "path-length",   "key-usage",            "critical-extension", "chain-too-long", "verify",       "eku-absent",
    "shadowed",      "not-on-chain"};

bool known(std::string_view code) {
  for (auto c : kCodes) {
    if (c == code) return true;
  }
  return false;
}

// Invariants, and why each must hold:
// - A bundle that does not load is InvalidArgument (bytes that are not certificates) or
//   ResourceExhausted (over kMaxCheckCerts), with a message naming the input: the CLI prints it as
//   the one line a lab engineer gets.
// - A bundle that loads holds 1..kMaxCheckCerts certificates, so check_cert_chain, given no more
//   than that, always gives a report: every problem with a certificate is in the report, never an
//   error, whatever the certificates (a loop, a forged signature, a broken extension).
// - The verdict is valid exactly when no problem is an error, and a valid chain names its anchor:
//   every way of not reaching a trusted CA is itself an error.
// - Each problem has a known code, a subject and a message, none with a line break: the CLI
//   prints one line per problem.
void fuzz_one(std::uint8_t options, ByteView bytes) {
  auto certs = load_cert_bundle(bytes, "fuzz");
  if (!certs) {
    require(certs.error().code == Errc::InvalidArgument || certs.error().code == Errc::ResourceExhausted);
    require(certs.error().message.starts_with("signer: fuzz: "));
    require(certs.error().message.find('\n') == std::string::npos);
    return;
  }
  require(!certs->empty() && certs->size() <= kMaxCheckCerts);
  std::vector<const X509*> all;
  for (const auto& c : *certs) all.push_back(c.get());

  CertCheckInput in;
  in.chain = all;
  switch ((options >> 5) & 3) {
    case 0: break;                                            // no trusted list
    case 1: in.trusted = {all.back()}; break;                 // the last one, as a root
    case 2: in.trusted = all; break;                          // all of them
    default: in.trusted.assign(all.begin() + 1, all.end());   // all but the leaf
  }
  in.purpose = (options & 3) == 1 ? CertPurpose::Server : (options & 3) == 2 ? CertPurpose::Client : CertPurpose::Both;
  if (options & 4) in.host = "cucm.lab";
  if (options & 8) in.host = "192.0.2.10";
  in.at = (options & 16) ? kAt + 100LL * 365 * 86'400 : kAt;

  auto r = check_cert_chain(in);
  require(r.has_value());
  require(!r->chain.empty() && r->chain.size() <= 2 * kMaxCheckCerts);
  require(r->valid() == (r->errors() == 0));
  require(!r->valid() || !r->anchor.empty());
  for (const auto& p : r->problems) {
    require(known(p.code));
    require(!p.subject.empty() && !p.message.empty());
    require(p.subject.find('\n') == std::string::npos && p.message.find('\n') == std::string::npos);
  }
}

}  // namespace
}  // namespace cucm::signer

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size == 0) return 0;
  // The first byte chooses the purpose, the host, the time and the trusted list; the rest is the file.
  cucm::signer::fuzz_one(data[0], cucm::ByteView(data + 1, size - 1));
  return 0;
}
