// Walks tag-length-value elements, bounds-checked at each step.
#include "core/element_lines.hpp"

#include <fmt/format.h>

namespace cucm {

void append_element_lines(ByteView body, const ElementName& name, const ElementValue& value, std::vector<std::string>& out) {
  for (std::size_t at = 0; at < body.size();) {
    if (at + 3 > body.size()) {
      out.push_back(fmt::format("malformed: {} bytes left at offset {}, too few for a tag and a length", body.size() - at, at));
      return;
    }
    std::uint8_t tag = body[at];
    std::size_t len = static_cast<std::size_t>(body[at + 1]) << 8 | body[at + 2];
    if (at + 3 + len > body.size()) {
      out.push_back(fmt::format("malformed: {} (tag {}) says {} bytes, {} are left", name(tag), tag, len, body.size() - at - 3));
      return;
    }
    out.push_back(fmt::format("{} (tag {}, {} bytes): {}", name(tag), tag, len, value(tag, body.subspan(at + 3, len))));
    at += 3 + len;
  }
}

}  // namespace cucm
