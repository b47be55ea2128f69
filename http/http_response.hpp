// What an HTTP response head holds and how it is written: the few headers the seed's capture
// shows (Content-Type */*, Cache-Control no-store), rendered once into one buffer so the head and
// the body leave in one system call. Pure functions, unit tested.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace cucm::http {

struct ByteRange {
  std::uint64_t first = 0, last = 0;  // inclusive
};

// One range of "bytes=a-b", "bytes=a-" or "bytes=-n" within a file of `size` bytes. nullopt:
// unsatisfiable, or not understood (several ranges, other units).
std::optional<ByteRange> parse_range(std::string_view header, std::uint64_t size);

struct ResponseHead {
  unsigned status = 200;
  unsigned version = 11;  // the request's: 10 or 11
  bool keep_alive = true;
  std::uint64_t content_length = 0;
  std::string_view content_type;      // omitted when empty
  bool accept_ranges = false;         // "Accept-Ranges: bytes" (static files)
  std::string_view content_range;     // omitted when empty
  std::string_view allow;             // omitted when empty (405)
};

std::string_view reason_phrase(unsigned status);

// Appends the status line, the headers and the blank line to `out`. Connection is written only
// where it differs from the version's default: "close" on HTTP/1.1, "keep-alive" on HTTP/1.0.
void render_head(const ResponseHead& head, std::string& out);

}  // namespace cucm::http
