// TVS messages element by element, from the wire bytes.
#include "tvs/proto/explain.hpp"

#include <fmt/format.h>

#include "core/element_lines.hpp"
#include "signer/cert.hpp"
#include "signer/trust_list.hpp"
#include "tvs/proto/message.hpp"

namespace cucm::tvs {
namespace {

std::uint16_t be16(ByteView b, std::size_t at) { return static_cast<std::uint16_t>(b[at] << 8 | b[at + 1]); }
std::uint32_t be32(ByteView b, std::size_t at) {
  return static_cast<std::uint32_t>(b[at]) << 24 | static_cast<std::uint32_t>(b[at + 1]) << 16 |
         static_cast<std::uint32_t>(b[at + 2]) << 8 | b[at + 3];
}

const char* command(std::uint8_t c) {
  static const char* const names[] = {"none", "VerifyRequest", "VerifyResponse", "QueryRequest", "QueryResponse"};
  return c < 5 ? names[c] : "unknown";
}

const char* element(std::uint8_t tag) {
  switch (static_cast<Element>(tag)) {
    case Element::DeviceName: return "DeviceName";
    case Element::Certificate: return "Certificate";
    case Element::Status: return "Status";
    case Element::Roles: return "Roles";
    case Element::Ttl: return "TTL";
  }
  return "unknown";
}

std::string value(std::uint8_t tag, ByteView v) {
  switch (static_cast<Element>(tag)) {
    case Element::DeviceName:  // a leading byte, then CP-<model>-SEP<MAC> (§4)
      return v.empty() ? std::string("malformed: empty")
                       : fmt::format("leading byte {:02x}, \"{}\"", v[0], std::string(as_chars(v.subspan(1))));
    case Element::Certificate: return signer::describe_der_certificate(v);
    case Element::Status:
      return v.size() == 1 ? fmt::format("{} ({})", v[0], v[0] == 0 ? "valid" : v[0] == 1 ? "invalid" : "?")
                           : std::string("malformed: 1 byte expected");
    case Element::Roles: {
      std::string roles;
      for (std::uint8_t r : v) roles += fmt::format("{}{} ({})", roles.empty() ? "" : ", ", r, signer::role_name(r));
      return roles.empty() ? std::string("none") : roles;
    }
    case Element::Ttl: return v.size() == 4 ? fmt::format("{} s", be32(v, 0)) : std::string("malformed: 4 bytes expected");
  }
  return fmt::format("{} bytes", v.size());
}

}  // namespace

std::vector<std::string> explain_message(ByteView wire) {
  if (wire.size() < kHeaderSize) return {fmt::format("malformed: {} bytes, shorter than the 10-byte header", wire.size())};
  std::vector<std::string> out;
  std::uint16_t length = be16(wire, 8);
  out.push_back(fmt::format("header: protocol 0x{:02x}{}, version {}, command {} ({}), SID {}, body {} bytes", wire[0],
                            wire[0] == kProtocolId ? "" : " (not TVS's 0x57)", wire[1], wire[2], command(wire[2]),
                            be32(wire, 4), length));
  ByteView body = wire.subspan(kHeaderSize);
  if (body.size() != length) out.push_back(fmt::format("malformed: {} body bytes follow, the header says {}", body.size(), length));
  append_element_lines(body, [](std::uint8_t tag) { return std::string(element(tag)); }, value, out);
  return out;
}

}  // namespace cucm::tvs
