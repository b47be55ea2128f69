// Reading serve's options again on SIGHUP, through the same flag definitions as at start.
#include "app/serve_reload.hpp"

#include <algorithm>

#include <CLI/CLI.hpp>

namespace cucm::app {

GivenOptions given_options(const CLI::App& serve) {
  GivenOptions given;
  for (const CLI::Option* o : serve.get_options()) {
    if (o->get_name() == "--help") continue;
    if (!o->results().empty()) given[o->get_name()] = o->results();
  }
  return given;
}

Result<ServeReread> reread_serve_options(const std::vector<std::string>& serve_args) {
  ServeReread out;
  CLI::App scratch{"serve"};
  add_serve_options(scratch, out.args);
  std::vector<std::string> reversed(serve_args.rbegin(), serve_args.rend());  // CLI11 pops from the back
  try {
    scratch.parse(reversed);
  } catch (const CLI::ParseError& e) {
    return make_error(Errc::InvalidArgument, std::string("serve options: ") + e.what());
  }
  CUCM_CHECK(apply_config_file(scratch, out.args.config_file));
  out.given = given_options(scratch);
  return out;
}

std::vector<std::string> changed_options(const GivenOptions& before, const GivenOptions& after,
                                         const std::vector<std::string>& reloadable) {
  std::vector<std::string> changed;
  auto note = [&](const std::string& name) {
    if (std::find(reloadable.begin(), reloadable.end(), name) != reloadable.end()) return;
    if (std::find(changed.begin(), changed.end(), name) == changed.end()) changed.push_back(name);
  };
  for (const auto& [name, values] : before) {
    auto it = after.find(name);
    if (it == after.end() || it->second != values) note(name);
  }
  for (const auto& [name, values] : after) {
    if (!before.contains(name)) note(name);
  }
  std::sort(changed.begin(), changed.end());
  return changed;
}

std::vector<std::string> args_after(const std::vector<std::string>& argv, const std::string& name) {
  for (std::size_t i = 1; i < argv.size(); ++i) {
    if (argv[i] == name) return {argv.begin() + static_cast<std::ptrdiff_t>(i) + 1, argv.end()};
    // The options before a subcommand (--data-dir, --log-level) take a value, which may be any word.
    if (argv[i].starts_with("--") && argv[i].find('=') == std::string::npos) ++i;
  }
  return {};
}

}  // namespace cucm::app
