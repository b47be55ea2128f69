// One certificate's own fields against the rules of seeds 002 and 003 and RFC 5280.
#include "signer/cert_fields_check.hpp"

#include <algorithm>
#include <cctype>
#include <cstdint>
#include <string_view>

#include <fmt/format.h>
#include <openssl/err.h>
#include <openssl/objects.h>

#include "signer/cert.hpp"

namespace cucm::signer::fields {
namespace {

// RFC 5280 Appendix A: ub-common-name INTEGER ::= 64.
constexpr std::size_t kMaxCommonName = 64;
// Seed 002: "le VCS ou l'Expressway ne prend pas en charge plus de 999 caractères dans le champ
// SAN ... Tous les SAN qui dépassent cette limite ... seront ignorés". How Expressway counts is
// not documented; we count the SAN as openssl x509 -text prints it ("DNS:a, IP Address:b").
constexpr std::size_t kMaxSanText = 999;
constexpr int kMinRsaBits = 2048;
constexpr int kMinEcBits = 256;
// A name shown in a message is cut here: a crafted certificate may carry kilobytes of subject.
constexpr std::size_t kMaxShown = 512;
// Names listed in one message (the rest are counted).
constexpr std::size_t kMaxListed = 5;

using GeneralNamesPtr = std::unique_ptr<GENERAL_NAMES, CDeleter<&GENERAL_NAMES_free>>;
using EkuPtr = std::unique_ptr<EXTENDED_KEY_USAGE, CDeleter<&EXTENDED_KEY_USAGE_free>>;
// sk_CONF_VALUE_pop_free is a macro: no address to give CDeleter.
struct ConfValuesFree {
  void operator()(STACK_OF(CONF_VALUE) * s) const noexcept { sk_CONF_VALUE_pop_free(s, X509V3_conf_free); }
};
using ConfValuesPtr = std::unique_ptr<STACK_OF(CONF_VALUE), ConfValuesFree>;

std::string printable(std::string_view s) {
  std::string out;
  for (char ch : s.substr(0, kMaxShown)) {
    auto c = static_cast<unsigned char>(ch);
    if (c < 0x20 || c == 0x7f) {
      out += fmt::format("\\x{:02x}", c);
    } else {
      out.push_back(ch);
    }
  }
  if (s.size() > kMaxShown) out += "…";
  return out;
}

std::string list_some(const std::vector<std::string>& names) {
  std::string out;
  for (std::size_t i = 0; i < names.size() && i < kMaxListed; ++i) out += (i ? ", " : "") + printable(names[i]);
  if (names.size() > kMaxListed) out += fmt::format(" (and {} more)", names.size() - kMaxListed);
  return out;
}

std::size_t utf8_length(std::string_view s) {
  return static_cast<std::size_t>(
      std::count_if(s.begin(), s.end(), [](char c) { return (static_cast<unsigned char>(c) & 0xc0) != 0x80; }));
}

// Every CN of the subject, as UTF-8 (one that does not convert is left out).
std::vector<std::string> common_names(const X509& cert) {
  std::vector<std::string> out;
  const X509_NAME* name = X509_get_subject_name(&cert);
  for (int i = X509_NAME_get_index_by_NID(name, NID_commonName, -1); i >= 0;
       i = X509_NAME_get_index_by_NID(name, NID_commonName, i)) {
    unsigned char* utf8 = nullptr;
    int n = ASN1_STRING_to_UTF8(&utf8, X509_NAME_ENTRY_get_data(X509_NAME_get_entry(name, i)));
    if (n >= 0) out.emplace_back(reinterpret_cast<char*>(utf8), static_cast<std::size_t>(n));  // NOLINT
    OPENSSL_free(utf8);
  }
  ERR_clear_error();
  return out;
}

// The SAN entries as openssl x509 -text prints them: "DNS:cucm.lab", "IP Address:192.0.2.10".
std::vector<std::string> san_entries(const X509& cert) {
  std::vector<std::string> out;
  GeneralNamesPtr names(static_cast<GENERAL_NAMES*>(X509_get_ext_d2i(&cert, NID_subject_alt_name, nullptr, nullptr)));
  if (!names) {
    ERR_clear_error();
    return out;
  }
  ConfValuesPtr values(i2v_GENERAL_NAMES(nullptr, names.get(), nullptr));
  ERR_clear_error();
  if (!values) return out;
  for (int i = 0; i < sk_CONF_VALUE_num(values.get()); ++i) {
    const CONF_VALUE* v = sk_CONF_VALUE_value(values.get(), i);
    out.push_back(fmt::format("{}:{}", v->name ? v->name : "", v->value ? v->value : ""));
  }
  return out;
}

bool same_host(std::string_view a, std::string_view b) {
  return a.size() == b.size() && std::equal(a.begin(), a.end(), b.begin(), [](char x, char y) {
           return std::tolower(static_cast<unsigned char>(x)) == std::tolower(static_cast<unsigned char>(y));
         });
}

std::string eku_name(const ASN1_OBJECT* obj) {
  int nid = OBJ_obj2nid(obj);
  if (nid != NID_undef) return OBJ_nid2ln(nid);
  char buf[80];
  OBJ_obj2txt(buf, sizeof buf, obj, 1);
  return buf;
}

}  // namespace

std::string display_name(const X509_NAME& name) {
  std::string s = tool_name(name);
  return s.empty() ? "(empty subject)" : printable(s);
}

std::string display_subject(const X509& cert) { return display_name(*X509_get_subject_name(&cert)); }

void check_validity(const X509& cert, std::time_t at, Problems& out) {
  int starts = ASN1_TIME_cmp_time_t(X509_get0_notBefore(&cert), at);
  int ends = ASN1_TIME_cmp_time_t(X509_get0_notAfter(&cert), at);
  ERR_clear_error();
  if (starts == -2 || ends == -2) {
    out.push_back({"bad-validity", Severity::Error, display_subject(cert), "validity dates do not parse"});
    return;
  }
  if (starts > 0) {
    out.push_back({"not-yet-valid", Severity::Error, display_subject(cert),
                   fmt::format("not yet valid: valid from {} (checked at {})", format_utc(not_before(cert)),
                               format_utc(at))});
  }
  if (ends < 0) {
    out.push_back({"expired", Severity::Error, display_subject(cert),
                   fmt::format("expired on {} (checked at {})", format_utc(not_after(cert)), format_utc(at))});
  }
}

void check_eku(const X509& cert, CertPurpose purpose, Problems& out) {
  // RFC 5280 §4.2.1.12: without the extension a certificate is not restricted to a purpose, and
  // OpenSSL's verifier agrees. Seed 002's Expressway asks for both EKUs on its own certificates,
  // so the absence is worth a warning, not a failure.
  if (X509_get_ext_by_NID(&cert, NID_ext_key_usage, -1) < 0) {
    out.push_back({"eku-absent", Severity::Warning, display_subject(cert),
                   "no extended key usage: any purpose by RFC 5280, but Expressway wants TLS Web Server and "
                   "TLS Web Client Authentication listed on its own certificates (seed 002)"});
    return;
  }
  EkuPtr eku(static_cast<EXTENDED_KEY_USAGE*>(X509_get_ext_d2i(&cert, NID_ext_key_usage, nullptr, nullptr)));
  ERR_clear_error();
  bool server = false, client = false;
  std::vector<std::string> listed;
  for (int i = 0; eku && i < sk_ASN1_OBJECT_num(eku.get()); ++i) {
    const ASN1_OBJECT* obj = sk_ASN1_OBJECT_value(eku.get(), i);
    int nid = OBJ_obj2nid(obj);
    bool any = nid == NID_anyExtendedKeyUsage;  // RFC 5280: any purpose
    server = server || any || nid == NID_server_auth;
    client = client || any || nid == NID_client_auth;
    listed.push_back(eku_name(obj));
  }
  std::string has = !eku             ? "; the extension does not parse"
                    : listed.empty() ? "; it lists nothing"
                                     : "; it has " + list_some(listed);
  if (purpose != CertPurpose::Client && !server) {
    out.push_back({"eku-server", Severity::Error, display_subject(cert),
                   "EKU lacks TLS Web Server Authentication (1.3.6.1.5.5.7.3.1)" + has});
  }
  if (purpose != CertPurpose::Server && !client) {
    out.push_back({"eku-client", Severity::Error, display_subject(cert),
                   "EKU lacks TLS Web Client Authentication (1.3.6.1.5.5.7.3.2)" + has});
  }
}

void check_host(const X509& cert, const std::string& host, Problems& out) {
  X509* x = const_cast<X509*>(&cert);  // NOLINT: OpenSSL 3.0's X509_check_* take a non-const X509
  int ip = X509_check_ip_asc(x, host.c_str(), 0);
  // Names are taken from the SAN only, never from the CN (RFC 6125 §6.4.4, as browsers do):
  // seed 002 has CUCM added to Expressway "by FQDN (an IP works only if it is a SAN)".
  int dns = ip == -2 ? X509_check_host(x, host.data(), host.size(), X509_CHECK_FLAG_NEVER_CHECK_SUBJECT, nullptr) : 0;
  ERR_clear_error();
  if (ip == 1 || dns == 1) return;
  std::vector<std::string> names;
  for (auto& e : san_entries(cert)) {
    if (e.starts_with("DNS:") || e.starts_with("IP Address:")) names.push_back(std::move(e));
  }
  std::string msg = names.empty() ? fmt::format("host name not in the SAN: {} (the certificate has no DNS or IP SAN)",
                                                printable(host))
                                  : fmt::format("host name not in the SAN: {} is not among {}", printable(host),
                                                list_some(names));
  auto cns = common_names(cert);
  if (std::any_of(cns.begin(), cns.end(), [&](const std::string& cn) { return same_host(cn, host); })) {
    msg += "; it is the CN, which is not checked: put it in the SAN too";
  }
  out.push_back({"host", Severity::Error, display_subject(cert), std::move(msg)});
}

void check_names(const X509& cert, bool leaf, Problems& out) {
  auto cns = common_names(cert);
  for (const auto& cn : cns) {
    std::size_t n = utf8_length(cn);
    if (n > kMaxCommonName) {
      out.push_back({"subject-too-long", Severity::Error, display_subject(cert),
                     fmt::format("subject or SAN field too long: the CN is {} characters, over RFC 5280's {}", n,
                                 kMaxCommonName)});
    }
  }
  auto sans = san_entries(cert);
  std::size_t text = 0;
  std::vector<std::string> ignored;
  for (std::size_t i = 0; i < sans.size(); ++i) {
    text += (i ? 2 : 0) + sans[i].size();
    if (text > kMaxSanText) ignored.push_back(sans[i]);
  }
  if (!ignored.empty()) {
    out.push_back({"san-too-long", Severity::Error, display_subject(cert),
                   fmt::format("subject or SAN field too long: the SAN is {} characters, over Expressway's {}, which "
                               "ignores the names past it (seed 002): {}",
                               text, kMaxSanText, list_some(ignored))});
  }
  if (!leaf) return;
  std::vector<std::string> wild;
  for (const auto& cn : cns) {
    if (cn.find('*') != std::string::npos) wild.push_back("CN=" + cn);
  }
  for (const auto& s : sans) {
    if (s.starts_with("DNS:") && s.find('*') != std::string::npos) wild.push_back(s);
  }
  if (!wild.empty()) {
    out.push_back({"wildcard", Severity::Error, display_subject(cert),
                   "wildcard certificates are not supported (Expressway, seed 002): " + list_some(wild)});
  }
}

void check_key(const X509& cert, Problems& out) {
  const EVP_PKEY* key = X509_get0_pubkey(&cert);
  ERR_clear_error();
  if (!key) {
    out.push_back({"bad-key", Severity::Error, display_subject(cert), "the public key does not parse"});
    return;
  }
  int bits = EVP_PKEY_get_bits(key);
  const char* kind = EVP_PKEY_is_a(key, "RSA")       ? "RSA"
                     : EVP_PKEY_is_a(key, "RSA-PSS") ? "RSA-PSS"
                     : EVP_PKEY_is_a(key, "DSA")     ? "DSA"
                     : EVP_PKEY_is_a(key, "EC")      ? "EC"
                                                     : nullptr;
  if (!kind) return;  // Ed25519, Ed448: fixed sizes, strong enough
  int min = std::string_view(kind) == "EC" ? kMinEcBits : kMinRsaBits;
  if (bits >= min) return;
  out.push_back({"key-too-small", Severity::Error, display_subject(cert),
                 fmt::format("key too small: {} {} bits, under {} (seed 003's example used RSA 1024)", kind, bits,
                             min)});
}

void check_signature_digest(const X509& cert, Problems& out) {
  int sig = X509_get_signature_nid(&cert);
  int md = NID_undef, pkey = NID_undef;
  if (sig == NID_undef || OBJ_find_sigid_algs(sig, &md, &pkey) != 1) return;  // RSA-PSS keeps it in parameters
  const char* name = OBJ_nid2ln(sig);
  if (md == NID_sha1) {
    out.push_back({"sha1-signature", Severity::Error, display_subject(cert),
                   fmt::format("SHA-1 signature ({}): SHA-1 collisions are practical; have it signed with SHA-256 "
                               "(seed 003's certificates were SHA1withRSA)",
                               name ? name : "?")});
  } else if (md == NID_md5 || md == NID_md4 || md == NID_md2 || md == NID_md5_sha1) {
    out.push_back({"md5-signature", Severity::Error, display_subject(cert),
                   fmt::format("MD5 signature ({}): forgeable; have it signed with SHA-256", name ? name : "?")});
  }
}

}  // namespace cucm::signer::fields
