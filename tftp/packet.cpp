// TFTP packet codec.
#include "tftp/packet.hpp"

#include <algorithm>
#include <cctype>

#include <fmt/format.h>

#include "core/byte_reader.hpp"
#include "core/byte_writer.hpp"

namespace cucm::tftp {
namespace {

std::string lower(std::string_view s) {
  std::string out(s);
  std::transform(out.begin(), out.end(), out.begin(), [](unsigned char c) { return std::tolower(c); });
  return out;
}

// A NUL-terminated string; InvalidArgument when the NUL is missing.
Result<std::string> read_cstring(ByteReader& r, ByteView all, std::string_view field) {
  std::size_t start = r.position();
  auto rest = all.subspan(start);
  auto nul = std::find(rest.begin(), rest.end(), std::uint8_t{0});
  if (nul == rest.end()) return r.error(field, "no terminating NUL");
  auto len = static_cast<std::size_t>(nul - rest.begin());
  CUCM_TRY(ByteView v, r.take(len, field));
  CUCM_CHECK(r.take(1, field));
  return std::string(as_chars(v));
}

Result<Request> parse_request(ByteReader& r, ByteView all, Opcode op) {
  if (all.size() > kMaxRequest) {
    return make_error(Errc::InvalidArgument,
                      fmt::format("tftp: request of {} bytes exceeds {} (RFC 2347)", all.size(), kMaxRequest));
  }
  Request req;
  req.opcode = op;
  std::size_t name_at = r.offset();
  CUCM_TRY(req.filename, read_cstring(r, all, "file name"));
  if (req.filename.empty()) {
    return make_error(Errc::InvalidArgument, fmt::format("tftp: file name at offset {}: empty", name_at));
  }
  CUCM_TRY(std::string mode, read_cstring(r, all, "mode"));
  req.mode = lower(mode);
  if (req.mode != "octet" && req.mode != "netascii") {
    return make_error(Errc::InvalidArgument, fmt::format("tftp: mode '{}' vs octet or netascii", mode));
  }
  while (!r.empty()) {
    CUCM_TRY(std::string name, read_cstring(r, all, "option name"));
    if (r.empty()) return r.error("option value", fmt::format("option '{}' has no value", name));
    CUCM_TRY(std::string value, read_cstring(r, all, "option value"));
    if (name.empty()) return r.error("option name", "empty");
    req.options.emplace_back(lower(name), std::move(value));
  }
  return req;
}

}  // namespace

Result<Packet> parse_packet(ByteView datagram) {
  ByteReader r(datagram, "tftp");
  CUCM_TRY(std::uint16_t op, r.u16be("opcode"));
  Packet p;
  p.opcode = static_cast<Opcode>(op);
  switch (static_cast<Opcode>(op)) {
    case Opcode::Rrq:
    case Opcode::Wrq: {
      CUCM_TRY(Request req, parse_request(r, datagram, static_cast<Opcode>(op)));
      p.request = std::move(req);
      return p;
    }
    case Opcode::Data: {
      CUCM_TRY(p.block, r.u16be("block number"));
      CUCM_TRY(p.data, r.take(r.remaining(), "data"));
      return p;
    }
    case Opcode::Ack: {
      CUCM_TRY(p.block, r.u16be("block number"));
      // Some clients pad ACKs; trailing bytes are ignored rather than failing the transfer.
      return p;
    }
    case Opcode::Error: {
      CUCM_TRY(std::uint16_t code, r.u16be("error code"));
      p.error = static_cast<ErrorCode>(code);
      auto rest = datagram.subspan(r.position());
      auto nul = std::find(rest.begin(), rest.end(), std::uint8_t{0});
      p.message = std::string(as_chars(rest.first(static_cast<std::size_t>(nul - rest.begin()))));
      return p;
    }
    case Opcode::Oack:
      return make_error(Errc::InvalidArgument, "tftp: OACK is sent by servers, not clients");
  }
  return make_error(Errc::InvalidArgument, fmt::format("tftp: opcode at offset 0: unknown value {}", op));
}

Bytes build_data_head(std::uint16_t block, std::size_t payload_size) {
  Bytes out;
  out.reserve(4 + payload_size);
  out.push_back(0);
  out.push_back(static_cast<std::uint8_t>(Opcode::Data));
  out.push_back(static_cast<std::uint8_t>(block >> 8));
  out.push_back(static_cast<std::uint8_t>(block));
  return out;
}

Bytes build_data(std::uint16_t block, ByteView payload) {
  Bytes out = build_data_head(block, payload.size());
  out.insert(out.end(), payload.begin(), payload.end());
  return out;
}

Bytes build_ack(std::uint16_t block) {
  ByteWriter w;
  w.u16be(static_cast<std::uint16_t>(Opcode::Ack));
  w.u16be(block);
  return std::move(w).take();
}

Bytes build_error(ErrorCode code, std::string_view message) {
  ByteWriter w;
  w.u16be(static_cast<std::uint16_t>(Opcode::Error));
  w.u16be(static_cast<std::uint16_t>(code));
  w.text(message.substr(0, 400));
  w.u8(0);
  return std::move(w).take();
}

Bytes build_oack(const std::vector<std::pair<std::string, std::string>>& options) {
  ByteWriter w;
  w.u16be(static_cast<std::uint16_t>(Opcode::Oack));
  for (const auto& [k, v] : options) {
    w.text(k);
    w.u8(0);
    w.text(v);
    w.u8(0);
  }
  return std::move(w).take();
}

Bytes build_request(const Request& req) {
  ByteWriter w;
  w.u16be(static_cast<std::uint16_t>(req.opcode));
  w.text(req.filename);
  w.u8(0);
  w.text(req.mode);
  w.u8(0);
  for (const auto& [k, v] : req.options) {
    w.text(k);
    w.u8(0);
    w.text(v);
    w.u8(0);
  }
  return std::move(w).take();
}

}  // namespace cucm::tftp
