// ITL/CTL build and parse.
#include "signer/trust_list.hpp"

#include <algorithm>
#include <cctype>

#include <fmt/format.h>

#include "core/byte_reader.hpp"
#include "core/byte_writer.hpp"
#include "core/encoding.hpp"
#include "signer/cert.hpp"
#include "signer/keys.hpp"

namespace cucm::signer {
namespace {

struct RoleName {
  Role role;
  const char* name;
};
constexpr RoleName kRoles[] = {{Role::Sast, "SAST"},     {Role::Ccm, "CCM"},
                               {Role::CcmTftp, "CCM+TFTP"}, {Role::Tftp, "TFTP"},
                               {Role::Capf, "CAPF"},     {Role::AppServer, "APP-SERVER"},
                               {Role::Tvs, "TVS"}};

// Record tags (PROTOCOLS §5.4). Unknown tags are skipped by their length ([EMU]). The whole table
// is listed for the reader, though the parser reads some tags only through record_tag_name.
namespace rtag {
[[maybe_unused]] constexpr std::uint8_t kLength = 1, kDnsName = 2, kSubject = 3, kRole = 4, kIssuer = 5, kSerial = 6,
                       kPublicKey = 7, kSignature = 8, kCertificate = 9, kIpAddress = 10,
                       kCertHash = 11, kHashAlgorithm = 12;
}

const char* record_tag_name(std::uint8_t t) {
  static constexpr const char* kNames[] = {"unknown", "RecordLength", "DnsName", "Subject", "Role",
                                           "Issuer", "Serial", "PublicKey", "Signature",
                                           "Certificate", "IpAddress", "CertHash", "HashAlgorithm"};
  return t < std::size(kNames) ? kNames[t] : "unknown";
}

std::string text_of(ByteView v) {
  if (!v.empty() && v.back() == 0) v = v.first(v.size() - 1);
  return std::string(as_chars(v));
}

void put(ByteWriter& w, std::uint8_t t, ByteView v) {
  w.u8(t);
  w.u16be(static_cast<std::uint16_t>(v.size()));
  w.bytes(v);
}

void put_text(ByteWriter& w, std::uint8_t t, const std::string& s) {
  Bytes v(s.begin(), s.end());
  v.push_back(0);
  put(w, t, v);
}

// The record's PublicKey is the key as i2d_PublicKey writes it (PKCS#1 RSAPublicKey, or the EC
// point), which is the content of the certificate's subjectPublicKey BIT STRING: taken from there,
// it costs no OpenSSL 3 encoder (building one was 11% of the server's CPU in a boot storm).
Result<Bytes> raw_public_key(const X509& cert) {
  const ASN1_BIT_STRING* bits = X509_get0_pubkey_bitstr(&cert);
  if (!bits || ASN1_STRING_length(bits) <= 0) {
    return make_error(Errc::InvalidArgument, fmt::format("tlv: certificate {} has no public key", subject_name(cert)));
  }
  const unsigned char* data = ASN1_STRING_get0_data(bits);
  return Bytes(data, data + ASN1_STRING_length(bits));
}

Result<Bytes> build_record(const X509& cert, Role role) {
  CUCM_TRY(Bytes raw_key, raw_public_key(cert));
  ByteWriter w;
  w.u8(rtag::kLength);
  w.u16be(2);
  w.u16be(0);  // patched: the whole record length
  put_text(w, rtag::kSubject, subject_name(cert));
  put_text(w, rtag::kIssuer, issuer_name(cert));
  put(w, rtag::kSerial, serial_bytes(cert));
  w.u8(rtag::kRole);
  w.u16be(2);
  w.u16be(static_cast<std::uint16_t>(role));
  put(w, rtag::kPublicKey, raw_key);
  put(w, rtag::kSignature, signature_value(cert));
  Bytes der = cert_der(cert);
  if (der.size() > 0xffff - 64) {
    return make_error(Errc::InvalidArgument,
                      fmt::format("tlv: certificate {} is {} bytes, too large for a record", subject_name(cert), der.size()));
  }
  put(w, rtag::kCertificate, der);
  if (w.size() > 0xffff) {
    return make_error(Errc::InvalidArgument, fmt::format("tlv: record for {} exceeds 65535 bytes", subject_name(cert)));
  }
  w.patch_u16be(3, static_cast<std::uint16_t>(w.size()));
  return std::move(w).take();
}

}  // namespace

std::string role_name(std::uint16_t code) {
  for (auto& r : kRoles) if (static_cast<std::uint16_t>(r.role) == code) return r.name;
  return fmt::format("ROLE-{}", code);
}

Result<Role> parse_role(std::string_view name) {
  std::string up(name);
  std::transform(up.begin(), up.end(), up.begin(), [](unsigned char c) { return std::toupper(c); });
  for (auto& r : kRoles) if (up == r.name) return r.role;
  return make_error(Errc::InvalidArgument,
                    fmt::format("unknown role '{}' (SAST, CCM, CCM+TFTP, TFTP, CAPF, APP-SERVER, TVS)", name));
}

Result<Bytes> build_trust_list(std::span<const TrustEntry> entries, const TrustListOptions& opts,
                               EVP_PKEY& key, const X509& cert) {
  if (entries.empty()) return make_error(Errc::InvalidArgument, "tlv: a trust list needs at least one certificate");
  Bytes payload;
  for (const auto& e : entries) {
    CUCM_TRY(Bytes rec, build_record(*e.cert, e.role));
    payload.insert(payload.end(), rec.begin(), rec.end());
  }
  Header h;
  h.version = {1, 2};
  h.signer_version = opts.signer_version;
  h.hash = opts.hash;
  h.filename = opts.filename;
  h.timestamp = opts.timestamp;
  return sign_and_assemble(std::move(h), payload, key, cert);
}

namespace {

// Over 60 lines: one case per record tag (PROTOCOLS §5.4), each a bounds-checked read and a
// trace entry, kept next to each other like the tag table they follow.
Status parse_record(ByteReader& r, TrustRecord& rec, std::vector<FieldTrace>& trace) {
  rec.offset = r.offset();
  CUCM_TRY(std::uint8_t t, r.u8("record length tag"));
  if (t != rtag::kLength) {
    return make_error(Errc::InvalidArgument,
                      fmt::format("tlv: record at offset {}: first tag {} vs expected 1 (RecordLength)", rec.offset, t));
  }
  CUCM_TRY(std::uint16_t l, r.u16be("record length size"));
  if (l != 2) {
    return make_error(Errc::InvalidArgument,
                      fmt::format("tlv: record at offset {}: RecordLength size {} vs expected 2", rec.offset, l));
  }
  CUCM_TRY(std::uint16_t total, r.u16be("record length"));
  if (total < 5) {
    return make_error(Errc::InvalidArgument,
                      fmt::format("tlv: record at offset {}: length {} is smaller than its own length item (5)",
                                  rec.offset, total));
  }
  rec.length = total;
  trace.push_back({rec.offset, rtag::kLength, "RecordLength", 2, std::to_string(total), 1});
  std::size_t body_at = r.offset();
  CUCM_TRY(ByteView body, r.take(total - 5u, "record body"));
  ByteReader br(body, "tlv", body_at);
  while (!br.empty()) {
    std::size_t at = br.offset();
    CUCM_TRY(std::uint8_t tg, br.u8("record item tag"));
    CUCM_TRY(std::uint16_t len, br.u16be(fmt::format("length of record {} (tag {})", record_tag_name(tg), tg)));
    CUCM_TRY(ByteView v, br.take(len, fmt::format("value of record {} (tag {})", record_tag_name(tg), tg)));
    std::string shown;
    switch (tg) {
      case rtag::kDnsName: rec.dns_name = shown = text_of(v); break;
      case rtag::kSubject: rec.subject = shown = text_of(v); break;
      case rtag::kIssuer: rec.issuer = shown = text_of(v); break;
      case rtag::kRole:
        if (len != 2) {
          return make_error(Errc::InvalidArgument,
                            fmt::format("tlv: record Role (tag 4) at offset {}: length {} vs expected 2", at, len));
        }
        rec.role = static_cast<std::uint16_t>((v[0] << 8) | v[1]);
        shown = fmt::format("{} ({})", *rec.role, role_name(*rec.role));
        break;
      case rtag::kSerial: rec.serial.assign(v.begin(), v.end()); shown = to_hex(v); break;
      case rtag::kPublicKey: rec.public_key.assign(v.begin(), v.end()); shown = to_hex(v); break;
      case rtag::kSignature: rec.signature.assign(v.begin(), v.end()); shown = to_hex(v); break;
      case rtag::kCertificate: rec.certificate.assign(v.begin(), v.end()); shown = to_hex(v); break;
      default: shown = to_hex(v); break;  // 10, 11, 12 and unknown tags: kept in the trace only
    }
    trace.push_back({at, tg, record_tag_name(tg), len, std::move(shown), 2});
  }
  if (!rec.certificate.empty()) {
    auto cert = load_cert(rec.certificate);
    if (!cert) {
      return make_error(Errc::InvalidArgument,
                        fmt::format("tlv: record at offset {}: Certificate does not parse: {}", rec.offset,
                                    cert.error().message));
    }
    CUCM_TRY(PkeyPtr key, cert_public_key(**cert));
    if (!EVP_PKEY_is_a(key.get(), "RSA") && !EVP_PKEY_is_a(key.get(), "EC")) {
      return make_error(Errc::InvalidArgument,
                        fmt::format("tlv: record at offset {}: certificate key is {}, not RSA or EC",
                                    rec.offset, describe_key(*key)));
    }
  }
  return Ok{};
}

}  // namespace

Result<TrustList> parse_trust_list(ByteView file) {
  TrustList list;
  CUCM_TRY(list.parsed, parse_header(file, "tlv"));
  const Header& h = list.parsed.header;
  if (h.version[0] != 1 || h.encryption) {
    return make_error(Errc::InvalidArgument,
                      fmt::format("tlv: Version at offset 0: {}.{} vs expected 1.x without encryption",
                                  h.version[0], h.version[1]));
  }
  ByteReader r(file.subspan(list.parsed.header_length), "tlv", list.parsed.header_length);
  while (!r.empty()) {
    TrustRecord rec;
    CUCM_CHECK(parse_record(r, rec, list.record_trace));
    list.records.push_back(std::move(rec));
  }
  return list;
}

Result<const TrustRecord*> find_signer(const TrustList& list) {
  const Bytes& serial = list.parsed.header.serial;
  for (const auto& rec : list.records) {
    if (rec.role == static_cast<std::uint16_t>(Role::Sast) && rec.serial == serial) return &rec;
  }
  return make_error(Errc::NotFound,
                    fmt::format("tlv: no SAST record has the header SerialNumber {} (signer {})",
                                to_hex(serial), list.parsed.header.signer_name));
}

Status verify_trust_list(ByteView file, const TrustList& list) {
  CUCM_TRY(const TrustRecord* signer, find_signer(list));
  if (signer->certificate.empty()) {
    return make_error(Errc::NotFound,
                      fmt::format("tlv: signer record at offset {} has no Certificate", signer->offset));
  }
  CUCM_TRY(X509Ptr cert, load_cert(signer->certificate));
  CUCM_TRY(PkeyPtr key, cert_public_key(*cert));
  return verify_signature(file, list.parsed, *key);
}

}  // namespace cucm::signer
