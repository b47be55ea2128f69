// The body of a CAPF or TVS message (`u8 tag | u16 BE length | value` elements) as lines for a
// reader: one per element, and one "malformed:" line where the bytes stop making sense. Each
// protocol supplies its element names and how to show a value.
#pragma once

#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "core/bytes.hpp"

namespace cucm {

using ElementName = std::function<std::string(std::uint8_t tag)>;
using ElementValue = std::function<std::string(std::uint8_t tag, ByteView value)>;

// Appends "Name (tag T, L bytes): value" per element of `body` to `out`.
void append_element_lines(ByteView body, const ElementName& name, const ElementValue& value, std::vector<std::string>& out);

}  // namespace cucm
