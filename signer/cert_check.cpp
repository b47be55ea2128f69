// cert check: OpenSSL's verifier builds the chain against the trusted CA list and reports every
// error it meets through its callback; cert_fields_check reads each certificate's own fields.
#include "signer/cert_check.hpp"

#include <algorithm>
#include <optional>

#include <fmt/format.h>
#include <openssl/err.h>
#include <openssl/pem.h>

#include "signer/cert.hpp"
#include "signer/cert_fields_check.hpp"
#include "signer/chain_verifier.hpp"

namespace cucm::signer {
namespace {

// What the verify callback may collect: a crafted chain must not make the report grow without end.
constexpr std::size_t kMaxFindings = 256;

struct Finding {
  int error;
  std::string subject;
};

Error too_many(std::string_view what) {
  return make_error(Errc::ResourceExhausted,
                    fmt::format("signer: {}: more than {} certificates (a chain or a trusted CA list holds at most {})",
                                what, kMaxCheckCerts, kMaxCheckCerts));
}

// Called by X509_verify_cert at each error; answering 1 makes it go on, so that every error of
// the chain is collected rather than the first.
int collect_finding(int ok, X509_STORE_CTX* ctx) {
  if (ok == 1) return 1;
  auto* found = static_cast<std::vector<Finding>*>(X509_STORE_CTX_get_app_data(ctx));
  const X509* at = X509_STORE_CTX_get_current_cert(ctx);
  if (found && found->size() < kMaxFindings) {
    try {
      found->push_back({X509_STORE_CTX_get_error(ctx), at ? fields::display_subject(*at) : "(no certificate)"});
    } catch (...) {  // out of memory: never throw through OpenSSL
      return 1;
    }
  }
  return 1;
}

// The chain OpenSSL's verifier built from the leaf (a reference to each certificate), with every
// error it met in `findings`.
Result<std::vector<X509Ptr>> verify_chain(const CertCheckInput& in, std::vector<Finding>& findings) {
  X509StorePtr store(X509_STORE_new());
  CertStackPtr untrusted(sk_X509_new_null());
  StoreCtxPtr ctx(X509_STORE_CTX_new());
  if (!store || !untrusted || !ctx) return ossl_error(Errc::Internal, "signer: cert check: X509_STORE_new");
  // No X509_V_FLAG_PARTIAL_CHAIN here, unlike ChainVerifier (CAPF's trust folder): seed 002's
  // trusted CA list needs the intermediate AND the root, and an intermediate alone in it must not
  // end a chain ("it would see the intermediate is trusted, but signed by a root that is not").
  // The const_casts are OpenSSL's signatures only: it takes references, never writes.
  for (const X509* t : in.trusted) {
    if (X509_STORE_add_cert(store.get(), const_cast<X509*>(t)) != 1) {  // NOLINT
      return ossl_error(Errc::Internal, "signer: cert check: adding a trusted CA");
    }
  }
  for (std::size_t i = 1; i < in.chain.size(); ++i) {
    if (!sk_X509_push(untrusted.get(), const_cast<X509*>(in.chain[i]))) {  // NOLINT
      return ossl_error(Errc::Internal, "signer: cert check: sk_X509_push");
    }
  }
  X509* leaf = const_cast<X509*>(in.chain.front());  // NOLINT
  if (X509_STORE_CTX_init(ctx.get(), store.get(), leaf, untrusted.get()) != 1) {
    return ossl_error(Errc::Internal, "signer: cert check: X509_STORE_CTX_init");
  }
  X509_STORE_CTX_set_time(ctx.get(), 0, in.at);
  // A loop among trusted CAs (A issued by B, B by A) ends here, as chain-too-long.
  X509_VERIFY_PARAM_set_depth(X509_STORE_CTX_get0_param(ctx.get()), static_cast<int>(kMaxCheckCerts));
  X509_STORE_CTX_set_verify_cb(ctx.get(), collect_finding);
  X509_STORE_CTX_set_app_data(ctx.get(), &findings);
  int ok = X509_verify_cert(ctx.get());
  ERR_clear_error();  // the verdicts are in `findings`, not in the error queue
  std::vector<X509Ptr> out;
  STACK_OF(X509)* chain = X509_STORE_CTX_get0_chain(ctx.get());
  for (int i = 0; chain && i < sk_X509_num(chain); ++i) {
    X509* c = sk_X509_value(chain, i);
    if (X509_up_ref(c) == 1) out.emplace_back(c);
  }
  if (out.empty() && X509_up_ref(leaf) == 1) {
    out.emplace_back(leaf);
    if (ok < 0) findings.push_back({X509_STORE_CTX_get_error(ctx.get()), fields::display_subject(*leaf)});
  }
  if (out.empty()) return make_error(Errc::Internal, "signer: cert check: no chain");
  return out;
}

bool holds(const std::vector<const X509*>& list, const X509& cert) {
  return std::any_of(list.begin(), list.end(), [&](const X509* c) { return X509_cmp(c, &cert) == 0; });
}

const X509* named(const std::vector<const X509*>& list, const X509_NAME& name) {
  for (const X509* c : list) {
    if (X509_NAME_cmp(X509_get_subject_name(c), &name) == 0) return c;
  }
  return nullptr;
}

// Whether the chain reached a CA of the trusted list, and if not why, in seed 002's words. The
// top of the chain OpenSSL built says it: a self-signed root the list does not hold, a trusted
// CA whose own issuer is missing, or a certificate whose issuer is nowhere.
void judge_trust(const CertCheckInput& in, const std::vector<const X509*>& path, const X509& top,
                 CertCheckReport& r) {
  std::string subject = fields::display_subject(top);
  const X509_NAME& issuer = *X509_get_issuer_name(&top);
  std::string issuer_text = fields::display_name(issuer);
  std::string empty = in.trusted.empty() ? "; the trusted CA list is empty" : "";
  auto untrusted = [&](std::string why) {
    r.problems.push_back({"untrusted", Severity::Error, subject, "not signed by a CA in the trusted CA list: " + why});
  };
  bool trusted = holds(in.trusted, top);
  if (is_self_signed(top)) {
    if (trusted) {
      r.anchor = subject;
    } else if (path.size() == 1) {
      untrusted("it is self-signed and the list does not hold it" + empty);
    } else {
      untrusted("the chain ends at this self-signed root, which the list does not hold" + empty);
    }
    return;
  }
  const X509* on_path = named(path, issuer);
  if (on_path && on_path != &top && X509_cmp(on_path, &top) != 0) {
    r.problems.push_back({"loop", Severity::Error, subject,
                          fmt::format("the chain loops: it is issued by {}, which is already on the chain, and no "
                                      "self-signed root ends it",
                                      issuer_text)});
  } else if (trusted) {
    untrusted(fmt::format("the list holds this CA but not its issuer {}; it needs the intermediate and the root "
                          "(seed 002)",
                          issuer_text));
  } else if (named(in.trusted, issuer)) {
    untrusted(fmt::format("the list's {} did not sign it (same name, another key)", issuer_text));
  } else if (named(in.chain, issuer)) {
    r.problems.push_back({"intermediate-missing", Severity::Error, subject,
                          fmt::format("intermediate certificate missing: the {} in the chain did not sign it (same "
                                      "name, another key)",
                                      issuer_text)});
  } else {
    r.problems.push_back({"intermediate-missing", Severity::Error, subject,
                          fmt::format("intermediate certificate missing: its issuer {} is neither in the chain nor "
                                      "in the trusted CA list{}",
                                      issuer_text, empty)});
  }
}

struct Mapped {
  const char* code;
  std::string message;
};

// OpenSSL's verdicts that the checks above and in cert_fields_check do not already give in the
// seeds' words (chain building; validity, which is judged with the dates for every certificate).
std::optional<Mapped> map_finding(int error) {
  switch (error) {
    case X509_V_ERR_UNABLE_TO_GET_ISSUER_CERT:
    case X509_V_ERR_UNABLE_TO_GET_ISSUER_CERT_LOCALLY:
    case X509_V_ERR_UNABLE_TO_VERIFY_LEAF_SIGNATURE:
    case X509_V_ERR_DEPTH_ZERO_SELF_SIGNED_CERT:
    case X509_V_ERR_SELF_SIGNED_CERT_IN_CHAIN:
    case X509_V_ERR_CERT_NOT_YET_VALID:
    case X509_V_ERR_CERT_HAS_EXPIRED:
    case X509_V_ERR_ERROR_IN_CERT_NOT_BEFORE_FIELD:
    case X509_V_ERR_ERROR_IN_CERT_NOT_AFTER_FIELD:
      return std::nullopt;
    case X509_V_ERR_CERT_SIGNATURE_FAILURE:
    case X509_V_ERR_UNABLE_TO_DECRYPT_CERT_SIGNATURE:
    case X509_V_ERR_UNABLE_TO_DECODE_ISSUER_PUBLIC_KEY:
      return Mapped{"bad-signature", "its signature does not verify with its issuer's key"};
    case X509_V_ERR_INVALID_CA:
      return Mapped{"not-a-ca", "it issues certificates but is not a CA (no basicConstraints CA:TRUE)"};
    case X509_V_ERR_PATH_LENGTH_EXCEEDED:
      return Mapped{"path-length", "more CAs below it than its basicConstraints pathlen allows"};
    case X509_V_ERR_KEYUSAGE_NO_CERTSIGN:
      return Mapped{"key-usage", "it issues certificates but its key usage lacks keyCertSign"};
    case X509_V_ERR_UNHANDLED_CRITICAL_EXTENSION:
      return Mapped{"critical-extension", "it has a critical extension that OpenSSL does not know"};
    case X509_V_ERR_CERT_CHAIN_TOO_LONG:
      return Mapped{"chain-too-long", fmt::format("the chain is longer than {} certificates", kMaxCheckCerts)};
    default:
      return Mapped{"verify", X509_verify_cert_error_string(error)};
  }
}

void add_findings(const std::vector<Finding>& findings, CertCheckReport& r) {
  bool looped =
      std::any_of(r.problems.begin(), r.problems.end(), [](const CertProblem& p) { return p.code == "loop"; });
  for (const auto& f : findings) {
    auto m = map_finding(f.error);
    if (!m || (looped && f.error == X509_V_ERR_CERT_CHAIN_TOO_LONG)) continue;
    CertProblem p{m->code, Severity::Error, f.subject, std::move(m->message)};
    bool seen = std::any_of(r.problems.begin(), r.problems.end(), [&](const CertProblem& q) {
      return q.code == p.code && q.subject == p.subject && q.message == p.message;
    });
    if (!seen) r.problems.push_back(std::move(p));
  }
}

void check_fields(const CertCheckInput& in, const std::vector<const X509*>& path, CertCheckReport& r) {
  for (std::size_t i = 0; i < path.size(); ++i) {
    const X509& c = *path[i];
    bool leaf = i == 0;
    fields::check_validity(c, in.at, r.problems);
    if (leaf) fields::check_eku(c, in.purpose, r.problems);
    if (leaf && in.host) fields::check_host(c, *in.host, r.problems);
    fields::check_names(c, leaf, r.problems);
    fields::check_key(c, r.problems);
    // A root's own signature is not relied upon (it is trusted as it is); the leaf's and the
    // intermediates' are (seed 003's certificates were SHA1withRSA, the self-signed one included).
    if (leaf || !is_self_signed(c)) fields::check_signature_digest(c, r.problems);
  }
}

void add_warnings(const CertCheckInput& in, const std::vector<const X509*>& path, CertCheckReport& r) {
  for (std::size_t i = 1; i < in.chain.size(); ++i) {
    const X509& c = *in.chain[i];
    bool earlier = std::any_of(in.chain.begin(), in.chain.begin() + static_cast<std::ptrdiff_t>(i),
                               [&](const X509* e) { return X509_cmp(e, &c) == 0; });
    if (earlier || holds(path, c)) continue;
    r.problems.push_back({"not-on-chain", Severity::Warning, fields::display_subject(c),
                          "in the chain file but not on the chain from the leaf: ignored"});
  }
  // Seed 002: Expressway "stops at the first certificate with a matching subject" in its trusted
  // CA list. OpenSSL tries them all, so this is a warning: the chain may verify here and not there.
  for (std::size_t i = 1; i < in.trusted.size(); ++i) {
    const X509& c = *in.trusted[i];
    for (std::size_t j = 0; j < i; ++j) {
      if (X509_NAME_cmp(X509_get_subject_name(in.trusted[j]), X509_get_subject_name(&c)) != 0) continue;
      if (X509_cmp(in.trusted[j], &c) == 0) break;  // the same certificate twice
      r.problems.push_back(
          {"shadowed", Severity::Warning, fields::display_subject(c),
           fmt::format("trusted CA {} has the subject of trusted CA {}, earlier in the list; Expressway stops at the "
                       "first with a matching subject (seed 002){}",
                       i + 1, j + 1, holds(path, c) ? ", and this is the one the chain needs" : "")});
      break;
    }
  }
}

}  // namespace

Result<std::vector<X509Ptr>> load_cert_bundle(ByteView bytes, std::string_view what) {
  std::vector<X509Ptr> out;
  // DER starts with a SEQUENCE: one certificate, or several back to back.
  if (!bytes.empty() && bytes[0] == 0x30) {
    const unsigned char* p = bytes.data();
    const unsigned char* end = p + bytes.size();
    while (p < end) {
      X509* raw = d2i_X509(nullptr, &p, end - p);
      ERR_clear_error();
      if (!raw && out.empty()) break;  // not DER after all: perhaps PEM with a leading 0
      if (!raw) {
        return make_error(Errc::InvalidArgument,
                          fmt::format("signer: {}: the bytes at offset {}, after certificate {}, are not a DER "
                                      "certificate",
                                      what, p - bytes.data(), out.size()));
      }
      out.emplace_back(raw);
      if (out.size() > kMaxCheckCerts) return too_many(what);
    }
    if (!out.empty()) return out;
  }
  auto bio = mem_bio(bytes);
  while (X509* raw = PEM_read_bio_X509(bio.get(), nullptr, nullptr, nullptr)) {
    out.emplace_back(raw);
    if (out.size() > kMaxCheckCerts) return too_many(what);
  }
  // The reading ends with "no start line" when no CERTIFICATE block is left; anything else is a
  // block that is there and does not parse.
  unsigned long err = ERR_peek_last_error();
  ERR_clear_error();
  if (ERR_GET_LIB(err) != ERR_LIB_PEM || ERR_GET_REASON(err) != PEM_R_NO_START_LINE) {
    const char* reason = ERR_reason_error_string(err);
    return make_error(Errc::InvalidArgument, fmt::format("signer: {}: certificate {} does not parse{}", what,
                                                         out.size() + 1, reason ? fmt::format(" ({})", reason) : ""));
  }
  if (out.empty()) {
    return make_error(Errc::InvalidArgument,
                      fmt::format("signer: {}: no certificate in it: neither PEM (-----BEGIN CERTIFICATE-----) nor DER",
                                  what));
  }
  return out;
}

Result<CertPurpose> parse_cert_purpose(std::string_view text) {
  if (text == "server") return CertPurpose::Server;
  if (text == "client") return CertPurpose::Client;
  if (text == "both") return CertPurpose::Both;
  return make_error(Errc::InvalidArgument, fmt::format("purpose '{}': expected server, client or both", text));
}

std::string describe_purpose(CertPurpose purpose) {
  switch (purpose) {
    case CertPurpose::Server: return "server";
    case CertPurpose::Client: return "client";
    case CertPurpose::Both: break;
  }
  return "server and client";
}

const char* severity_name(Severity s) { return s == Severity::Error ? "error" : "warning"; }

std::size_t CertCheckReport::errors() const {
  return static_cast<std::size_t>(std::count_if(problems.begin(), problems.end(),
                                                [](const CertProblem& p) { return p.severity == Severity::Error; }));
}

std::size_t CertCheckReport::warnings() const { return problems.size() - errors(); }

Result<CertCheckReport> check_cert_chain(const CertCheckInput& in) {
  if (in.chain.empty()) return make_error(Errc::InvalidArgument, "signer: cert check: no certificate to check");
  if (in.chain.size() > kMaxCheckCerts) return too_many("cert check: the chain");
  if (in.trusted.size() > kMaxCheckCerts) return too_many("cert check: the trusted CA list");
  auto null = [](const X509* c) { return c == nullptr; };
  if (std::any_of(in.chain.begin(), in.chain.end(), null) || std::any_of(in.trusted.begin(), in.trusted.end(), null)) {
    return make_error(Errc::InvalidArgument, "signer: cert check: a null certificate");
  }
  std::vector<Finding> findings;
  CUCM_TRY(auto built, verify_chain(in, findings));
  // A loop among trusted CAs repeats certificates: each is listed and checked once.
  std::vector<const X509*> path;
  for (const auto& c : built) {
    if (!holds(path, *c)) path.push_back(c.get());
  }
  CertCheckReport r;
  for (const X509* c : path) r.chain.push_back(fields::display_subject(*c));
  judge_trust(in, path, *built.back(), r);
  add_findings(findings, r);
  check_fields(in, path, r);
  add_warnings(in, path, r);
  return r;
}

}  // namespace cucm::signer
