// A certificate chain judged the way seeds 002 and 003 judge one (PROTOCOLS §7.4): chained to the
// trusted CA list by OpenSSL's verifier, then read field by field, with every problem reported.
#pragma once

#include <cstddef>
#include <ctime>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/bytes.hpp"
#include "core/result.hpp"
#include "signer/ossl.hpp"

namespace cucm::signer {

// A chain or a trusted CA list holds at most this many certificates: real ones hold 2 to 5, and
// OpenSSL's chain building is quadratic in the untrusted certificates it is given.
inline constexpr std::size_t kMaxCheckCerts = 64;

// The certificates in `bytes`: PEM blocks (other PEM blocks, such as keys, are skipped) or one
// or more DER certificates back to back. `what` names the input in messages ("chain.pem").
// InvalidArgument when the bytes hold no certificate or a CERTIFICATE block does not parse;
// ResourceExhausted past kMaxCheckCerts (it stops reading there).
Result<std::vector<X509Ptr>> load_cert_bundle(ByteView bytes, std::string_view what);

enum class CertPurpose { Server, Client, Both };
// "server", "client", "both"; InvalidArgument otherwise.
Result<CertPurpose> parse_cert_purpose(std::string_view text);
// "server", "client", "server and client".
std::string describe_purpose(CertPurpose purpose);

enum class Severity { Error, Warning };
const char* severity_name(Severity s);  // "error", "warning"

struct CertProblem {
  // Stable, for scripts: untrusted, intermediate-missing, loop, eku-server, eku-client, host,
  // expired, not-yet-valid, bad-validity, subject-too-long, san-too-long, wildcard, key-too-small,
  // bad-key, sha1-signature, md5-signature, bad-signature, not-a-ca, path-length, key-usage,
  // critical-extension, chain-too-long, verify (another OpenSSL verdict); warnings: eku-absent,
  // shadowed, not-on-chain.
  std::string code;
  Severity severity = Severity::Error;
  std::string subject;  // the certificate it is about
  std::string message;  // in the words of the seeds where they have some
};

struct CertCheckInput {
  // As presented: the leaf first, then any intermediates (and a root) in any order. Borrowed.
  std::vector<const X509*> chain;
  std::vector<const X509*> trusted;  // the trusted CA list, in its order (borrowed)
  CertPurpose purpose = CertPurpose::Both;
  std::optional<std::string> host;  // a DNS name or an IP address the leaf must name in its SAN
  std::time_t at = 0;               // the time to judge validity at (never read from a clock here)
};

struct CertCheckReport {
  // Subjects from the leaf up, as OpenSSL's verifier built the chain (ending at the trusted
  // anchor when one was reached).
  std::vector<std::string> chain;
  std::string anchor;  // the subject of the trusted CA reached, "" when none was
  std::vector<CertProblem> problems;

  bool valid() const { return errors() == 0; }
  std::size_t errors() const;
  std::size_t warnings() const;
};

// InvalidArgument for an empty chain; ResourceExhausted for more than kMaxCheckCerts in the chain
// or the trusted list; Internal when OpenSSL cannot allocate. Every problem with the certificates
// themselves is in the report, never an error.
Result<CertCheckReport> check_cert_chain(const CertCheckInput& in);

}  // namespace cucm::signer
