// The rule both protocols apply to a requested name before the catalog sees it.
#pragma once

#include <string_view>

namespace cucm::catalog {

// A plain file name: not empty, at most 255 bytes, no "..", no leading '/', no backslash, no NUL
// or other control character. Anything else is a traversal attempt or garbage: refused and logged.
bool is_safe_name(std::string_view name);

}  // namespace cucm::catalog
