// The Lua dissectors of wireshark/, built into the executable so that `cucm-emu wireshark
// install` works from any folder, the installed binary included.
#pragma once

#include <string_view>
#include <vector>

namespace cucm::app {

struct EmbeddedFile {
  std::string_view name;  // "cucm_capf.lua"
  std::string_view text;
};

const std::vector<EmbeddedFile>& wireshark_files();

}  // namespace cucm::app
