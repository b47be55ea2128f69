#include "http/http_response.hpp"

#include <charconv>

#include <fmt/format.h>

namespace cucm::http {

std::optional<ByteRange> parse_range(std::string_view h, std::uint64_t size) {
  if (!h.starts_with("bytes=") || size == 0 || h.find(',') != std::string_view::npos) return std::nullopt;
  h.remove_prefix(6);
  auto dash = h.find('-');
  if (dash == std::string_view::npos) return std::nullopt;
  // An empty side is absent; a side that is not a whole decimal number spoils the range.
  bool bad = false;
  auto num = [&bad](std::string_view s) -> std::optional<std::uint64_t> {
    if (s.empty()) return std::nullopt;
    std::uint64_t v = 0;
    auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
    if (ec != std::errc{} || p != s.data() + s.size()) bad = true;
    return v;
  };
  auto a = num(h.substr(0, dash)), b = num(h.substr(dash + 1));
  if (bad || (!a && !b)) return std::nullopt;
  if (!a) {  // suffix: the last n bytes
    if (*b == 0) return std::nullopt;
    return ByteRange{size - std::min(*b, size), size - 1};
  }
  if (*a >= size) return std::nullopt;
  if (b && *b < *a) return std::nullopt;
  return ByteRange{*a, b ? std::min(*b, size - 1) : size - 1};
}

std::string_view reason_phrase(unsigned status) {
  switch (status) {
    case 200: return "OK";
    case 206: return "Partial Content";
    case 400: return "Bad Request";
    case 403: return "Forbidden";
    case 404: return "Not Found";
    case 405: return "Method Not Allowed";
    case 416: return "Range Not Satisfiable";
    case 500: return "Internal Server Error";
    default: return "Unknown";
  }
}

void render_head(const ResponseHead& h, std::string& out) {
  auto it = std::back_inserter(out);
  fmt::format_to(it, "HTTP/{}.{} {} {}\r\nServer: cucm-emu\r\n", h.version / 10, h.version % 10, h.status,
                 reason_phrase(h.status));
  if (!h.content_type.empty()) fmt::format_to(it, "Content-Type: {}\r\n", h.content_type);
  out += "Cache-Control: no-store\r\n";
  if (h.accept_ranges) out += "Accept-Ranges: bytes\r\n";
  if (!h.content_range.empty()) fmt::format_to(it, "Content-Range: {}\r\n", h.content_range);
  if (!h.allow.empty()) fmt::format_to(it, "Allow: {}\r\n", h.allow);
  fmt::format_to(it, "Content-Length: {}\r\n", h.content_length);
  if (h.version >= 11 && !h.keep_alive) out += "Connection: close\r\n";
  if (h.version < 11 && h.keep_alive) out += "Connection: keep-alive\r\n";
  out += "\r\n";
}

}  // namespace cucm::http
