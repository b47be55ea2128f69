// Certificate loading and field extraction.
#include "signer/cert.hpp"

#include <arpa/inet.h>

#include <array>
#include <memory>

#include <fmt/format.h>
#include <openssl/err.h>
#include <openssl/objects.h>
#include <openssl/pem.h>
#include <openssl/x509v3.h>

#include "core/encoding.hpp"

namespace cucm::signer {

namespace {

X509Ptr read_pem(ByteView data) {
  auto bio = mem_bio(data);
  X509* raw = PEM_read_bio_X509(bio.get(), nullptr, nullptr, nullptr);
  ERR_clear_error();
  return X509Ptr(raw);
}

}  // namespace

Result<X509Ptr> load_cert(ByteView data) {
  // DER starts with a SEQUENCE (0x30): such bytes skip the PEM scan unless they are not DER.
  bool looks_der = !data.empty() && data[0] == 0x30;
  if (!looks_der) {
    if (auto pem = read_pem(data)) return pem;
  }
  const unsigned char* p = data.data();
  X509* raw = d2i_X509(nullptr, &p, static_cast<long>(data.size()));
  if (!raw) {
    if (looks_der) {
      if (auto pem = read_pem(data)) {
        ERR_clear_error();
        return pem;
      }
    }
    return ossl_error(Errc::InvalidArgument, "signer: not a PEM or DER X.509 certificate");
  }
  if (p != data.data() + data.size()) {
    X509_free(raw);
    return make_error(Errc::InvalidArgument,
                      fmt::format("signer: {} trailing bytes after the DER certificate",
                                  data.data() + data.size() - p));
  }
  return X509Ptr(raw);
}

Result<std::vector<X509Ptr>> load_certs(ByteView data) {
  std::vector<X509Ptr> out;
  auto bio = mem_bio(data);
  while (X509* raw = PEM_read_bio_X509(bio.get(), nullptr, nullptr, nullptr)) out.emplace_back(raw);
  ERR_clear_error();
  if (!out.empty()) return out;
  CUCM_TRY(auto one, load_cert(data));
  out.push_back(std::move(one));
  return out;
}

Bytes cert_der(const X509& cert) {
  int n = i2d_X509(&cert, nullptr);
  if (n <= 0) return {};
  Bytes out(static_cast<std::size_t>(n));
  unsigned char* p = out.data();
  i2d_X509(&cert, &p);
  return out;
}

Bytes cert_pem(const X509& cert) {
  BioPtr bio(BIO_new(BIO_s_mem()));
  PEM_write_bio_X509(bio.get(), &cert);
  return bio_contents(*bio);
}

namespace {

std::string attribute_type(const ASN1_OBJECT* obj) {
  switch (OBJ_obj2nid(obj)) {
    case NID_commonName: return "CN";
    case NID_localityName: return "L";
    case NID_stateOrProvinceName: return "ST";
    case NID_organizationName: return "O";
    case NID_organizationalUnitName: return "OU";
    case NID_countryName: return "C";
    case NID_streetAddress: return "STREET";
    case NID_domainComponent: return "DC";
    case NID_userId: return "UID";
    default: break;
  }
  char buf[128];
  OBJ_obj2txt(buf, sizeof buf, obj, 1);
  return buf;
}

std::string escape_value(std::string_view v) {
  std::string out;
  for (std::size_t i = 0; i < v.size(); ++i) {
    char c = v[i];
    bool special = c == '\\' || c == '"' || c == '+' || c == ',' || c == ';' || c == '<' || c == '>';
    bool edge = (i == 0 && (c == '#' || c == ' ')) || (i + 1 == v.size() && c == ' ');
    if (special || edge) out.push_back('\\');
    out.push_back(c);
  }
  return out;
}

}  // namespace

std::string tool_name(const X509_NAME& name) {
  std::string out;
  int count = X509_NAME_entry_count(&name);
  for (int i = 0; i < count; ++i) {
    const X509_NAME_ENTRY* e = X509_NAME_get_entry(&name, i);
    unsigned char* utf8 = nullptr;
    int len = ASN1_STRING_to_UTF8(&utf8, X509_NAME_ENTRY_get_data(e));
    std::string value = len >= 0 ? std::string(reinterpret_cast<char*>(utf8), static_cast<std::size_t>(len))  // NOLINT
                                 : std::string();
    OPENSSL_free(utf8);
    if (!out.empty()) out.push_back(',');
    out += attribute_type(X509_NAME_ENTRY_get_object(e));
    out.push_back('=');
    out += escape_value(value);
  }
  return out;
}

std::string subject_name(const X509& cert) { return tool_name(*X509_get_subject_name(&cert)); }
std::string issuer_name(const X509& cert) { return tool_name(*X509_get_issuer_name(&cert)); }

std::string common_name(const X509& cert) {
  const X509_NAME* name = X509_get_subject_name(&cert);
  int last = -1;
  for (int i = X509_NAME_get_index_by_NID(name, NID_commonName, -1); i >= 0;
       i = X509_NAME_get_index_by_NID(name, NID_commonName, i)) {
    last = i;
  }
  if (last < 0) return "";
  const ASN1_STRING* value = X509_NAME_ENTRY_get_data(X509_NAME_get_entry(name, last));
  unsigned char* utf8 = nullptr;
  int n = ASN1_STRING_to_UTF8(&utf8, value);
  if (n < 0) return "";
  std::string out(reinterpret_cast<char*>(utf8), static_cast<std::size_t>(n));
  OPENSSL_free(utf8);
  return out;
}

Bytes serial_bytes(const X509& cert) {
  BnPtr bn(ASN1_INTEGER_to_BN(X509_get0_serialNumber(&cert), nullptr));
  if (!bn) return {};
  int n = BN_num_bytes(bn.get());
  if (n <= 0) return Bytes{0};  // serial 0 still needs one byte
  Bytes out(static_cast<std::size_t>(n));
  BN_bn2bin(bn.get(), out.data());
  return out;
}

Bytes signature_value(const X509& cert) {
  const ASN1_BIT_STRING* sig = nullptr;
  X509_get0_signature(&sig, nullptr, &cert);
  if (!sig) return {};
  return Bytes(ASN1_STRING_get0_data(sig), ASN1_STRING_get0_data(sig) + ASN1_STRING_length(sig));
}

namespace {
std::time_t asn1_time_to_time_t(const ASN1_TIME* t) {
  struct tm tm {};
  if (!t || ASN1_TIME_to_tm(t, &tm) != 1) return 0;
  return timegm(&tm);
}
}  // namespace

std::time_t not_before(const X509& cert) { return asn1_time_to_time_t(X509_get0_notBefore(&cert)); }
std::time_t not_after(const X509& cert) { return asn1_time_to_time_t(X509_get0_notAfter(&cert)); }

std::string format_utc(std::time_t t) {
  struct tm tm {};
  gmtime_r(&t, &tm);
  char buf[32];
  std::strftime(buf, sizeof buf, "%Y-%m-%d %H:%M:%S UTC", &tm);
  return buf;
}

Result<PkeyPtr> cert_public_key(const X509& cert) {
  EVP_PKEY* key = X509_get_pubkey(const_cast<X509*>(&cert));  // NOLINT: OpenSSL 3.0 API is not const
  if (!key) return ossl_error(Errc::InvalidArgument, "signer: certificate public key does not parse");
  return PkeyPtr(key);
}

bool is_self_signed(const X509& cert) {
  return X509_check_issued(const_cast<X509*>(&cert), const_cast<X509*>(&cert)) == X509_V_OK;  // NOLINT
}

std::string cert_md5_hex(const X509& cert) { return to_hex(md5(cert_der(cert))); }

std::string cert_sha256_hex(const X509& cert) { return to_hex(digest(HashAlg::Sha256, cert_der(cert))); }

std::string describe_der_certificate(ByteView der) {
  auto cert = load_cert(der);
  if (!cert) return fmt::format("{} bytes that are not a certificate", der.size());
  return fmt::format("{}, MD5 {} ({} bytes)", subject_name(**cert), cert_md5_hex(**cert), der.size());
}

std::string cert_hash_base64(const X509& cert, HashAlg alg) {
  return to_base64(digest(alg, cert_der(cert)));
}

std::string cert_fingerprint(const X509& cert, HashAlg alg) {
  return to_hex_colon(digest(alg, cert_der(cert)));
}

std::string cert_md5_fingerprint(const X509& cert) { return to_hex_colon(md5(cert_der(cert))); }

std::vector<std::pair<std::string, std::string>> subject_rdns(const X509& cert) {
  const X509_NAME& name = *X509_get_subject_name(&cert);
  std::vector<std::pair<std::string, std::string>> out;
  for (int i = 0; i < X509_NAME_entry_count(&name); ++i) {
    const X509_NAME_ENTRY* e = X509_NAME_get_entry(&name, i);
    int nid = OBJ_obj2nid(X509_NAME_ENTRY_get_object(e));
    const ASN1_STRING* v = X509_NAME_ENTRY_get_data(e);
    out.emplace_back(OBJ_nid2sn(nid), std::string(reinterpret_cast<const char*>(ASN1_STRING_get0_data(v)),
                                                  static_cast<std::size_t>(ASN1_STRING_length(v))));
  }
  return out;
}

std::string alt_names_config(const X509& cert) {
  std::unique_ptr<GENERAL_NAMES, decltype(&GENERAL_NAMES_free)> names(
      static_cast<GENERAL_NAMES*>(X509_get_ext_d2i(&cert, NID_subject_alt_name, nullptr, nullptr)), &GENERAL_NAMES_free);
  std::string out;
  for (int i = 0; names && i < sk_GENERAL_NAME_num(names.get()); ++i) {
    const GENERAL_NAME* n = sk_GENERAL_NAME_value(names.get(), i);
    std::string item;
    if (n->type == GEN_DNS || n->type == GEN_URI) {
      const ASN1_STRING* v = n->type == GEN_DNS ? n->d.dNSName : n->d.uniformResourceIdentifier;
      item = std::string(n->type == GEN_DNS ? "DNS:" : "URI:") +
             std::string(reinterpret_cast<const char*>(ASN1_STRING_get0_data(v)), static_cast<std::size_t>(ASN1_STRING_length(v)));
    } else if (n->type == GEN_IPADD) {
      std::array<char, INET6_ADDRSTRLEN> text{};
      int len = ASN1_STRING_length(n->d.iPAddress);
      int family = len == 4 ? AF_INET : len == 16 ? AF_INET6 : 0;
      if (family && inet_ntop(family, ASN1_STRING_get0_data(n->d.iPAddress), text.data(), text.size())) {
        item = std::string("IP:") + text.data();
      }
    }
    if (item.empty()) continue;
    if (!out.empty()) out += ',';
    out += item;
  }
  return out;
}

HashAlg signature_digest(const X509& cert) {
  int nid = X509_get_signature_nid(&cert);
  int md = NID_undef;
  OBJ_find_sigid_algs(nid, &md, nullptr);
  return md == NID_sha1 ? HashAlg::Sha1 : md == NID_sha512 ? HashAlg::Sha512 : HashAlg::Sha256;
}

}  // namespace cucm::signer
