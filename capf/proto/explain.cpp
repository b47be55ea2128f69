// CAPF messages element by element, read straight from the wire bytes so that the lengths shown
// are the ones sent.
#include "capf/proto/explain.hpp"

#include <fmt/format.h>

#include "capf/proto/message.hpp"
#include "core/element_lines.hpp"
#include "core/encoding.hpp"
#include "signer/cert.hpp"
#include "signer/keys.hpp"
#include "signer/spki.hpp"

namespace cucm::capf {
namespace {

std::uint16_t be16(ByteView b, std::size_t at) { return static_cast<std::uint16_t>(b[at] << 8 | b[at + 1]); }

std::string text(ByteView v) {
  std::string s(as_chars(v));
  if (!s.empty() && s.back() == '\0') s.pop_back();
  return fmt::format("\"{}\"", s);
}

std::string reason(std::uint8_t r) {
  switch (r) {
    case 0: return "0 (no action)";
    case 1: return "1 (update certificate: success)";
    case 7: return "7 (invalid element: the generic failure)";
    case 9: return "9 (unknown device)";
    default: return fmt::format("{}", r);
  }
}

std::string auth_type(std::uint8_t a) {
  static const char* const names[] = {"none", "authentication string", "null string", "existing LSC", "existing MIC"};
  return a < 5 ? fmt::format("{} ({})", a, names[a]) : fmt::format("{}", a);
}

// SudiData: three sub-items `u8 type | u16 length | value` (§3.5), the first a certificate.
std::string sudi(ByteView v) {
  std::string out;
  std::size_t at = 0;
  for (int i = 0; i < 3; ++i) {
    if (at + 3 > v.size() || at + 3 + be16(v, at + 1) > v.size()) return out + "; malformed: a sub-item runs past the element";
    ByteView item = v.subspan(at + 3, be16(v, at + 1));
    out += fmt::format("{}type {}: {}", i ? "; " : "", v[at], i == 0 ? signer::describe_der_certificate(item) : fmt::format("signature, {} bytes", item.size()));
    at += 3 + item.size();
  }
  return out;
}

std::string value(std::uint8_t tag, ByteView v) {
  auto one = [&](auto describe) { return v.size() == 1 ? describe(v[0]) : fmt::format("malformed: {} bytes, 1 expected", v.size()); };
  switch (static_cast<Element>(tag)) {
    case Element::Reason: return one(reason);
    case Element::ReasonInfo: return text(v);
    case Element::CertificateType: return one([](std::uint8_t t) { return fmt::format("{} ({})", t, t == 1 ? "LSC" : t == 2 ? "MIC" : "?"); });
    case Element::Certificate:  // 01 MMMM | 00 TT | DER (§3.4)
      return v.size() > 5 ? signer::describe_der_certificate(v.subspan(5)) : std::string("malformed: shorter than its nested header");
    case Element::SignedData: return fmt::format("signature, {} bytes", v.size());
    case Element::Version: return one([](std::uint8_t n) { return fmt::format("{}", n); });
    case Element::AuthType: return one(auth_type);
    case Element::PublicKey: {
      auto key = signer::decode_spki_fast(v);
      return key ? fmt::format("{} (SubjectPublicKeyInfo)", signer::describe_key(*key)) : fmt::format("{} bytes, not a key", v.size());
    }
    case Element::KeySize: return v.size() == 2 ? fmt::format("{} bits", be16(v, 0)) : std::string("malformed: 2 bytes expected");
    case Element::Password: return v.size() <= 1 ? std::string("(empty: null string)") : text(v);
    case Element::DeviceName: return text(v);
    case Element::SudiData: return sudi(v);
    case Element::KeyType: return one([](std::uint8_t t) { return fmt::format("{} ({})", t, t == 0 ? "RSA" : t == 1 ? "EC" : "?"); });
    case Element::Curve:
      return one([](std::uint8_t c) { return fmt::format("{} ({})", c, c == 0 ? "P-256" : c == 1 ? "P-384" : c == 2 ? "P-521" : "?"); });
    case Element::Sha2SignedData:
      return v.size() >= 3 ? fmt::format("hash code {} ({}), signature, {} bytes", v[0], v[0] == 3 ? "SHA-512" : "?", be16(v, 1))
                           : std::string("malformed: shorter than its hash code and length");
    default: return fmt::format("{} bytes", v.size());
  }
}

}  // namespace

std::vector<std::string> explain_message(ByteView wire) {
  std::vector<std::string> out;
  if (wire.size() < kHeaderSize) return {fmt::format("malformed: {} bytes, shorter than the 8-byte header", wire.size())};
  std::uint32_t sid = static_cast<std::uint32_t>(wire[2]) << 24 | static_cast<std::uint32_t>(wire[3]) << 16 |
                      static_cast<std::uint32_t>(wire[4]) << 8 | wire[5];
  std::uint16_t length = be16(wire, 6);
  out.push_back(fmt::format("header: protocol 0x{:02x}{}, command {} ({}), SID {}, body {} bytes", wire[0],
                            wire[0] == kProtocolId ? "" : " (not CAPF's 0x55)", wire[1],
                            command_name(static_cast<Command>(wire[1])), sid, length));
  ByteView body = wire.subspan(kHeaderSize);
  if (body.size() != length) out.push_back(fmt::format("malformed: {} body bytes follow, the header says {}", body.size(), length));
  append_element_lines(body, [](std::uint8_t tag) { return std::string(element_name(tag)); }, value, out);
  return out;
}

}  // namespace cucm::capf
