// SIGHUP for `cucm-emu serve`: its command line read again (and so its --config file), what can
// change while serving applied, the rest named as waiting for a restart. Nothing is restarted, so
// no transfer, connection or CAPF session is dropped.
#pragma once

#include <map>
#include <string>
#include <vector>

#include "app/serve_options.hpp"
#include "core/result.hpp"

namespace CLI { class App; }

namespace cucm::app {

// The values each serve option was given (on the command line or in the --config file), by name.
using GivenOptions = std::map<std::string, std::vector<std::string>>;
GivenOptions given_options(const CLI::App& serve);

struct ServeReread {
  ServeArgs args;
  GivenOptions given;
};
// Parses serve's arguments (what followed `serve` on the command line) again; the --config file
// among them is read anew. InvalidArgument with CLI11's message when either is now wrong.
Result<ServeReread> reread_serve_options(const std::vector<std::string>& serve_args);

// The options whose values differ, less those a reload applies (`reloadable`), as "--name".
std::vector<std::string> changed_options(const GivenOptions& before, const GivenOptions& after,
                                         const std::vector<std::string>& reloadable);

// What followed the subcommand `name` in a whole command line (argv[0] first).
std::vector<std::string> args_after(const std::vector<std::string>& argv, const std::string& name);

}  // namespace cucm::app
