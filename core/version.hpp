// What this build is: the release (CMake's project version) and the git revision it was built
// from, for `cucm-emu --version`, the metrics endpoint and the man page.
#pragma once

#include <string_view>

namespace cucm {

// The project version of the top CMakeLists.txt: "0.1.0".
std::string_view version();
// `git describe --always --dirty` of the source tree when CMake last configured it, as a
// 12-digit commit ("c3474392ee65", "c3474392ee65-dirty"), or "unknown" when the source was not a
// git checkout (a tarball) or git was not installed.
std::string_view git_revision();

}  // namespace cucm
