// Fuzzes the HTTP Range header parser: any bytes are a header value, checked against files of
// several sizes. A range it returns must lie inside the file, or the server would send bytes it
// does not have (sendfile past the end) or promise a Content-Length it cannot keep.
#include <array>
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "core/bytes.hpp"
#include "http/http_response.hpp"

namespace cucm::http {
namespace {

void require(bool ok) {
  if (!ok) __builtin_trap();
}

constexpr std::array<std::uint64_t, 6> kSizes = {0, 1, 100, 10240, 1ULL << 32, ~0ULL};

void fuzz_one(std::string_view header) {
  for (std::uint64_t size : kSizes) {
    auto r = parse_range(header, size);
    if (!r) continue;
    require(size > 0);
    require(r->first <= r->last);
    require(r->last < size);
    require(header.starts_with("bytes="));
    // The head that announces it is well formed: one blank line, at the end.
    ResponseHead head;
    head.status = 206;
    head.content_length = r->last - r->first + 1;
    std::string out;
    render_head(head, out);
    require(out.find("\r\n\r\n") == out.size() - 4);
  }
}

}  // namespace
}  // namespace cucm::http

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  cucm::http::fuzz_one(cucm::as_chars(cucm::ByteView(data, size)));
  return 0;
}
