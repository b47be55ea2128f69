// Hex and base64 codecs, plus the names of error codes.
#include "core/encoding.hpp"

#include <array>

#include <fmt/format.h>

namespace cucm {

const char* errc_name(Errc code) {
  switch (code) {
    case Errc::InvalidArgument: return "invalid argument";
    case Errc::NotFound: return "not found";
    case Errc::PermissionDenied: return "permission denied";
    case Errc::Unauthenticated: return "unauthenticated";
    case Errc::DeadlineExceeded: return "deadline exceeded";
    case Errc::ResourceExhausted: return "resource exhausted";
    case Errc::Unimplemented: return "unimplemented";
    case Errc::Unavailable: return "unavailable";
    case Errc::Internal: return "internal";
    case Errc::AlreadyExists: return "already exists";
  }
  return "unknown";
}

namespace {
constexpr char kHex[] = "0123456789abcdef";
constexpr char kHexUpper[] = "0123456789ABCDEF";
constexpr char kB64[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
constexpr char kB64Url[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";

int hex_value(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}
}  // namespace

std::string to_hex(ByteView b) {
  std::string s;
  s.reserve(b.size() * 2);
  for (auto c : b) {
    s.push_back(kHex[c >> 4]);
    s.push_back(kHex[c & 15]);
  }
  return s;
}

std::string to_hex_colon(ByteView b) {
  std::string s;
  for (std::size_t i = 0; i < b.size(); ++i) {
    if (i) s.push_back(':');
    s.push_back(kHexUpper[b[i] >> 4]);
    s.push_back(kHexUpper[b[i] & 15]);
  }
  return s;
}

std::vector<std::string> hex_dump(ByteView b) {
  std::vector<std::string> lines;
  for (std::size_t at = 0; at < b.size(); at += 16) {
    std::string line = fmt::format("{:04x} ", at);
    for (std::size_t i = at; i < b.size() && i < at + 16; ++i) {
      line += i == at + 8 ? "  " : " ";
      line.push_back(kHex[b[i] >> 4]);
      line.push_back(kHex[b[i] & 15]);
    }
    lines.push_back(std::move(line));
  }
  return lines;
}

Result<Bytes> from_hex(std::string_view text) {
  if (text.size() % 2) {
    return make_error(Errc::InvalidArgument, fmt::format("hex: odd length {}", text.size()));
  }
  Bytes out;
  out.reserve(text.size() / 2);
  for (std::size_t i = 0; i < text.size(); i += 2) {
    int hi = hex_value(text[i]), lo = hex_value(text[i + 1]);
    if (hi < 0 || lo < 0) {
      return make_error(Errc::InvalidArgument, fmt::format("hex: bad digit at position {}", i));
    }
    out.push_back(static_cast<std::uint8_t>(hi * 16 + lo));
  }
  return out;
}

namespace {
std::string encode64(ByteView b, const char* alphabet, bool pad) {
  std::string s;
  s.reserve((b.size() + 2) / 3 * 4);
  std::size_t i = 0;
  for (; i + 3 <= b.size(); i += 3) {
    std::uint32_t v = (b[i] << 16) | (b[i + 1] << 8) | b[i + 2];
    for (int k = 3; k >= 0; --k) s.push_back(alphabet[(v >> (6 * k)) & 63]);
  }
  if (std::size_t rest = b.size() - i; rest) {
    std::uint32_t v = b[i] << 16;
    if (rest == 2) v |= b[i + 1] << 8;
    s.push_back(alphabet[(v >> 18) & 63]);
    s.push_back(alphabet[(v >> 12) & 63]);
    if (rest == 2) s.push_back(alphabet[(v >> 6) & 63]);
    if (pad) s.append(rest == 2 ? "=" : "==");
  }
  return s;
}
}  // namespace

std::string to_base64(ByteView b) { return encode64(b, kB64, true); }

std::string to_base64url(ByteView b) { return encode64(b, kB64Url, false); }

Result<Bytes> from_base64(std::string_view text) {
  std::array<int, 256> rev{};
  rev.fill(-1);
  for (int k = 0; k < 64; ++k) rev[static_cast<unsigned char>(kB64[k])] = k;
  Bytes out;
  std::uint32_t acc = 0;
  int bits = 0;
  std::size_t pad = 0;
  for (std::size_t i = 0; i < text.size(); ++i) {
    char c = text[i];
    if (c == '=') { ++pad; continue; }
    int v = rev[static_cast<unsigned char>(c)];
    if (v < 0 || pad) {
      return make_error(Errc::InvalidArgument, fmt::format("base64: bad character at position {}", i));
    }
    acc = (acc << 6) | static_cast<std::uint32_t>(v);
    bits += 6;
    if (bits >= 8) {
      bits -= 8;
      out.push_back(static_cast<std::uint8_t>(acc >> bits));
    }
  }
  if (pad > 2) return make_error(Errc::InvalidArgument, "base64: too much padding");
  return out;
}

}  // namespace cucm
