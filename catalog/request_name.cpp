// Name screening.
#include "catalog/request_name.hpp"

namespace cucm::catalog {

bool is_safe_name(std::string_view name) {
  if (name.empty() || name.size() > 255 || name.front() == '/' || name.find("..") != std::string_view::npos) {
    return false;
  }
  for (char c : name) {
    auto u = static_cast<unsigned char>(c);
    if (c == '\\' || c == '/' || u < 0x20 || u == 0x7f) return false;
  }
  return true;
}

}  // namespace cucm::catalog
