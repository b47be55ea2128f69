// The admin site's pages, scripts and styles (web/assets/), built into the binary by CMake so
// that the site works from any folder and with no network.
#pragma once

#include <string_view>

namespace cucm::web {

struct Asset {
  std::string_view path;          // "/assets/app.js"; index.html is also "/"
  std::string_view content_type;  // by extension
  std::string_view body;
};

// The asset at a request path, or null.
const Asset* find_asset(std::string_view path);

}  // namespace cucm::web
