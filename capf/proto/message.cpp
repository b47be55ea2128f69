// CAPF message codec: parse_message and build_message share the tag table below.
#include "capf/proto/message.hpp"

#include <iterator>
#include <utility>

#include <fmt/format.h>

#include "core/byte_reader.hpp"
#include "core/byte_writer.hpp"

namespace cucm::capf {
namespace {

constexpr std::uint8_t kLastCommand = static_cast<std::uint8_t>(Command::SignCertResponse);
constexpr std::size_t kBodyLengthAt = 6;  // in the header
// Nested certificate prefix `01 MMMM 00 TT` (§3.4): the DER starts 5 bytes into the value.
constexpr std::size_t kCertPrefix = 5;
// Sha2SignedData `u8 hash code | u16 length` before the signature; SudiData sub-items alike.
constexpr std::size_t kSubHeader = 3;

// The tag table. Unknown-tag policy ([EMU] §3.2): a tag with no Message field (an unknown tag,
// or the unused CertificateId 5, RetryDelay 12, DigestType 19) is skipped by its length and
// listed in Message::unknown_tags. A repeated tag: the last one wins, as in UCM's readers.
constexpr const char* kElementNames[] = {
    "unknown",  "Reason",     "ReasonInfo", "CertificateType", "Certificate", "CertificateId",
    "SignedData", "Version",  "AuthType",   "PublicKey",       "KeySize",     "Password",
    "RetryDelay", "DeviceName", "unknown",  "unknown",         "SudiData",    "KeyType",
    "Curve",    "DigestType", "Sha2SignedData"};

// The order build_message writes: one order that is a superset of both UCM writers (server 1, 3,
// 4, 7, 8, 10, 17, 18; client 1, 3, 4, 6, 7, 11, 13, 16, 9, 20), with ReasonInfo after Reason.
constexpr Element kWriteOrder[] = {
    Element::Reason,   Element::ReasonInfo, Element::CertificateType, Element::Certificate,
    Element::SignedData, Element::Version,  Element::AuthType,        Element::KeySize,
    Element::KeyType,  Element::Curve,      Element::Password,        Element::DeviceName,
    Element::SudiData, Element::PublicKey,  Element::Sha2SignedData};

// One-byte elements and their fields. UCM writes them at exactly this size (§3.2).
struct U8Field {
  Element tag;
  std::optional<std::uint8_t> Message::*field;
};
constexpr U8Field kU8Fields[] = {
    {Element::Reason, &Message::reason},   {Element::CertificateType, &Message::certificate_type},
    {Element::Version, &Message::version}, {Element::AuthType, &Message::auth_type},
    {Element::KeyType, &Message::key_type}, {Element::Curve, &Message::curve}};

constexpr std::uint8_t tag_of(Element e) { return static_cast<std::uint8_t>(e); }

const U8Field* find_u8(std::uint8_t t) {
  for (const auto& f : kU8Fields) if (tag_of(f.tag) == t) return &f;
  return nullptr;
}

// The value size of a fixed-size element; 0 = variable.
std::size_t fixed_size(std::uint8_t t) {
  return t == tag_of(Element::KeySize) ? 2 : find_u8(t) != nullptr ? 1 : 0;
}

Error element_error(std::size_t at, std::uint8_t t, std::string_view problem) {
  return make_error(Errc::InvalidArgument, fmt::format("capf: element {} (tag {}) at offset {}: {}",
                                                       element_name(t), t, at, problem));
}

Bytes to_vector(ByteView v) { return Bytes(v.begin(), v.end()); }

template <class T>
Status set(std::optional<T>& field, Result<T>&& value) {
  if (!value) return std::move(value).error();
  field = std::move(value).value();
  return Ok{};
}

struct FixedHeader {
  std::uint8_t command = 0;
  std::uint32_t sid = 0;
  std::uint16_t body_length = 0;
};

Result<FixedHeader> read_header(ByteReader& r) {
  FixedHeader h;
  CUCM_TRY(std::uint8_t id, r.u8("protocol id"));
  if (id != kProtocolId) {
    return make_error(Errc::InvalidArgument,
                      fmt::format("capf: protocol id at offset 0: {:#04x} vs expected {:#04x}", id,
                                  kProtocolId));
  }
  CUCM_TRY(h.command, r.u8("command"));
  CUCM_TRY(h.sid, r.u32be("SID"));
  CUCM_TRY(h.body_length, r.u16be("body length"));
  return h;
}

// Password and DeviceName: UTF-8 and one NUL, which counts in the length (§3.4).
Result<std::string> read_c_string(std::size_t at, std::uint8_t t, ByteView v) {
  if (v.empty() || v.back() != 0) {
    return element_error(at, t, fmt::format("no terminating NUL in its {} bytes", v.size()));
  }
  return std::string(as_chars(v.first(v.size() - 1)));
}

// `01 MMMM | 00 TT | DER` with MMMM = DER + 2; the element length LLLL is DER + 5 (§3.4).
Status read_certificate(std::size_t at, ByteView v, std::size_t value_at, Message& m) {
  const std::uint8_t t = tag_of(Element::Certificate);
  if (v.size() < kCertPrefix) {
    return element_error(at, t, fmt::format("length {} is shorter than the {}-byte nested header",
                                            v.size(), kCertPrefix));
  }
  ByteReader r(v, "capf", value_at);
  CUCM_TRY(std::uint8_t inner_tag, r.u8("inner tag"));
  if (inner_tag != 0x01) {
    return element_error(at, t, fmt::format("inner tag at offset {}: {:#04x} vs expected 0x01",
                                            value_at, inner_tag));
  }
  CUCM_TRY(std::uint16_t inner_len, r.u16be("inner length"));
  if (inner_len != r.remaining()) {
    return element_error(at, t, fmt::format("inner length at offset {}: {} vs expected {} "
                                            "(element length {} - 3)",
                                            value_at + 1, inner_len, r.remaining(), v.size()));
  }
  // The type is `00 TT`; a non-zero first byte has never been seen and Message has no room for it.
  CUCM_TRY(std::uint8_t type_high, r.u8("certificate type"));
  if (type_high != 0) {
    return element_error(at, t, fmt::format("certificate type at offset {}: first byte {:#04x} vs "
                                            "expected 0x00", value_at + 3, type_high));
  }
  CUCM_TRY(m.certificate_tt, r.u8("certificate type"));
  CUCM_TRY(ByteView der, r.take(r.remaining(), "certificate DER"));
  m.certificate = to_vector(der);
  return Ok{};
}

// `u8 hash code | u16 BE length | signature`, the length matching the rest exactly (§3.4).
Status read_sha2(std::size_t at, ByteView v, std::size_t value_at, Message& m) {
  const std::uint8_t t = tag_of(Element::Sha2SignedData);
  if (v.size() < kSubHeader) {
    return element_error(at, t, fmt::format("length {} is shorter than the {}-byte hash code and "
                                            "signature length", v.size(), kSubHeader));
  }
  ByteReader r(v, "capf", value_at);
  CUCM_TRY(std::uint8_t code, r.u8("hash code"));
  CUCM_TRY(std::uint16_t len, r.u16be("signature length"));
  if (len != r.remaining()) {
    return element_error(at, t, fmt::format("signature length at offset {}: {} vs {} bytes "
                                            "remaining", value_at + 1, len, r.remaining()));
  }
  CUCM_TRY(ByteView sig, r.take(len, "signature"));
  m.sha2_hash_code = code;
  m.sha2_signed_data = to_vector(sig);
  return Ok{};
}

struct SubItem { std::uint8_t type = 0; ByteView value; };

// SudiData sub-item `n` (from 1): `u8 type | u16 BE len | value`, any type.
Result<SubItem> read_sub_item(ByteReader& r, std::size_t at, int n) {
  const std::uint8_t t = tag_of(Element::SudiData);
  std::size_t item_at = r.offset();
  auto fail = [&](std::string_view problem) {
    return element_error(at, t, fmt::format("sub-item {} at offset {}: {}", n, item_at, problem));
  };
  if (r.empty()) return fail("missing (SudiData has 3 sub-items)");
  if (r.remaining() < kSubHeader) {
    return fail(fmt::format("type and length need {} bytes but only {} remain", kSubHeader,
                            r.remaining()));
  }
  SubItem item;
  CUCM_TRY(item.type, r.u8("sub-item type"));
  CUCM_TRY(std::uint16_t len, r.u16be("sub-item length"));
  if (len > r.remaining()) {
    return fail(fmt::format("length {} exceeds remaining {}", len, r.remaining()));
  }
  CUCM_TRY(item.value, r.take(len, "sub-item value"));
  return item;
}

// Certificate, SHA-1 signature, SHA-512 signature: any type bytes (the server checks the third).
Status read_sudi(std::size_t at, ByteView v, std::size_t value_at, Message& m) {
  const std::uint8_t t = tag_of(Element::SudiData);
  ByteReader r(v, "capf", value_at);
  CUCM_TRY(SubItem cert, read_sub_item(r, at, 1));
  CUCM_TRY(SubItem sha1, read_sub_item(r, at, 2));
  CUCM_TRY(SubItem sha512, read_sub_item(r, at, 3));
  if (!r.empty()) {
    return element_error(at, t, fmt::format("trailing data at offset {} after the 3 sub-items "
                                            "({} bytes)", r.offset(), r.remaining()));
  }
  m.sudi = SudiData{to_vector(cert.value), to_vector(sha1.value), to_vector(sha512.value),
                    sha512.type, cert.type, sha1.type};
  return Ok{};
}

Status store(std::size_t at, std::uint8_t t, ByteView v, std::size_t value_at, Message& m) {
  if (const U8Field* f = find_u8(t)) {
    m.*f->field = v[0];  // the size was checked against fixed_size
    return Ok{};
  }
  switch (static_cast<Element>(t)) {
    case Element::ReasonInfo: m.reason_info = std::string(as_chars(v)); return Ok{};
    case Element::Certificate: return read_certificate(at, v, value_at, m);
    case Element::SignedData: m.signed_data = to_vector(v); return Ok{};
    case Element::PublicKey: m.public_key = to_vector(v); return Ok{};
    case Element::KeySize: m.key_size = static_cast<std::uint16_t>((v[0] << 8) | v[1]); return Ok{};
    case Element::Password: return set(m.password, read_c_string(at, t, v));
    case Element::DeviceName: return set(m.device_name, read_c_string(at, t, v));
    case Element::SudiData: return read_sudi(at, v, value_at, m);
    case Element::Sha2SignedData: return read_sha2(at, v, value_at, m);
    default: m.unknown_tags.push_back(t); return Ok{};
  }
}

Status read_element(ByteReader& r, Message& m) {
  std::size_t at = r.offset();
  CUCM_TRY(std::uint8_t t, r.u8("element tag"));
  if (r.remaining() < 2) {
    return element_error(at, t, fmt::format("length field needs 2 bytes but only {} remain",
                                            r.remaining()));
  }
  CUCM_TRY(std::uint16_t len, r.u16be("element length"));
  if (len > r.remaining()) {
    return element_error(at, t, fmt::format("length {} exceeds remaining {}", len, r.remaining()));
  }
  std::size_t value_at = r.offset();
  CUCM_TRY(ByteView v, r.take(len, "element value"));
  if (std::size_t want = fixed_size(t); want != 0 && len != want) {
    return element_error(at, t, fmt::format("length {} vs expected {}", len, want));
  }
  return store(at, t, v, value_at, m);
}

Error build_error(Element e, std::string_view problem) {
  return make_error(Errc::InvalidArgument, fmt::format("capf: element {} (tag {}): {}",
                                                       element_name(tag_of(e)), tag_of(e),
                                                       problem));
}

Status put(ByteWriter& w, Element e, ByteView value) {
  if (value.size() > kMaxBody) {
    return build_error(e, fmt::format("value of {} bytes exceeds {}", value.size(), kMaxBody));
  }
  w.u8(tag_of(e));
  w.u16be(static_cast<std::uint16_t>(value.size()));
  w.bytes(value);
  return Ok{};
}

Status put_c_string(ByteWriter& w, Element e, const std::optional<std::string>& s) {
  if (!s) return Ok{};
  Bytes v = to_bytes(*s);
  v.push_back(0);
  return put(w, e, v);
}

Status put_certificate(ByteWriter& w, const Message& m) {
  if (!m.certificate) return Ok{};
  const Bytes& der = *m.certificate;
  if (der.size() > kMaxBody - kCertPrefix) {
    return build_error(Element::Certificate, fmt::format("DER of {} bytes exceeds {}", der.size(),
                                                         kMaxBody - kCertPrefix));
  }
  ByteWriter v;
  v.u8(0x01);
  v.u16be(static_cast<std::uint16_t>(der.size() + 2));
  v.u8(0x00);
  v.u8(m.certificate_tt);
  v.bytes(der);
  return put(w, Element::Certificate, v.data());
}

// A sub-item over 65535 bytes gets a wrong u16 here, but then the whole value is over 65535 too
// and put() refuses it, so those bytes are never sent.
Status put_sudi(ByteWriter& w, const std::optional<SudiData>& s) {
  if (!s) return Ok{};
  ByteWriter v;
  const std::pair<std::uint8_t, const Bytes*> items[] = {
      {s->first_type, &s->certificate}, {s->second_type, &s->sha1_signature}, {s->third_type, &s->sha512_signature}};
  for (const auto& [type, bytes] : items) {
    v.u8(type);
    v.u16be(static_cast<std::uint16_t>(bytes->size()));
    v.bytes(*bytes);
  }
  return put(w, Element::SudiData, v.data());
}

Status put_sha2(ByteWriter& w, const Message& m) {
  if (m.sha2_hash_code.has_value() != m.sha2_signed_data.has_value()) {
    return build_error(Element::Sha2SignedData, "sha2_hash_code and sha2_signed_data go together");
  }
  if (!m.sha2_signed_data) return Ok{};
  const Bytes& sig = *m.sha2_signed_data;  // over 65532 bytes: put() refuses, as in put_sudi
  ByteWriter v;
  v.u8(*m.sha2_hash_code);
  v.u16be(static_cast<std::uint16_t>(sig.size()));
  v.bytes(sig);
  return put(w, Element::Sha2SignedData, v.data());
}

Status put_element(ByteWriter& w, const Message& m, Element e) {
  if (const U8Field* f = find_u8(tag_of(e))) {
    if (!(m.*f->field)) return Ok{};
    const std::uint8_t one[] = {*(m.*f->field)};
    return put(w, e, one);
  }
  switch (e) {
    case Element::ReasonInfo:
      return m.reason_info ? put(w, e, as_bytes(*m.reason_info)) : Status(Ok{});
    case Element::Certificate: return put_certificate(w, m);
    case Element::SignedData: return m.signed_data ? put(w, e, *m.signed_data) : Status(Ok{});
    case Element::PublicKey: return m.public_key ? put(w, e, *m.public_key) : Status(Ok{});
    case Element::KeySize: {
      if (!m.key_size) return Ok{};
      const std::uint8_t two[] = {static_cast<std::uint8_t>(*m.key_size >> 8),
                                  static_cast<std::uint8_t>(*m.key_size)};
      return put(w, e, two);
    }
    case Element::Password: return put_c_string(w, e, m.password);
    case Element::DeviceName: return put_c_string(w, e, m.device_name);
    case Element::SudiData: return put_sudi(w, m.sudi);
    case Element::Sha2SignedData: return put_sha2(w, m);
    default:
      return make_error(Errc::Internal, fmt::format("capf: no writer for tag {}", tag_of(e)));
  }
}

}  // namespace

const char* command_name(Command c) {
  static constexpr const char* kNames[] = {
      "unknown",          "AuthRequest",        "AuthResponse",      "KeyGenRequest",
      "KeyGenResponse",   "EncryptResponse",    "EncryptRequest",    "DecryptRequest",
      "DecryptResponse",  "StoreCertRequest",   "StoreCertResponse", "FetchCertRequest",
      "FetchCertResponse", "DeleteCertRequest", "DeleteCertResponse", "End",
      "RetryLater",       "RequestInProgress",  "StatusRequest",     "StatusResponse",
      "AbortRequest",     "AbortResponse",      "SignCertRequest",   "SignCertResponse"};
  auto i = static_cast<std::size_t>(c);
  return i < std::size(kNames) ? kNames[i] : "unknown";
}

const char* element_name(std::uint8_t tag) {
  return tag < std::size(kElementNames) ? kElementNames[tag] : "unknown";
}

Result<std::uint16_t> parse_header(ByteView header) {
  ByteReader r(header, "capf");
  CUCM_TRY(FixedHeader h, read_header(r));
  if (!r.empty()) {
    return make_error(Errc::InvalidArgument, fmt::format("capf: header: {} bytes vs expected {}",
                                                         header.size(), kHeaderSize));
  }
  return h.body_length;
}

Result<Message> parse_message(ByteView bytes) {
  ByteReader r(bytes, "capf");
  CUCM_TRY(FixedHeader h, read_header(r));
  if (h.command == 0 || h.command > kLastCommand) {
    return make_error(Errc::InvalidArgument,
                      fmt::format("capf: command at offset 1: unknown value {} (1..{})", h.command,
                                  kLastCommand));
  }
  if (h.body_length != r.remaining()) {
    return make_error(Errc::InvalidArgument,
                      fmt::format("capf: body length at offset {}: {} vs {} bytes after the header",
                                  kBodyLengthAt, h.body_length, r.remaining()));
  }
  Message m;
  m.command = static_cast<Command>(h.command);
  m.sid = h.sid;
  while (!r.empty()) CUCM_CHECK(read_element(r, m));
  return m;
}

Result<Bytes> build_message(const Message& m) {
  auto command = static_cast<std::uint8_t>(m.command);
  if (command == 0 || command > kLastCommand) {
    return make_error(Errc::InvalidArgument,
                      fmt::format("capf: command {} is not a CAPF command (1..{})", command,
                                  kLastCommand));
  }
  ByteWriter w;
  w.u8(kProtocolId);
  w.u8(command);
  w.u32be(m.sid);
  w.u16be(0);  // the body length, patched below
  for (Element e : kWriteOrder) CUCM_CHECK(put_element(w, m, e));
  std::size_t body = w.size() - kHeaderSize;
  if (body > kMaxBody) {
    return make_error(Errc::InvalidArgument, fmt::format("capf: body of {} bytes exceeds {}", body,
                                                         kMaxBody));
  }
  w.patch_u16be(kBodyLengthAt, static_cast<std::uint16_t>(body));
  return std::move(w).take();
}

}  // namespace cucm::capf
