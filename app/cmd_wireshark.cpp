// cucm-emu wireshark install: the Lua dissectors (wireshark/) into Wireshark's personal plugin
// folder, where Wireshark and tshark load them at start.
#include <cstdlib>
#include <filesystem>
#include <iostream>

#include <CLI/CLI.hpp>
#include <fmt/format.h>

#include "app/common.hpp"
#include "app/wireshark_files.hpp"
#include "core/file_io.hpp"

namespace cucm::app {
namespace {
namespace fs = std::filesystem;

// Wireshark's "Personal Lua Plugins" folder on Linux (`tshark -G folders` prints it).
Result<fs::path> personal_plugin_folder() {
  const char* home = std::getenv("HOME");
  if (!home || !*home) {
    return make_error(Errc::InvalidArgument, "wireshark install: HOME is not set: give the folder with --dir");
  }
  return fs::path(home) / ".local" / "lib" / "wireshark" / "plugins";
}

Status install(const std::string& dir_flag) {
  fs::path dir;
  if (dir_flag.empty()) {
    CUCM_TRY(dir, personal_plugin_folder());
  } else {
    dir = dir_flag;
  }
  std::error_code ec;
  fs::create_directories(dir, ec);
  if (ec) return make_error(Errc::InvalidArgument, fmt::format("wireshark install: cannot create {}: {}", dir.string(), ec.message()));
  for (const auto& f : wireshark_files()) {
    CUCM_CHECK(write_file_atomic(dir / f.name, as_bytes(f.text), 0644, Sync::No));
    std::cout << fmt::format("wrote {}\n", (dir / f.name).string());
  }
  std::cout << "Restart Wireshark (or run tshark) to load them; 'tshark -G plugins | grep cucm' lists them. To decrypt "
               "CAPF, TVS and HTTPS, give Wireshark the key log of 'serve --tls-keylog FILE' (Preferences > "
               "Protocols > TLS).\n";
  return Ok{};
}

}  // namespace

void add_wireshark_command(CLI::App& app, GlobalOptions&, int& rc) {
  auto* w = app.add_subcommand("wireshark", "The Wireshark dissectors for CAPF, TVS and the signed files");
  w->require_subcommand(1);
  auto dir = std::make_shared<std::string>();
  auto* i = w->add_subcommand("install", "Copy the Lua dissectors into Wireshark's personal plugin folder");
  i->add_option("--dir", *dir, "Another folder (default ~/.local/lib/wireshark/plugins)")->type_name("DIR");
  i->callback([&rc, dir] { rc = guarded([&] { return install(*dir); }); });
}

}  // namespace cucm::app
