// TVS codec.
#include "tvs/proto/message.hpp"

#include <fmt/format.h>

#include "core/byte_reader.hpp"
#include "core/byte_writer.hpp"

namespace cucm::tvs {

namespace {

void header(ByteWriter& w, Command c, std::uint32_t sid) {
  w.u8(kProtocolId);
  w.u8(kVersion);
  w.u8(static_cast<std::uint8_t>(c));
  w.u8(0);
  w.u32be(sid);
  w.u16be(0);  // body length, patched
}

Bytes finish(ByteWriter&& w) {
  w.patch_u16be(8, static_cast<std::uint16_t>(w.size() - kHeaderSize));
  return std::move(w).take();
}

void element(ByteWriter& w, Element tag, ByteView value) {
  w.u8(static_cast<std::uint8_t>(tag));
  w.u16be(static_cast<std::uint16_t>(value.size()));
  w.bytes(value);
}

struct Item {
  std::uint8_t tag;
  ByteView value;
};

Result<Item> next_item(ByteReader& r) {
  CUCM_TRY(auto tag, r.u8("element tag"));
  CUCM_TRY(auto len, r.u16be("element length"));
  CUCM_TRY(auto value, r.take(len, fmt::format("element {} value", tag)));
  return Item{tag, value};
}

bool is_upper_hex(char c) { return (c >= '0' && c <= '9') || (c >= 'A' && c <= 'F'); }
bool is_digit(char c) { return c >= '0' && c <= '9'; }

}  // namespace

Result<Header> parse_header(ByteView bytes) {
  ByteReader r(bytes, "tvs header");
  CUCM_TRY(auto id, r.u8("protocol id"));
  if (id != kProtocolId) {
    return make_error(Errc::InvalidArgument,
                      fmt::format("tvs: protocol id {} is not TVS (87): not a TVS client", id));
  }
  CUCM_TRY(auto version, r.u8("version"));
  if (version != kVersion) return make_error(Errc::InvalidArgument, fmt::format("tvs: version {} is not 1", version));
  CUCM_TRY(auto command, r.u8("command"));
  CUCM_CHECK(r.u8("reserved"));
  Header h;
  h.command = static_cast<Command>(command);
  CUCM_TRY(h.sid, r.u32be("sid"));
  CUCM_TRY(h.body_length, r.u16be("body length"));
  return h;
}

bool valid_device_name(std::string_view n) {
  // CP-<4 digits>-SEP<12 hex>: 3 + 4 + 4 + 12 characters
  if (n.size() != 23 || n.substr(0, 3) != "CP-" || n.substr(7, 4) != "-SEP") return false;
  for (std::size_t i = 3; i < 7; ++i) {
    if (!is_digit(n[i])) return false;
  }
  for (std::size_t i = 11; i < 23; ++i) {
    if (!is_upper_hex(n[i])) return false;
  }
  return true;
}

std::string tvs_device_name(std::string_view model, std::string_view device) {
  return fmt::format("CP-{}-{}", model, device);
}

Result<VerifyRequest> parse_verify_request(const Header& h, ByteView body) {
  if (h.command != Command::VerifyRequest) {
    return make_error(Errc::InvalidArgument,
                      fmt::format("tvs: command {} is not a VerifyRequest (1)", static_cast<int>(h.command)));
  }
  if (body.size() != h.body_length) {
    return make_error(Errc::InvalidArgument,
                      fmt::format("tvs: body of {} bytes, the header says {}", body.size(), h.body_length));
  }
  ByteReader r(body, "tvs request", kHeaderSize);
  VerifyRequest req;
  req.sid = h.sid;
  CUCM_TRY(auto name, next_item(r));
  if (name.tag != static_cast<std::uint8_t>(Element::DeviceName)) {
    return make_error(Errc::InvalidArgument, fmt::format("tvs: the request opens with element {}, not DeviceName (1)", name.tag));
  }
  if (name.value.empty()) return make_error(Errc::InvalidArgument, "tvs: empty DeviceName");
  // The first byte (01 from phones) is dropped whatever it is, as UCM does.
  req.device_name.assign(reinterpret_cast<const char*>(name.value.data()) + 1, name.value.size() - 1);
  if (!valid_device_name(req.device_name)) {
    return make_error(Errc::InvalidArgument,
                      fmt::format("tvs: device name is not CP-<model>-SEP<MAC> ({} bytes)", req.device_name.size()));
  }
  CUCM_TRY(auto cert, next_item(r));
  if (cert.tag != static_cast<std::uint8_t>(Element::Certificate)) {
    return make_error(Errc::InvalidArgument, fmt::format("tvs: element {} where the Certificate (2) belongs", cert.tag));
  }
  if (cert.value.empty()) return make_error(Errc::InvalidArgument, "tvs: empty Certificate");
  if (cert.value.size() > kMaxCertificate) {
    return make_error(Errc::InvalidArgument, fmt::format("tvs: certificate of {} bytes, more than the {} accepted",
                                                         cert.value.size(), kMaxCertificate));
  }
  req.certificate.assign(cert.value.begin(), cert.value.end());
  if (!r.empty()) {
    CUCM_TRY(auto extra, next_item(r));
    return make_error(Errc::InvalidArgument, fmt::format("tvs: element {} after the Certificate", extra.tag));
  }
  return req;
}

Bytes encode_verify_request(const VerifyRequest& req) {
  ByteWriter w;
  header(w, Command::VerifyRequest, req.sid);
  Bytes name{0x01};
  name.insert(name.end(), req.device_name.begin(), req.device_name.end());
  element(w, Element::DeviceName, name);
  element(w, Element::Certificate, req.certificate);
  return finish(std::move(w));
}

Bytes encode_verify_response(const VerifyResponse& resp) {
  ByteWriter w;
  header(w, Command::VerifyResponse, resp.sid);
  std::uint8_t status = static_cast<std::uint8_t>(resp.status);
  element(w, Element::Status, ByteView(&status, 1));
  if (resp.status == TrustStatus::Valid) {
    element(w, Element::Roles, resp.roles);
    ByteWriter ttl;
    ttl.u32be(resp.ttl);
    element(w, Element::Ttl, ttl.data());
  }
  return finish(std::move(w));
}

namespace {

// Fills one element of a response; InvalidArgument for a repeated, unknown or mis-sized one.
Status read_response_item(const Item& it, VerifyResponse& out, std::uint8_t& seen) {
  auto once = [&](Element e) -> Status {
    auto bit = static_cast<std::uint8_t>(1u << (static_cast<unsigned>(e) - 7));
    if (seen & bit) return make_error(Errc::InvalidArgument, fmt::format("tvs: element {} twice", it.tag));
    seen = static_cast<std::uint8_t>(seen | bit);
    return Ok{};
  };
  switch (static_cast<Element>(it.tag)) {
    case Element::Status:
      CUCM_CHECK(once(Element::Status));
      if (it.value.size() != 1 || it.value[0] > 1) return make_error(Errc::InvalidArgument, "tvs: Status is not one byte 0 or 1");
      out.status = static_cast<TrustStatus>(it.value[0]);
      return Ok{};
    case Element::Roles:
      CUCM_CHECK(once(Element::Roles));
      out.roles.assign(it.value.begin(), it.value.end());
      return Ok{};
    case Element::Ttl: {
      CUCM_CHECK(once(Element::Ttl));
      ByteReader r(it.value, "tvs ttl");
      CUCM_TRY(out.ttl, r.u32be("TTL"));
      if (!r.empty()) return make_error(Errc::InvalidArgument, "tvs: TTL is not 4 bytes");
      return Ok{};
    }
    default:
      return make_error(Errc::InvalidArgument, fmt::format("tvs: unknown element {} in a response", it.tag));
  }
}

}  // namespace

Result<VerifyResponse> parse_verify_response(ByteView message) {
  if (message.size() < kHeaderSize) return make_error(Errc::InvalidArgument, "tvs: response shorter than its header");
  CUCM_TRY(auto h, parse_header(message.first(kHeaderSize)));
  if (h.command != Command::VerifyResponse) {
    return make_error(Errc::InvalidArgument, fmt::format("tvs: command {} is not a VerifyResponse (2)", static_cast<int>(h.command)));
  }
  ByteView body = message.subspan(kHeaderSize);
  if (body.size() != h.body_length) {
    return make_error(Errc::InvalidArgument, fmt::format("tvs: body of {} bytes, the header says {}", body.size(), h.body_length));
  }
  VerifyResponse out;
  out.sid = h.sid;
  std::uint8_t seen = 0;
  ByteReader r(body, "tvs response", kHeaderSize);
  while (!r.empty()) {
    CUCM_TRY(auto it, next_item(r));
    CUCM_CHECK(read_response_item(it, out, seen));
  }
  if (!(seen & 1u)) return make_error(Errc::InvalidArgument, "tvs: response without a Status");
  if (out.status == TrustStatus::Valid && seen != 0b111) {
    return make_error(Errc::InvalidArgument, "tvs: a valid answer without its Roles or TTL");
  }
  return out;
}

}  // namespace cucm::tvs
