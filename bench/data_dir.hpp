// A benchmark's data folder: --data-dir when given (kept, so that a script's peer run uses the same
// certificates), else a new temporary one, removed at exit unless --keep.
#pragma once

#include <stdlib.h>

#include <filesystem>
#include <string>
#include <system_error>

namespace cucm::bench {

struct DataDir {
  std::filesystem::path path;
  bool keep = true;
  ~DataDir() {
    std::error_code ec;
    if (!keep && !path.empty()) std::filesystem::remove_all(path, ec);
  }
};

// `prefix` names the temporary folder ("cucm-sip-bench"); false when no folder could be made.
inline bool open_data_dir(const std::string& data_dir, bool keep, const std::string& prefix, DataDir& d) {
  if (!data_dir.empty()) {
    d.path = data_dir;
    std::error_code ec;
    std::filesystem::create_directories(d.path, ec);
    return !ec;
  }
  std::string tmpl = (std::filesystem::temp_directory_path() / (prefix + "-XXXXXX")).string();
  if (!::mkdtemp(tmpl.data())) return false;
  d.path = tmpl;
  d.keep = keep;
  return true;
}

}  // namespace cucm::bench
